"""Unit-value benchmarks (RM-15): what the same goods from the same origin are usually
declared at, over a rolling window of the authority's own history.

Undervaluation shows as a price far below what everyone else declares for the same goods
and origin; a fixed threshold per chapter cannot see it, because a fair price for one
subheading is a fraud for the next. So each group of goods gets robust statistics of its
unit values — per kg, and per supplementary unit where one is declared:

- the median unit value (with its quartiles, for the analyst), for
  ``item.benchmark_ratio``;
- the median and the median absolute deviation (MAD) of the natural logarithm, for
  ``item.unit_value_deviation``. Prices spread multiplicatively (a cheap and a dear
  brand differ by a factor, not by an amount), so their logarithm is closer to
  symmetric; and the median and MAD are barely moved by the very outliers the benchmark
  is there to find, where a mean and standard deviation would be dragged towards them.

A group is kept only where at least ``min_items`` goods items back it: a benchmark of
three declarations would flag honest traders. Goods whose own group is too small fall
back to a wider one (``facts.LEVELS``: HS6 and origin, HS6, heading and origin, heading,
chapter and origin, chapter), and every declaration records which level it was measured
against (``item.benchmark_level``). A wide group spreads wider, so its MAD is larger and
only gross outliers stand out against it: the fallback widens the comparison without
making it trigger-happy.

The window defaults to the 365 days up to the as-of date (``WINDOW_DAYS``): a year holds
every season of seasonal goods (fruit, garments) once, so none is over- or
under-weighted, and older prices have drifted with inflation and exchange rates. An
explicit ``start``/``end`` still gives a fixed period. The items of the window are
compared with a benchmark they are part of; with ``min_items`` of them behind it and
robust statistics, one item moves it little.

Computed set-at-a-time from the ``history`` store: one DuckDB aggregate per level and
measure, about 9 s for a year of a million goods items on two busy cores. Assessment
reads the newest set into ``facts.Context.benchmarks``; the history store's rows get
their benchmark facts from it as soon as it is computed (``History.apply_benchmarks``,
which a back-test repeats for the rows stored since).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tollgate.audit.log import record
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor, acting_for
from tollgate.errors import ValidationFailed
from tollgate.periods import MAX_DAYS, check_period, day_bounds
from tollgate.risk.facts import LEVELS, PER_KG, PER_UNIT, Benchmark, Benchmarks
from tollgate.risk.history import AUTHORITY_ID, TABLE, History
from tollgate.risk.tables import UnitValueBenchmark

__all__ = [
    "MIN_ITEMS",
    "SMALLEST_MIN_ITEMS",
    "WINDOW_DAYS",
    "BenchmarkSet",
    "benchmarks_for",
    "compute_benchmarks",
    "window",
]

#: goods items a benchmark needs behind it (the default, and the floor below which a
#: median and MAD say more about the few traders than about the goods)
MIN_ITEMS = 20
SMALLEST_MIN_ITEMS = 5
#: the rolling window, in days up to and including the as-of date
WINDOW_DAYS = 365
#: the fact column each measure is computed from
_COLUMNS = {PER_KG: '"item.unit_value_per_kg"', PER_UNIT: '"item.unit_value_per_unit"'}


@dataclass(frozen=True, slots=True)
class BenchmarkSet:
    authority: str
    version: int
    #: benchmarks stored, and goods items with a value per kg in the window
    benchmarks: int
    items: int
    start: date | None = None
    end: date | None = None
    #: benchmarks per ``per/level`` (``kg/hs6_origin``, ``unit/hs4``, ...)
    levels: dict[str, int] = field(default_factory=dict)


def window(
    *,
    start: date | None = None,
    end: date | None = None,
    as_of: date | None = None,
    window_days: int | None = None,
) -> tuple[date, date]:
    """The days a set is computed from: ``start``..``end`` when given, else the
    ``window_days`` (default ``WINDOW_DAYS``) up to and including ``as_of`` (default
    today, UTC)."""
    if (start is None) != (end is None):
        raise ValidationFailed("give both the first and the last day of the period, or neither")
    if start is not None and end is not None:
        if as_of is not None or window_days is not None:
            raise ValidationFailed("give a period or a window (as-of date and days), not both")
        check_period(start, end)
        return start, end
    days = WINDOW_DAYS if window_days is None else window_days
    if days < 1:
        raise ValidationFailed(f"a window covers at least 1 day, not {days}")
    if days > MAX_DAYS:
        raise ValidationFailed(f"a window covers at most {MAX_DAYS} days, not {days}")
    last = as_of or datetime.now(UTC).date()
    return last - timedelta(days=days - 1), last


def compute_benchmarks(
    session: Session,
    history: History,
    *,
    actor: Actor,
    start: date | None = None,
    end: date | None = None,
    as_of: date | None = None,
    window_days: int | None = None,
    authority: str | None = None,
    min_items: int = MIN_ITEMS,
) -> BenchmarkSet:
    """Compute a new benchmark set from the history of ``window(...)`` and store it as
    the authority's next version (audited). Refresh ``history`` first."""
    actor.require(Permission.MANAGE_PROFILES)
    owner = acting_for(session, actor, authority, "compute the benchmarks of")
    first, last = window(start=start, end=end, as_of=as_of, window_days=window_days)
    if min_items < SMALLEST_MIN_ITEMS:
        raise ValidationFailed(
            f"a benchmark needs at least {SMALLEST_MIN_ITEMS} items behind it, not {min_items}"
        )
    rows, items = _aggregate(history, owner.id, first, last, min_items)
    version = (
        session.scalar(
            select(func.max(UnitValueBenchmark.version)).where(
                UnitValueBenchmark.authority_id == owner.id
            )
        )
        or 0
    ) + 1
    now = datetime.now(UTC)
    stored = [
        UnitValueBenchmark(
            authority_id=owner.id,
            version=version,
            per=per,
            code=code,
            origin=origin,
            median=median,
            p25=p25,
            p75=p75,
            log_median=log_median,
            log_mad=log_mad,
            items=n,
            period_start=first,
            period_end=last,
            computed_by=actor.username,
            computed_at=now,
        )
        for per, code, origin, median, p25, p75, log_median, log_mad, n in rows
    ]
    session.add_all(stored)
    session.flush()
    # the stored rows' benchmark facts now, in this batch job, rather than in the next
    # interactive back-test (about 20 s a million rows); the back-test still checks
    history.apply_benchmarks(owner.id, _as_benchmarks(stored))
    levels = dict(sorted(Counter(f"{b.per}/{b.level}" for b in stored).items()))
    record(
        session,
        actor=actor,
        action="benchmarks_computed",
        object_type="unit_value_benchmarks",
        object_id=f"{owner.code}/v{version}",
        detail={
            "start": str(first),
            "end": str(last),
            "window_days": (last - first).days + 1,
            "min_items": min_items,
            "benchmarks": len(stored),
            "items": items,
            "levels": levels,
        },
    )
    return BenchmarkSet(owner.code, version, len(stored), items, first, last, levels)


