"""The consignment view (DM-4): its filings with every version, and its change events."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor, visible_authority_ids
from tollgate.consignments.tables import (
    Consignment,
    ConsignmentEvent,
    ConsignmentMember,
    EventCursor,
)
from tollgate.declarations.tables import FilingRecord, FilingVersion
from tollgate.errors import NotFound


@dataclass(frozen=True, slots=True)
class MemberView:
    role: str
    filing: FilingRecord
    versions: list[FilingVersion]


@dataclass(frozen=True, slots=True)
class ConsignmentView:
    consignment: Consignment
    members: list[MemberView]
    events: list[ConsignmentEvent]


def _visible(
    session: Session, actor: Actor, consignment: Consignment | None, cid: int
) -> Consignment:
    actor.require(Permission.READ_FILINGS)
    visible = visible_authority_ids(session, actor)
    if consignment is None or (visible is not None and consignment.authority_id not in visible):
        raise NotFound(f"no consignment {cid}")
    return consignment


def get_consignment(session: Session, actor: Actor, consignment_id: int) -> ConsignmentView:
    consignment = _visible(session, actor, session.get(Consignment, consignment_id), consignment_id)
    rows = session.execute(
        select(ConsignmentMember.role, FilingRecord)
        .join(FilingRecord, FilingRecord.id == ConsignmentMember.filing_id)
        .where(ConsignmentMember.consignment_id == consignment_id)
        .order_by(FilingRecord.first_received_at, FilingRecord.id)
    ).all()
    fids = [f.id for _, f in rows]
    by_filing: dict[int, list[FilingVersion]] = {fid: [] for fid in fids}
    if fids:
        for v in session.scalars(
            select(FilingVersion)
            .where(FilingVersion.filing_id.in_(fids))
            .order_by(FilingVersion.filing_id, FilingVersion.version)
        ):
            by_filing[v.filing_id].append(v)
    events = list(
        session.scalars(
            select(ConsignmentEvent)
            .where(ConsignmentEvent.consignment_id == consignment_id)
            .order_by(ConsignmentEvent.id)
        )
    )
    return ConsignmentView(
        consignment, [MemberView(role, f, by_filing[f.id]) for role, f in rows], events
    )


def consignments_of_filing(session: Session, filing_id: int) -> list[int]:
    return list(
        session.scalars(
            select(ConsignmentMember.consignment_id)
            .where(ConsignmentMember.filing_id == filing_id)
            .order_by(ConsignmentMember.consignment_id)
        )
    )


def list_consignments(
    session: Session, actor: Actor, *, after: int = 0, limit: int = 100
) -> tuple[list[Consignment], int | None]:
    actor.require(Permission.READ_FILINGS)
    limit = max(1, min(limit, 1000))
    query = select(Consignment).where(Consignment.id > after)
    visible = visible_authority_ids(session, actor)
    if visible is not None:
        query = query.where(Consignment.authority_id.in_(sorted(visible)))
    items = list(session.scalars(query.order_by(Consignment.id).limit(limit + 1)))
    more = len(items) > limit
    items = items[:limit]
    return items, (items[-1].id if more else None)


def poll_events(
    session: Session,
    *,
    consumer: str,
    limit: int = 1000,
    authority_ids: set[int] | None = None,
) -> list[ConsignmentEvent]:
    """The next events a consumer (e.g. the risk engine) has not acknowledged, oldest first,
    of the consignments owned by ``authority_ids`` (None: all)."""
    cursor = session.get(EventCursor, consumer)
    last = cursor.last_event_id if cursor else 0
    query = select(ConsignmentEvent).where(ConsignmentEvent.id > last)
    if authority_ids is not None:
        query = query.join(Consignment, Consignment.id == ConsignmentEvent.consignment_id).where(
            Consignment.authority_id.in_(sorted(authority_ids))
        )
    return list(session.scalars(query.order_by(ConsignmentEvent.id).limit(limit)))


def pending_events(session: Session, *, consumer: str, limit: int = 1000) -> list[tuple[int, int]]:
    """(event id, consignment id) pairs after the consumer's cursor: the light form of
    ``poll_events`` for consumers that only need to know what changed."""
    cursor = session.get(EventCursor, consumer)
    last = cursor.last_event_id if cursor else 0
    rows = session.execute(
        select(ConsignmentEvent.id, ConsignmentEvent.consignment_id)
        .where(ConsignmentEvent.id > last)
        .order_by(ConsignmentEvent.id)
        .limit(limit)
    )
    return [(int(e), int(c)) for e, c in rows]


def acknowledge(session: Session, *, consumer: str, last_event_id: int) -> None:
    cursor = session.get(EventCursor, consumer)
    if cursor is None:
        session.add(EventCursor(consumer=consumer, last_event_id=last_event_id))
    elif last_event_id > cursor.last_event_id:
        cursor.last_event_id = last_event_id
    session.flush()
