"""Indicators on demand: bring the history and monitoring stores up to date, compute the
authority's indicators for a period, and optionally its profiles' feedback for the report.

Who may read them: anyone who may read profiles (analysts, officers, coordinators) — the
figures are aggregates; the least compliant filers are traders' identifiers, not personal
data. An authority reads its own figures; the system operator names the authority.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor, acting_for
from tollgate.controls.feedback import evaluation_cycle, profile_performance
from tollgate.monitoring.indicators import Period, compute_indicators
from tollgate.monitoring.store import refresh_monitoring
from tollgate.periods import check_period
from tollgate.risk.history import History


@dataclass(frozen=True, slots=True)
class Monitoring:
    authority: str
    indicators: dict[str, Any]
    performance: list[dict[str, Any]]
    review: list[dict[str, Any]]


def monitoring(
    factory: sessionmaker[Session],
    history: History,
    actor: Actor,
    *,
    start: date,
    end: date,
    authority: str | None = None,
    with_feedback: bool = False,
) -> Monitoring:
    """The authority's indicators for ``start``..``end`` (and, with ``with_feedback``, the
    profiles' performance and review list), from freshly refreshed stores."""
    actor.require(Permission.READ_PROFILES)
    check_period(start, end)
    with factory() as session:
        owner = acting_for(session, actor, authority, "read the indicators of")
        code, owner_id = owner.code, owner.id
    history.refresh(factory)
    refresh_monitoring(history, factory)
    indicators = compute_indicators(history, Period(owner_id, start, end))
    performance: list[dict[str, Any]] = []
    review: list[dict[str, Any]] = []
    if with_feedback:
        with factory() as session:
            performance = [
                p.as_dict()
                for p in profile_performance(session, actor, start=start, end=end, authority=code)
            ]
            review = [
                i.as_dict()
                for i in evaluation_cycle(session, actor, start=start, end=end, authority=code)
            ]
    return Monitoring(code, indicators, performance, review)
