"""Append-only, hash-chained audit log: who, when, what, why.

Each entry's hash covers its content and its predecessor's hash; ``prev_hash`` is unique,
so two writers racing for the same tail cannot fork the chain (one fails and retries with
its transaction). Database triggers (migration 0001) refuse UPDATE, DELETE and TRUNCATE.
``verify`` recomputes the chain and names the first entry that does not fit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from tollgate.audit.tables import AuditEntry

if TYPE_CHECKING:
    from tollgate.authorities.service import Actor

GENESIS = "0" * 64


def _utc_naive(at: datetime) -> str:
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds")


def entry_hash(entry: AuditEntry) -> str:
    """The hash of an entry's content and its predecessor's hash: what the chain checks."""
    body = orjson.dumps(
        [
            entry.prev_hash,
            _utc_naive(entry.at),
            entry.actor,
            entry.authority,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.purpose,
            entry.detail,
        ],
        option=orjson.OPT_SORT_KEYS,
    )
    return hashlib.sha256(body).hexdigest()


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | None = None,
    purpose: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction: the write and its record commit together."""
    detail = detail or {}
    prev = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1))
    prev_hash = prev or GENESIS
    at = datetime.now(UTC)
    entry = AuditEntry(
        at=at,
        actor=actor.username,
        authority=actor.authority_code,
        action=action,
        object_type=object_type,
        object_id=object_id,
        purpose=purpose,
        detail=detail,
        prev_hash=prev_hash,
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True, slots=True)
class ChainReport:
    entries: int
    head: str
    broken_at: int | None
    reason: str | None

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify(session: Session) -> ChainReport:
    prev_hash = GENESIS
    count = 0
    for entry in _stream(session):
        count += 1
        if entry.prev_hash != prev_hash:
            return ChainReport(count, prev_hash, entry.seq, "an entry before it is missing")
        recomputed = entry_hash(entry)
        if recomputed != entry.hash:
            return ChainReport(count, prev_hash, entry.seq, "its content was altered")
        prev_hash = entry.hash
    return ChainReport(count, prev_hash, None, None)


def _stream(session: Session) -> Iterator[AuditEntry]:
    last = 0
    while True:
        page = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(1000)
        ).all()
        if not page:
            return
        yield from page
        last = page[-1].seq


def entries(
    session: Session,
    *,
    after: int = 0,
    limit: int = 100,
    action: str | None = None,
    object_id: str | None = None,
    authority: str | None = None,
) -> list[AuditEntry]:
    """Entries after ``after``; ``authority`` limits them to what that authority's users did."""
    query = select(AuditEntry).where(AuditEntry.seq > after)
    if authority:
        query = query.where(AuditEntry.authority == authority)
    if action:
        query = query.where(AuditEntry.action == action)
    if object_id:
        query = query.where(AuditEntry.object_id == object_id)
    return list(session.scalars(query.order_by(AuditEntry.seq).limit(limit)))
