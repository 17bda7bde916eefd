"""Reading stored filings, within the reader's rights.

Natural persons' data (parties marked ``is_person``) are personal data: a reader without
the ``read_personal_data`` permission sees them redacted; a reader with it must state a
purpose, and the read is written to the audit log (who, when, which filing, why).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tollgate.audit.log import record
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor, visible_authority_ids
from tollgate.declarations.models import ROLE_FIELDS
from tollgate.declarations.tables import FilingRecord, FilingVersion
from tollgate.errors import NotFound, ValidationFailed
from tollgate.quality.tables import QualityFinding

REDACTED = "[redacted: personal data]"


@dataclass(frozen=True, slots=True)
class FilingPage:
    items: list[FilingRecord]
    next_after: int | None


def has_personal_data(document: dict[str, Any]) -> bool:
    return any(
        isinstance(document.get(role), dict) and document[role].get("is_person")
        for roles in ROLE_FIELDS.values()
        for role in roles
    )


def redact(document: dict[str, Any]) -> dict[str, Any]:
    out = dict(document)
    for roles in ROLE_FIELDS.values():
        for role in roles:
            party = out.get(role)
            if isinstance(party, dict) and party.get("is_person"):
                kept: dict[str, Any] = {"is_person": True}
                address = party.get("address")
                if isinstance(address, dict) and "country" in address:
                    kept["address"] = {"country": address["country"]}
                out[role] = {"name": REDACTED, **kept}
    return out


def visible_document(
    session: Session,
    actor: Actor,
    filing: FilingRecord,
    version: FilingVersion,
    purpose: str | None,
) -> tuple[dict[str, Any], bool]:
    """The document as ``actor`` may see it, and whether it was redacted."""
    document = version.document
    if not has_personal_data(document):
        return document, False
    if not actor.can(Permission.READ_PERSONAL_DATA):
        return redact(document), True
    if not purpose or not purpose.strip():
        raise ValidationFailed(
            f"filing {filing.id} holds personal data: state the purpose of this read "
            "(header 'X-Purpose' or --purpose); it is recorded in the audit log"
        )
    record(
        session,
        actor=actor,
        action="read_personal_data",
        object_type="filing_version",
        object_id=f"{filing.id}/{version.version}",
        purpose=purpose.strip()[:500],
        detail={"kind": filing.kind, "filer": filing.filer, "lrn": filing.lrn},
    )
    return document, False


def get_filing(session: Session, actor: Actor, filing_id: int) -> FilingRecord:
    actor.require(Permission.READ_FILINGS)
    filing = session.get(FilingRecord, filing_id)
    visible = visible_authority_ids(session, actor)
    if filing is None or (visible is not None and filing.authority_id not in visible):
        # the same answer whether it does not exist or is not yours: no probing
        raise NotFound(f"no filing {filing_id}")
    return filing


def versions(session: Session, filing_id: int) -> list[FilingVersion]:
    return list(
        session.scalars(
            select(FilingVersion)
            .where(FilingVersion.filing_id == filing_id)
            .order_by(FilingVersion.version)
        )
    )


def get_version(session: Session, filing_id: int, version: int | None) -> FilingVersion:
    query = select(FilingVersion).where(FilingVersion.filing_id == filing_id)
    if version is None:
        query = query.order_by(FilingVersion.version.desc()).limit(1)
    else:
        query = query.where(FilingVersion.version == version)
    found = session.scalar(query)
    if found is None:
        raise NotFound(f"filing {filing_id} has no version {version}")
    return found


def findings_of(session: Session, version_id: int) -> list[QualityFinding]:
    return list(
        session.scalars(
            select(QualityFinding)
            .where(QualityFinding.filing_version_id == version_id)
            .order_by(QualityFinding.id)
        )
    )


def list_filings(
    session: Session,
    actor: Actor,
    *,
    kind: str | None = None,
    filer: str | None = None,
    office: str | None = None,
    received_from: datetime | None = None,
    received_to: datetime | None = None,
    after: int = 0,
    limit: int = 100,
) -> FilingPage:
    """Keyset pagination on id: stable under concurrent inserts, cheap at any depth."""
    actor.require(Permission.READ_FILINGS)
    limit = max(1, min(limit, 1000))
    query = select(FilingRecord).where(FilingRecord.id > after)
    visible = visible_authority_ids(session, actor)
    if visible is not None:
        query = query.where(FilingRecord.authority_id.in_(sorted(visible)))
    if kind:
        query = query.where(FilingRecord.kind == kind)
    if filer:
        query = query.where(FilingRecord.filer == filer)
    if office:
        query = query.where(FilingRecord.office == office)
    if received_from:
        query = query.where(FilingRecord.last_received_at >= received_from)
    if received_to:
        query = query.where(FilingRecord.last_received_at < received_to)
    items = list(session.scalars(query.order_by(FilingRecord.id).limit(limit + 1)))
    more = len(items) > limit
    items = items[:limit]
    return FilingPage(items, items[-1].id if more else None)