_Row = tuple[str, str, str | None, float, float, float, float, float, int]


def _aggregate(
    history: History, authority_id: int, start: date, end: date, min_items: int
) -> tuple[list[_Row], int]:
    """Every group of every level with ``min_items`` positive unit values, per measure,
    and the number of items with a value per kg.

    The median and quartiles are taken of the logarithms and turned back into unit values
    (the same middle values: with an even count, the geometric rather than the arithmetic
    mean of the middle pair), which spares a second sort of every group — a third of the
    time over a million rows — and keeps ``item.benchmark_ratio`` and the deviation in
    step: the ratio is ``exp(deviation × spread)``."""
    if not history.has_rows():
        return [], 0
    lo, hi = day_bounds(start, end)
    out: list[_Row] = []
    items = 0
    with history.connection() as con:
        for per, column in _COLUMNS.items():
            con.execute(
                "CREATE OR REPLACE TEMP TABLE tollgate_unit_values AS SELECT "  # noqa: S608 -- constants
                + ", ".join(
                    f'CASE WHEN length("item.commodity_code") >= {digits} '
                    f'THEN left("item.commodity_code", {digits}) END AS hs{digits}'
                    for digits in sorted({d for _, d, _ in LEVELS})
                )
                + f', "item.origin_country" AS origin, ln({column}) AS lv FROM {TABLE} '
                f"WHERE {AUTHORITY_ID} = {int(authority_id)} "
                f"AND lodged_at >= '{lo.isoformat()}'::TIMESTAMPTZ "
                f"AND lodged_at < '{hi.isoformat()}'::TIMESTAMPTZ AND {column} > 0"
            )
            levels = " UNION ALL ".join(
                f"SELECT hs{digits}, {'origin' if by_origin else 'NULL'}, "  # noqa: S608 -- constants
                "quantile_cont(lv, [0.25, 0.5, 0.75]), mad(lv), count(*) "
                f"FROM tollgate_unit_values WHERE hs{digits} IS NOT NULL"
                + (" AND origin IS NOT NULL" if by_origin else "")
                + " GROUP BY 1, 2 HAVING count(*) >= $min_items"
                for _, digits, by_origin in LEVELS
            )
            found = con.execute(levels + " ORDER BY 1, 2", {"min_items": min_items}).fetchall()
            out += [
                (per, c, o, math.exp(q2), math.exp(q1), math.exp(q3), float(q2), float(mad), int(n))
                for c, o, (q1, q2, q3), mad, n in found
            ]
            if per == PER_KG:
                ((items,),) = con.execute(
                    "SELECT count(*) FROM tollgate_unit_values WHERE hs2 IS NOT NULL"
                ).fetchall()
        con.execute("DROP TABLE IF EXISTS tollgate_unit_values")
    return out, int(items)


def benchmarks_for(session: Session, authority_id: int) -> Benchmarks:
    """The newest set of an authority as ``facts.Context.benchmarks`` wants it."""
    newest = select(func.max(UnitValueBenchmark.version)).where(
        UnitValueBenchmark.authority_id == authority_id
    )
    rows = session.scalars(
        select(UnitValueBenchmark).where(
            UnitValueBenchmark.authority_id == authority_id,
            UnitValueBenchmark.version == newest.scalar_subquery(),
        )
    ).all()
    return _as_benchmarks(rows)


def _as_benchmarks(rows: Sequence[UnitValueBenchmark]) -> Benchmarks:
    if not rows:
        return Benchmarks()
    first = rows[0]
    # the version and when it was computed: a database rebuilt beside an old history store
    # reuses version numbers, never the instant (read back naive from SQLite, aware from
    # PostgreSQL, hence the normalising)
    computed = first.computed_at
    if computed.tzinfo is not None:
        computed = computed.astimezone(UTC).replace(tzinfo=None)
    return Benchmarks(
        f"v{first.version}@{computed.isoformat()}",
        {
            (r.per, r.code, r.origin): Benchmark(r.median, r.log_median, r.log_mad, r.items)
            for r in rows
        },
    )
