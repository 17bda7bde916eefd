"""Reading filings: list (keyset-paginated), one filing with its versions, one version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from tollgate.api.deps import CurrentActor, Purpose, SessionDep, UtcDatetime
from tollgate.consignments.service import consignments_of_filing
from tollgate.declarations import service
from tollgate.declarations.tables import FilingRecord
from tollgate.quality.schemas import FindingOut

router = APIRouter(tags=["filings"])


class FilingSummary(BaseModel):
    id: int
    kind: str
    filing_type: str
    layer: str | None
    filer: str
    lrn: str
    office: str
    current_version: int
    first_received_at: UtcDatetime
    last_received_at: UtcDatetime


class FilingPageOut(BaseModel):
    items: list[FilingSummary]
    next_after: int | None


class VersionSummary(BaseModel):
    version: int
    received_at: UtcDatetime
    lodged_at: UtcDatetime
    quality_score: int
    content_hash: str
    submitted_by: str


class FilingOut(BaseModel):
    filing: FilingSummary
    versions: list[VersionSummary]
    consignments: list[int]
    version: int
    document: dict[str, Any]
    redacted: bool
    findings: list[FindingOut]


def _summary(f: FilingRecord) -> FilingSummary:
    return FilingSummary(
        id=f.id,
        kind=f.kind,
        filing_type=f.filing_type,
        layer=f.layer,
        filer=f.filer,
        lrn=f.lrn,
        office=f.office,
        current_version=f.current_version,
        first_received_at=f.first_received_at,
        last_received_at=f.last_received_at,
    )


@router.get("/filings", response_model=FilingPageOut)
def list_filings(
    actor: CurrentActor,
    session: SessionDep,
    kind: str | None = Query(None, pattern="^(ens|import|csm)$"),
    filer: str | None = None,
    office: str | None = None,
    received_from: datetime | None = None,
    received_to: datetime | None = None,
    after: int = Query(0, ge=0, description="Return filings with id greater than this."),
    limit: int = Query(100, ge=1, le=1000),
) -> FilingPageOut:
    page = service.list_filings(
        session,
        actor,
        kind=kind,
        filer=filer,
        office=office,
        received_from=received_from,
        received_to=received_to,
        after=after,
        limit=limit,
    )
    return FilingPageOut(items=[_summary(f) for f in page.items], next_after=page.next_after)


@router.get("/filings/{filing_id}", response_model=FilingOut)
def get_filing(
    filing_id: int,
    actor: CurrentActor,
    session: SessionDep,
    purpose: Purpose = None,
    version: int | None = Query(None, ge=1, description="Default: the newest version."),
) -> FilingOut:
    """A filing with its version history and one version's document and findings.

    Personal data are redacted unless the caller may read them; then ``X-Purpose`` is
    required and the read is audited."""
    filing = service.get_filing(session, actor, filing_id)
    chosen = service.get_version(session, filing_id, version)
    document, redacted = service.visible_document(session, actor, filing, chosen, purpose)
    return FilingOut(
        filing=_summary(filing),
        versions=[
            VersionSummary(
                version=v.version,
                received_at=v.received_at,
                lodged_at=v.lodged_at,
                quality_score=v.quality_score,
                content_hash=v.content_hash,
                submitted_by=v.submitted_by,
            )
            for v in service.versions(session, filing_id)
        ],
        consignments=consignments_of_filing(session, filing_id),
        version=chosen.version,
        document=document,
        redacted=redacted,
        findings=[
            FindingOut(
                rule=q.rule, code=q.code, field=q.field, severity=q.severity, message=q.message
            )
            for q in service.findings_of(session, chosen.id)
        ],
    )
