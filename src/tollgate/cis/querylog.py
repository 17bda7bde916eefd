"""Every CIS and FIDE query, recorded for the committee's lawfulness checks (CIS-47, CIS-49).

Sampling: each query is drawn with probability ``RATE`` (2%) from a cryptographic source,
so a user cannot time queries around it; and whenever fewer than 1% of the queries of the
last ``WINDOW`` were drawn, the next one is, so the 1% floor holds even on an unlucky run.
The records serve that oversight only: only the committee reads them, and they are deleted
six months after the query (``purge``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tollgate.audit.log import record
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor
from tollgate.cis.access import CisUser
from tollgate.cis.crypto import Vault
from tollgate.cis.tables import CisQuery, CisQueryCheck
from tollgate.errors import Conflict, NotFound, ValidationFailed

RATE_PER_MILLE = 20
FLOOR = 0.01
WINDOW = 200
KEEP = timedelta(days=183)  # six months (CIS-49)


def _now() -> datetime:
    return datetime.now(UTC)


def record_query(
    session: Session,
    vault: Vault,
    user: CisUser,
    *,
    kind: str,
    criteria: dict[str, Any],
    results: int,
    at: datetime | None = None,
    durable: bool = False,
) -> CisQuery:
    """Record one query (CIS-47); the criteria may name a person, so they are sealed.

    ``durable``: in a transaction of its own, committed at once, for a query whose request
    is about to fail (and roll back its own transaction)."""
    if durable:
        with Session(bind=session.get_bind()) as own, own.begin():
            return record_query(
                own, vault, user, kind=kind, criteria=criteria, results=results, at=at
            )
    sampled = secrets.randbelow(1000) < RATE_PER_MILLE or _below_floor(session)
    row = CisQuery(
        at=at or _now(),
        actor=user.actor.username,
        authority=user.authority.code,
        kind=kind,
        purpose=user.purpose,
        sealed_criteria=vault.seal(criteria),
        results=results,
        sampled=sampled,
    )
    session.add(row)
    session.flush()
    return row


def _below_floor(session: Session) -> bool:
    recent = select(CisQuery.sampled).order_by(CisQuery.id.desc()).limit(WINDOW - 1).subquery()
    total, drawn = session.execute(
        select(func.count(), func.count().filter(recent.c.sampled.is_(True)))
    ).one()
    # the query being recorded is the window's last: it is drawn if, without it, fewer
    # than 1% of the window would be
    return bool(drawn < FLOOR * (total + 1))


@dataclass(frozen=True, slots=True)
class QueryView:
    id: int
    at: datetime
    actor: str
    authority: str | None
    kind: str
    purpose: str | None
    criteria: dict[str, Any]
    results: int
    sampled: bool
    checked: bool | None


def review_queue(
    session: Session, vault: Vault, actor: Actor, *, after: int = 0, limit: int = 100
) -> list[QueryView]:
    """The sampled queries awaiting the committee's check, oldest first (CIS-49)."""
    actor.require(Permission.CIS_OVERSIGHT)
    rows = session.scalars(
        select(CisQuery)
        .outerjoin(CisQueryCheck, CisQueryCheck.query_id == CisQuery.id)
        .where(CisQuery.sampled.is_(True), CisQueryCheck.id.is_(None), CisQuery.id > after)
        .order_by(CisQuery.id)
        .limit(limit)
    )
    out = [_view(vault, q, None) for q in rows]
    record(
        session,
        actor=actor,
        action="cis_review_queue",
        object_type="cis_query",
        purpose="lawfulness check (CIS-49)",
        detail={"after": after, "returned": len(out)},
    )
    return out


def _view(vault: Vault, q: CisQuery, checked: bool | None) -> QueryView:
    return QueryView(
        q.id,
        q.at,
        q.actor,
        q.authority,
        q.kind,
        q.purpose,
        vault.open(q.sealed_criteria),
        q.results,
        q.sampled,
        checked,
    )


def check_query(
    session: Session, actor: Actor, query_id: int, *, lawful: bool, note: str | None
) -> CisQueryCheck:
    """The committee's finding on one sampled query (CIS-49)."""
    actor.require(Permission.CIS_OVERSIGHT)
    query = session.get(CisQuery, query_id, with_for_update=True)
    if query is None:
        raise NotFound(f"no CIS query {query_id}")
    if not query.sampled:
        raise ValidationFailed(f"CIS-49: query {query_id} was not sampled for review")
    if session.scalar(select(CisQueryCheck).where(CisQueryCheck.query_id == query_id)):
        raise Conflict(f"CIS-49: query {query_id} has been checked already")
    if not lawful and not (note or "").strip():
        raise ValidationFailed("CIS-49: a finding of unlawfulness says why (note)")
    check = CisQueryCheck(
        query_id=query_id, checked_at=_now(), checked_by=actor.username, lawful=lawful, note=note
    )
    session.add(check)
    session.flush()
    record(
        session,
        actor=actor,
        action="cis_check_query",
        object_type="cis_query",
        object_id=str(query_id),
        detail={"lawful": lawful},
    )
    return check


@dataclass(frozen=True, slots=True)
class Coverage:
    queries: int
    sampled: int
    checked: int

    @property
    def sampled_share(self) -> float:
        return self.sampled / self.queries if self.queries else 0.0


def coverage(session: Session, actor: Actor) -> Coverage:
    """How many queries there are, were sampled and were checked (CIS-49's 1%)."""
    actor.require(Permission.CIS_OVERSIGHT)
    total, sampled = session.execute(
        select(func.count(), func.count().filter(CisQuery.sampled.is_(True)))
    ).one()
    checked = session.scalar(select(func.count()).select_from(CisQueryCheck)) or 0
    return Coverage(int(total), int(sampled), int(checked))


def purge(session: Session, *, now: datetime | None = None) -> int:
    """Delete query records and their checks six months after the query (CIS-49)."""
    cutoff = (now or _now()) - KEEP
    old = select(CisQuery.id).where(CisQuery.at < cutoff)
    session.execute(delete(CisQueryCheck).where(CisQueryCheck.query_id.in_(old)))
    result = session.execute(delete(CisQuery).where(CisQuery.at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
