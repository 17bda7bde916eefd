"""What the trader learns about a filing: released, documents requested, examination,
do not load, or pending — and nothing else.

The outcome is derived from the decision alone: never from reasons, profiles, scores or
instructions, which would tell a trader how targeting works, and never from which
assessment or trigger produced it, which could betray a CIS alert under discreet
surveillance (CIS-11). A post-release audit reads as "released": it is not announced.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tollgate.api.deps import CurrentActor, SessionDep
from tollgate.authorities.roles import Permission
from tollgate.consignments.tables import ConsignmentMember
from tollgate.declarations.tables import FilingRecord, FilingVersion
from tollgate.errors import NotFound
from tollgate.risk.tables import Assessment

Status = Literal["pending", "released", "documents-requested", "examination", "do-not-load", "held"]

_STATUS: dict[str, Status] = {
    "release": "released",
    "post-release-audit": "released",
    "documentary": "documents-requested",
    "scan": "examination",
    "physical": "examination",
    "do-not-load": "do-not-load",
    "blocked": "held",
}


class OutcomeOut(BaseModel):
    filing_id: int
    lrn: str
    status: Status = Field(description="What the trader may know of the decision.")


def trader_outcome(session: Session, filing: FilingRecord) -> Status:
    """The status of the newest assessment of the filing's current version or of its
    consignment."""
    current = select(FilingVersion.id).where(
        FilingVersion.filing_id == filing.id,
        FilingVersion.version == filing.current_version,
    )
    consignments = select(ConsignmentMember.consignment_id).where(
        ConsignmentMember.filing_id == filing.id
    )
    decision = session.scalar(
        select(Assessment.decision)
        .where(
            or_(
                Assessment.filing_version_id.in_(current),
                Assessment.consignment_id.in_(consignments),
            )
        )
        .order_by(Assessment.id.desc())
        .limit(1)
    )
    return "pending" if decision is None else _STATUS.get(decision, "held")


router = APIRouter(tags=["filings"])


@router.get("/filings/{filing_id}/outcome", response_model=OutcomeOut)
def outcome(filing_id: int, actor: CurrentActor, session: SessionDep) -> OutcomeOut:
    """The trader-facing outcome of a filing, for the filing gateway that relays it to
    the filer (``submit_filings``), and for the authority's own staff."""
    if not actor.can(Permission.SUBMIT_FILINGS):
        actor.require(Permission.READ_FILINGS)
    filing = session.get(FilingRecord, filing_id)
    if filing is None or (
        actor.authority_id is not None and filing.authority_id != actor.authority_id
    ):
        raise NotFound(f"no filing {filing_id}")
    return OutcomeOut(filing_id=filing.id, lrn=filing.lrn, status=trader_outcome(session, filing))
