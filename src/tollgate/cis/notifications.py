"""Durable notifications between CIS authorities: a row per recipient, readable until and
after acknowledgement, so "notify the supplier" is a fact one can query, not a log line.

Bodies carry no personal data: the recipient follows the alert reference, under its own
designation, to see more.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tollgate.cis.access import CisUser
from tollgate.cis.tables import CisDesignation, CisNotification
from tollgate.errors import NotFound


def notify(
    session: Session,
    recipient_id: int,
    kind: str,
    *,
    alert_id: int | None = None,
    body: dict[str, Any] | None = None,
) -> CisNotification:
    note = CisNotification(
        recipient_id=recipient_id,
        kind=kind,
        alert_id=alert_id,
        body=body or {},
        created_at=datetime.now(UTC),
    )
    session.add(note)
    session.flush()
    return note


def notify_all(
    session: Session,
    kind: str,
    *,
    alert_id: int | None,
    body: dict[str, Any],
    except_ids: Iterable[int] = (),
) -> int:
    """Notify every designated authority but ``except_ids`` ("the others", CIS-18/19)."""
    skip = set(except_ids)
    count = 0
    for aid in session.scalars(select(CisDesignation.authority_id)):
        if aid not in skip:
            notify(session, aid, kind, alert_id=alert_id, body=body)
            count += 1
    return count


def inbox(
    session: Session,
    user: CisUser,
    *,
    after: int = 0,
    limit: int = 100,
    unacknowledged: bool = False,
    kind: str | None = None,
) -> list[CisNotification]:
    query = select(CisNotification).where(
        CisNotification.recipient_id == user.authority.id, CisNotification.id > after
    )
    if unacknowledged:
        query = query.where(CisNotification.acknowledged_at.is_(None))
    if kind:
        query = query.where(CisNotification.kind == kind)
    return list(session.scalars(query.order_by(CisNotification.id).limit(limit)))


def acknowledge(session: Session, user: CisUser, note_id: int) -> CisNotification:
    note = session.get(CisNotification, note_id)
    if note is None or note.recipient_id != user.authority.id:
        raise NotFound(f"no notification {note_id} for {user.authority.code}")
    if note.acknowledged_at is None:
        note.acknowledged_at = datetime.now(UTC)
        note.acknowledged_by = user.actor.username
    return note
