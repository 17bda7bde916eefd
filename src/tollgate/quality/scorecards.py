"""Filer scorecards (DQ-7, RM-3): who files the poorest data, on what, and is it improving?

Computed in SQL over the versions received in a period, so a scorecard over millions of
filings is a few grouped queries rather than a scan in Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, distinct, func, select
from sqlalchemy.orm import Session

from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor, visible_authority_ids
from tollgate.declarations.tables import FilingRecord, FilingVersion
from tollgate.intake.tables import Rejection
from tollgate.quality.tables import QualityFinding


@dataclass(slots=True)
class Scorecard:
    filer: str
    filings: int
    mean_score: float
    share_with_findings: float
    rejected_records: int
    finding_shares: dict[str, float] = field(default_factory=dict)  # "DQ-3/vague_..." -> share
    weekly_mean_score: list[tuple[str, float]] = field(default_factory=list)
    rank: int = 0

    @property
    def trend(self) -> float | None:
        """Change of the weekly mean score from the first to the last week of the period."""
        if len(self.weekly_mean_score) < 2:
            return None
        return round(self.weekly_mean_score[-1][1] - self.weekly_mean_score[0][1], 2)


@dataclass(slots=True)
class QualitySummary:
    filings: int
    mean_score: float
    by_finding: list[tuple[str, str, str, int]]  # rule, code, severity, versions


def _week(session: Session, column: Any) -> ColumnElement[str]:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, 'IYYY-"W"IW')
    return func.strftime("%Y-W%W", column)


def _scope(
    session: Session, actor: Actor, received_from: datetime, received_to: datetime
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        FilingVersion.received_at >= received_from,
        FilingVersion.received_at < received_to,
    ]
    visible = visible_authority_ids(session, actor)
    if visible is not None:
        conditions.append(FilingRecord.authority_id.in_(sorted(visible)))
    return conditions


def scorecards(
    session: Session,
    actor: Actor,
    *,
    received_from: datetime,
    received_to: datetime,
    limit: int = 50,
    offset: int = 0,
    filer: str | None = None,
) -> tuple[list[Scorecard], int]:
    """Scorecards ranked worst first (lowest mean score); returns (page, total filers)."""
    actor.require(Permission.READ_QUALITY)
    scope = _scope(session, actor, received_from, received_to)
    if filer:
        scope.append(FilingRecord.filer == filer)
    base = (
        select(
            FilingRecord.filer,
            func.count(FilingVersion.id),
            func.avg(FilingVersion.quality_score),
            func.sum(case((FilingVersion.quality_score < 100, 1), else_=0)),
        )
        .join(FilingRecord, FilingRecord.id == FilingVersion.filing_id)
        .where(*scope)
        .group_by(FilingRecord.filer)
    )
    rows = session.execute(base).all()
    ranked = sorted(rows, key=lambda r: (float(r[2]), r[0]))
    total = len(ranked)
    page = ranked[offset : offset + limit]
    filers = [r[0] for r in page]
    cards = {
        r[0]: Scorecard(
            filer=r[0],
            filings=int(r[1]),
            mean_score=round(float(r[2]), 2),
            share_with_findings=round(int(r[3] or 0) / int(r[1]), 4),
            rejected_records=0,
            rank=offset + i + 1,
        )
        for i, r in enumerate(page)
    }
    if not filers:
        return [], total
    scope_page = [*scope, FilingRecord.filer.in_(filers)]
    for f, rule, code, n in session.execute(
        select(
            FilingRecord.filer,
            QualityFinding.rule,
            QualityFinding.code,
            func.count(distinct(QualityFinding.filing_version_id)),
        )
        .join(FilingVersion, FilingVersion.id == QualityFinding.filing_version_id)
        .join(FilingRecord, FilingRecord.id == FilingVersion.filing_id)
        .where(*scope_page)
        .group_by(FilingRecord.filer, QualityFinding.rule, QualityFinding.code)
    ):
        cards[f].finding_shares[f"{rule}/{code}"] = round(int(n) / cards[f].filings, 4)
    week = _week(session, FilingVersion.received_at)
    weekly: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for f, w, avg in session.execute(
        select(FilingRecord.filer, week, func.avg(FilingVersion.quality_score))
        .join(FilingRecord, FilingRecord.id == FilingVersion.filing_id)
        .where(*scope_page)
        .group_by(FilingRecord.filer, week)
        .order_by(FilingRecord.filer, week)
    ):
        weekly[f].append((str(w), round(float(avg), 2)))
    for rejected_filer, n in session.execute(
        select(Rejection.filer, func.count(distinct(Rejection.position)))
        .where(
            Rejection.filer.in_(filers),
            Rejection.received_at >= received_from,
            Rejection.received_at < received_to,
        )
        .group_by(Rejection.filer)
    ):
        if rejected_filer is not None:
            cards[rejected_filer].rejected_records = int(n)
    for f, card in cards.items():
        card.weekly_mean_score = weekly.get(f, [])
    return [cards[f] for f in filers], total


def summary(
    session: Session, actor: Actor, *, received_from: datetime, received_to: datetime
) -> QualitySummary:
    actor.require(Permission.READ_QUALITY)
    scope = _scope(session, actor, received_from, received_to)
    n, mean = session.execute(
        select(func.count(FilingVersion.id), func.avg(FilingVersion.quality_score))
        .join(FilingRecord, FilingRecord.id == FilingVersion.filing_id)
        .where(*scope)
    ).one()
    rows = session.execute(
        select(
            QualityFinding.rule,
            QualityFinding.code,
            QualityFinding.severity,
            func.count(distinct(QualityFinding.filing_version_id)),
        )
        .join(FilingVersion, FilingVersion.id == QualityFinding.filing_version_id)
        .join(FilingRecord, FilingRecord.id == FilingVersion.filing_id)
        .where(*scope)
        .group_by(QualityFinding.rule, QualityFinding.code, QualityFinding.severity)
        .order_by(
            QualityFinding.rule, func.count(distinct(QualityFinding.filing_version_id)).desc()
        )
    ).all()
    return QualitySummary(
        filings=int(n or 0),
        mean_score=round(float(mean or 0), 2),
        by_finding=[(r, c, s, int(k)) for r, c, s, k in rows],
    )


def find_findings(
    session: Session,
    actor: Actor,
    *,
    rule: str | None = None,
    code: str | None = None,
    filer: str | None = None,
    after: int = 0,
    limit: int = 100,
) -> list[tuple[QualityFinding, FilingRecord, int]]:
    """Stored findings, newest filings included, filtered; keyset-paginated on finding id."""
    actor.require(Permission.READ_QUALITY)
    query = (
        select(QualityFinding, FilingRecord, FilingVersion.version)
        .join(FilingVersion, FilingVersion.id == QualityFinding.filing_version_id)
        .join(FilingRecord, FilingRecord.id == FilingVersion.filing_id)
        .where(QualityFinding.id > after)
    )
    visible = visible_authority_ids(session, actor)
    if visible is not None:
        query = query.where(FilingRecord.authority_id.in_(sorted(visible)))
    if rule:
        query = query.where(QualityFinding.rule == rule)
    if code:
        query = query.where(QualityFinding.code == code)
    if filer:
        query = query.where(FilingRecord.filer == filer)
    rows = session.execute(query.order_by(QualityFinding.id).limit(max(1, min(limit, 1000))))
    return [(q, f, int(v)) for q, f, v in rows]
