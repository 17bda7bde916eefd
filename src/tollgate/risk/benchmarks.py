"""Unit-value benchmarks (RM-15): the median declared value per kg of the same goods (HS6)
from the same origin, over a period of the authority's own history.

Undervaluation shows as a price far below what everyone else declares for the same goods
and origin; a fixed threshold per chapter cannot see it, because a fair price for one
subheading is a fraud for the next. The median (with its quartiles, for the analyst) is
taken over goods items with a positive value and mass, and kept only where at least
``min_items`` items back it: a benchmark of three declarations would flag honest traders.
Assessment reads the newest set into ``facts.Context.benchmarks``, which makes
``item.benchmark_ratio`` (unit value over the median) available to profiles.

Computed set-at-a-time from the ``history`` store: one DuckDB aggregate over a year of
rows takes well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tollgate.audit.log import record
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor, acting_for
from tollgate.errors import ValidationFailed
from tollgate.periods import check_period, day_bounds
from tollgate.risk.history import AUTHORITY_ID, TABLE, History
from tollgate.risk.tables import UnitValueBenchmark

MIN_ITEMS = 20


@dataclass(frozen=True, slots=True)
class BenchmarkSet:
    authority: str
    version: int
    benchmarks: int
    items: int


def compute_benchmarks(
    session: Session,
    history: History,
    *,
    actor: Actor,
    start: date,
    end: date,
    authority: str | None = None,
    min_items: int = MIN_ITEMS,
) -> BenchmarkSet:
    """Compute a new benchmark set from the history of ``start``..``end`` (inclusive) and
    store it as the authority's next version (audited). Refresh ``history`` first."""
    actor.require(Permission.MANAGE_PROFILES)
    owner = acting_for(session, actor, authority, "compute the benchmarks of")
    check_period(start, end)
    if min_items < 5:
        raise ValidationFailed("a benchmark needs at least 5 items behind it")
    rows = _aggregate(history, owner.id, start, end, min_items)
    version = (
        session.scalar(
            select(func.max(UnitValueBenchmark.version)).where(
                UnitValueBenchmark.authority_id == owner.id
            )
        )
        or 0
    ) + 1
    now = datetime.now(UTC)
    session.add_all(
        UnitValueBenchmark(
            authority_id=owner.id,
            version=version,
            hs6=hs6,
            origin=origin,
            median=median,
            p25=p25,
            p75=p75,
            items=items,
            period_start=start,
            period_end=end,
            computed_by=actor.username,
            computed_at=now,
        )
        for hs6, origin, median, p25, p75, items in rows
    )
    session.flush()
    total = sum(r[5] for r in rows)
    record(
        session,
        actor=actor,
        action="benchmarks_computed",
        object_type="unit_value_benchmarks",
        object_id=f"{owner.code}/v{version}",
        detail={"start": str(start), "end": str(end), "benchmarks": len(rows), "items": total},
    )
    return BenchmarkSet(owner.code, version, len(rows), total)


def _aggregate(
    history: History, authority_id: int, start: date, end: date, min_items: int
) -> list[tuple[str, str, float, float, float, int]]:
    if not history.has_rows():
        return []
    lo, hi = day_bounds(start, end)
    with history.connection() as con:
        found = con.execute(
            f"""
            SELECT left("item.commodity_code", 6) AS hs6, "item.origin_country" AS origin,
                   median(v), quantile_cont(v, 0.25), quantile_cont(v, 0.75), count(*)
            FROM (
                SELECT "item.commodity_code", "item.origin_country",
                       "item.unit_value_per_kg" AS v
                FROM {TABLE}
                WHERE {AUTHORITY_ID} = ? AND lodged_at >= ? AND lodged_at < ?
                  AND length("item.commodity_code") >= 6 AND "item.origin_country" IS NOT NULL
                  AND "item.unit_value_per_kg" > 0
            )
            GROUP BY 1, 2 HAVING count(*) >= ? ORDER BY 1, 2
            """,  # noqa: S608 -- constants
            [authority_id, lo, hi, min_items],
        ).fetchall()
    return [(h, o, float(m), float(a), float(b), int(n)) for h, o, m, a, b, n in found]


def benchmarks_for(session: Session, authority_id: int) -> dict[tuple[str, str], float]:
    """The newest set of an authority as ``facts.Context.benchmarks`` wants it."""
    newest = select(func.max(UnitValueBenchmark.version)).where(
        UnitValueBenchmark.authority_id == authority_id
    )
    rows = session.execute(
        select(UnitValueBenchmark.hs6, UnitValueBenchmark.origin, UnitValueBenchmark.median).where(
            UnitValueBenchmark.authority_id == authority_id,
            UnitValueBenchmark.version == newest.scalar_subquery(),
        )
    )
    return {(hs6, origin): median for hs6, origin, median in rows}
