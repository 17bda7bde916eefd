"""The consignment view and the change-event feed for re-assessment."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel

from tollgate.api.deps import CurrentActor, SessionDep, UtcDatetime
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import visible_authority_ids
from tollgate.consignments import service

router = APIRouter(tags=["consignments"])


class VersionOut(BaseModel):
    version: int
    received_at: UtcDatetime
    quality_score: int


class MemberOut(BaseModel):
    role: str
    filing_id: int
    kind: str
    filing_type: str
    layer: str | None
    filer: str
    lrn: str
    versions: list[VersionOut]


class EventOut(BaseModel):
    id: int
    consignment_id: int
    filing_version_id: int
    reason: str
    created_at: UtcDatetime


class ConsignmentOut(BaseModel):
    id: int
    reference: str
    created_at: UtcDatetime
    members: list[MemberOut]
    events: list[EventOut]


class ConsignmentSummary(BaseModel):
    id: int
    reference: str
    created_at: UtcDatetime


class ConsignmentPage(BaseModel):
    items: list[ConsignmentSummary]
    next_after: int | None


@router.get("/consignments", response_model=ConsignmentPage)
def list_consignments(
    actor: CurrentActor,
    session: SessionDep,
    after: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=1000),
) -> ConsignmentPage:
    items, nxt = service.list_consignments(session, actor, after=after, limit=limit)
    return ConsignmentPage(
        items=[
            ConsignmentSummary(id=c.id, reference=c.reference, created_at=c.created_at)
            for c in items
        ],
        next_after=nxt,
    )


@router.get("/consignments/{consignment_id}", response_model=ConsignmentOut)
def get_consignment(
    consignment_id: int, actor: CurrentActor, session: SessionDep
) -> ConsignmentOut:
    """All filings and messages of one consignment, each with its full version history."""
    view = service.get_consignment(session, actor, consignment_id)
    return ConsignmentOut(
        id=view.consignment.id,
        reference=view.consignment.reference,
        created_at=view.consignment.created_at,
        members=[
            MemberOut(
                role=m.role,
                filing_id=m.filing.id,
                kind=m.filing.kind,
                filing_type=m.filing.filing_type,
                layer=m.filing.layer,
                filer=m.filing.filer,
                lrn=m.filing.lrn,
                versions=[
                    VersionOut(
                        version=v.version, received_at=v.received_at, quality_score=v.quality_score
                    )
                    for v in m.versions
                ],
            )
            for m in view.members
        ],
        events=[_event(e) for e in view.events],
    )


def _event(e: object) -> EventOut:
    return EventOut.model_validate(e, from_attributes=True)


@router.get("/events", response_model=list[EventOut])
def events(
    actor: CurrentActor,
    session: SessionDep,
    consumer: str = Query(..., pattern=r"^[a-z][a-z0-9_-]{0,49}$"),
    limit: int = Query(1000, ge=1, le=10000),
    ack: int | None = Query(None, ge=0),
) -> list[EventOut]:
    """Consignment change events a consumer has not acknowledged yet (oldest first).

    Pass ``ack`` = the last event id you processed to move your cursor first."""
    actor.require(Permission.READ_FILINGS)
    key = f"{actor.authority_code or 'system'}:{consumer}"  # cursors are per authority
    if ack is not None:
        service.acknowledge(session, consumer=key, last_event_id=ack)
    visible = visible_authority_ids(session, actor)
    return [
        _event(e)
        for e in service.poll_events(session, consumer=key, limit=limit, authority_ids=visible)
    ]
