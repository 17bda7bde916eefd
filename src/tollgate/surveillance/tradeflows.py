"""Trade-flow surveillance (RM-16): where imports moved between origins for a code, or
between neighbouring codes of a heading, from a baseline window to a recent one.

An anti-dumping duty on one origin is often answered by shipping the same goods through
a third country (the code's imports from the taxed origin fall, another origin's rise),
or by declaring them under a neighbouring subheading with a lower rate (the heading's
imports move from one subheading to the next). Neither shows in a single declaration;
both show in the aggregates. The analyst gets a ranked list of such shifts with the
figures behind each, and decides which deserve a profile or an enquiry.

Strategic analysis works on anonymised data only (CIS-45). The figures are aggregates of
cells — one period × one code × one origin, split at the window boundaries — and a cell
is *suppressed* when fewer than ``min_traders`` distinct traders back it or when one of
them accounts for more than ``dominance`` of its value, net mass or goods items: such a
cell would show one trader's business. A suppressed cell is left out of every output,
totals and shares included, and every figure shown is a sum of cells that passed; so no
two outputs can be subtracted to recover a suppressed one, and every sum still has at
least ``min_traders`` traders with none above ``dominance`` of it. Only the number of
suppressed cells is reported. The caller may tighten the rule, never loosen it.

The evidence is a G-test of independence (parts × windows) on declaration counts, the
closest to independent events the data hold, with Williams' correction, parts with
fewer than five declarations pooled, and Benjamini–Hochberg q-values over every code and
heading tested. The size of the shift is the share of the chosen measure (value by
default) that moved between parts: half the sum of the absolute share changes. A shift
is reported when its q-value is at most ``alpha`` and at least ``min_shift`` of the
volume moved; the list is ranked by evidence (−log10 p), then by the share moved.

Only customs declarations (kind ``import``) are read: an entry summary describes the same
goods again and would count them twice.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal, get_args

from sqlalchemy.orm import Session

from tollgate.audit.log import record
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor, acting_for
from tollgate.errors import ValidationFailed
from tollgate.periods import check_period, day_bounds
from tollgate.risk.fact_table import DECLARATION_ID
from tollgate.risk.history import AUTHORITY_ID, TABLE, History
from tollgate.surveillance.significance import benjamini_hochberg, g_test

__all__ = [
    "ALPHA",
    "DOMINANCE",
    "MIN_DECLARATIONS",
    "MIN_SHIFT",
    "MIN_TRADERS",
    "Figures",
    "Finding",
    "Level",
    "Measure",
    "Part",
    "PeriodUnit",
    "TradeFlows",
    "Window",
    "trade_flows",
    "window_of",
]

Level = Literal["hs4", "hs6", "cn8"]
PeriodUnit = Literal["month", "week"]
Measure = Literal["value", "net_mass", "items", "declarations"]
Kind = Literal["origin_shift", "code_shift"]

DIGITS: dict[str, int] = {"hs4": 4, "hs6": 6, "cn8": 8}
#: the anonymity floor (CIS-45): a caller may ask for more traders or less dominance
MIN_TRADERS = 3
DOMINANCE = 0.85
#: what is reported: a q-value at most ALPHA and at least MIN_SHIFT of the volume moved
ALPHA = 0.01
MIN_SHIFT = 0.10
#: a code is tested when each window holds at least this many declarations of it
MIN_DECLARATIONS = 20
#: parts with fewer declarations over both windows are pooled for the test
_POOL_BELOW = 5
_POOLED = "(pooled)"
_BASELINE, _RECENT, _BETWEEN = "baseline", "recent", "between"


@dataclass(frozen=True, slots=True)
class Window:
    """Whole days, ``start`` and ``end`` included, in UTC."""

    start: date
    end: date

    def __str__(self) -> str:
        return f"{self.start}..{self.end}"

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def window_of(name: str, start: date | None, end: date | None) -> Window | None:
    """A window from optional bounds: both, or neither (the default is then used)."""
    if start is None and end is None:
        return None
    if start is None or end is None:
        raise ValidationFailed(f"give both {name}_start and {name}_end, or neither")
    return Window(start, end)


@dataclass(frozen=True, slots=True)
class Figures:
    """One part's aggregate in one window: sums over cells that passed the anonymity
    rule; ``traders`` counts distinct traders over those cells."""

    declarations: int = 0
    items: int = 0
    net_mass: float = 0.0
    value: float = 0.0
    traders: int = 0

    def measure(self, name: Measure) -> float:
        return float(getattr(self, name))

    def as_dict(self, *, traders: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "declarations": self.declarations,
            "items": self.items,
            "net_mass": round(self.net_mass, 3),
            "value": round(self.value, 2),
        }
        if traders:
            out["traders"] = self.traders
        return out


@dataclass(frozen=True, slots=True)
class Part:
    """An origin of a code, or a code of a heading, in both windows."""

    key: str
    baseline: Figures
    recent: Figures
    baseline_share: float
    recent_share: float

    @property
    def change(self) -> float:
        return self.recent_share - self.baseline_share

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "baseline": self.baseline.as_dict(),
            "recent": self.recent.as_dict(),
            "baseline_share": round(self.baseline_share, 6),
            "recent_share": round(self.recent_share, 6),
            "change": round(self.change, 6),
        }


@dataclass(slots=True)
class Finding:
    """A shift: the origins of ``code`` (``origin_shift``), or the codes of the heading
    ``code`` (``code_shift``), shared the volume differently in the recent window."""

    kind: Kind
    code: str
    #: what the shares are of
    measure: Measure
    parts: list[Part]
    statistic: float
    df: int
    log_p: float
    share_moved: float
    q_value: float = 1.0
    rank: int = 0
    #: the measure per period and part over the whole span, for the chart
    series: list[tuple[date, str, float]] = field(default_factory=list)

    @property
    def p_value(self) -> float:
        return math.exp(self.log_p)

    @property
    def evidence(self) -> float:
        """−log10 p: finite where p itself underflows."""
        return -self.log_p / math.log(10)

    @property
    def baseline_total(self) -> Figures:
        return _totals(p.baseline for p in self.parts)

    @property
    def recent_total(self) -> Figures:
        return _totals(p.recent for p in self.parts)

    @property
    def lost(self) -> list[Part]:
        return sorted((p for p in self.parts if p.change < 0), key=lambda p: p.change)

    @property
    def gained(self) -> list[Part]:
        return sorted((p for p in self.parts if p.change > 0), key=lambda p: -p.change)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "kind": self.kind,
            "code": self.code,
            "measure": self.measure,
            "share_moved": round(self.share_moved, 6),
            "evidence": round(self.evidence, 3),
            "g": round(self.statistic, 3),
            "df": self.df,
            "p_value": self.p_value,
            "q_value": self.q_value,
            "lost": [{"key": p.key, "change": round(p.change, 6)} for p in self.lost],
            "gained": [{"key": p.key, "change": round(p.change, 6)} for p in self.gained],
            "baseline": self.baseline_total.as_dict(traders=False),
            "recent": self.recent_total.as_dict(traders=False),
            "parts": [p.as_dict() for p in self.parts],
        }


def _totals(figures: Iterable[Figures]) -> Figures:
    """Sums over parts; not traders, since one trader can be in several parts."""
    out = Figures()
    for f in figures:
        out = Figures(
            out.declarations + f.declarations,
            out.items + f.items,
            out.net_mass + f.net_mass,
            out.value + f.value,
        )
    return out


@dataclass(slots=True)
class TradeFlows:
    authority: str
    baseline: Window
    recent: Window
    level: Level
    period: PeriodUnit
    measure: Measure
    min_traders: int
    dominance: float
    alpha: float
    min_shift: float
    #: cells shown, and suppressed by reason (``few_traders``, ``dominated``)
    cells: int
    suppressed: dict[str, int]
    #: codes and headings with enough declarations to be tested
    tested: int
    findings: list[Finding]
    seconds: float

    def page(self, offset: int = 0, limit: int | None = None) -> list[Finding]:
        end = None if limit is None else offset + limit
        return self.findings[offset:end]

    def as_dict(self, offset: int = 0, limit: int | None = None) -> dict[str, Any]:
        return {
            "authority": self.authority,
            "baseline": self.baseline.as_dict(),
            "recent": self.recent.as_dict(),
            "level": self.level,
            "period": self.period,
            "measure": self.measure,
            "anonymity": {
                "min_traders": self.min_traders,
                "dominance": self.dominance,
                "cells_shown": self.cells,
                "cells_suppressed": self.suppressed,
            },
            "alpha": self.alpha,
            "min_shift": self.min_shift,
            "tested": self.tested,
            "total": len(self.findings),
            "offset": offset,
            "limit": limit,
            "findings": [f.as_dict() for f in self.page(offset, limit)],
            "seconds": round(self.seconds, 3),
        }


def trade_flows(
    session: Session,
    history: History,
    *,
    actor: Actor,
    baseline: Window | None = None,
    recent: Window | None = None,
    level: Level = "hs6",
    period: PeriodUnit = "month",
    measure: Measure = "value",
    authority: str | None = None,
    min_traders: int = MIN_TRADERS,
    dominance: float = DOMINANCE,
    alpha: float = ALPHA,
    min_shift: float = MIN_SHIFT,
    min_declarations: int = MIN_DECLARATIONS,
) -> TradeFlows:
    """The ranked shifts of the authority's imports from ``baseline`` to ``recent``
    (audited). Without ``recent``: the three calendar months up to the newest import in
    the history; without ``baseline``: the twelve months before ``recent``. Refresh
    ``history`` first."""
    actor.require(Permission.ANALYSE_TRADE_FLOWS)
    began = time.perf_counter()
    owner = acting_for(session, actor, authority, "analyse the trade flows of")
    _check_options(level, period, measure, min_traders, dominance, alpha, min_shift)
    if min_declarations < 1:
        raise ValidationFailed("min_declarations must be at least 1")
    baseline, recent = _windows(history, owner.id, baseline, recent)
    data = _Data.read(
        history, owner.id, baseline, recent, DIGITS[level], period, min_traders, dominance
    )
    findings = _origin_shifts(data, measure, min_declarations)
    findings += _code_shifts(data, measure, min_declarations, DIGITS[level])
    tested = len(findings)
    for finding, q in zip(findings, benjamini_hochberg([f.log_p for f in findings]), strict=True):
        finding.q_value = q
    shown = sorted(
        (f for f in findings if f.q_value <= alpha and f.share_moved >= min_shift),
        key=lambda f: (f.log_p, -f.share_moved, f.kind, f.code),
    )
    for rank, finding in enumerate(shown, start=1):
        finding.rank = rank
        finding.series = data.series(finding)
    record(
        session,
        actor=actor,
        action="trade_flow_surveillance",
        object_type="trade_flows",
        object_id=f"{owner.code}/{baseline}/{recent}",
        detail={
            "level": level,
            "period": period,
            "measure": measure,
            "min_traders": min_traders,
            "dominance": dominance,
            "tested": tested,
            "findings": len(shown),
        },
    )
    return TradeFlows(
        authority=owner.code,
        baseline=baseline,
        recent=recent,
        level=level,
        period=period,
        measure=measure,
        min_traders=min_traders,
        dominance=dominance,
        alpha=alpha,
        min_shift=min_shift,
        cells=data.shown,
        suppressed=data.suppressed,
        tested=tested,
        findings=shown,
        seconds=time.perf_counter() - began,
    )


def _check_options(
    level: str,
    period: str,
    measure: str,
    min_traders: int,
    dominance: float,
    alpha: float,
    min_shift: float,
) -> None:
    for name, value, allowed in (
        ("level", level, get_args(Level)),
        ("period", period, get_args(PeriodUnit)),
        ("measure", measure, get_args(Measure)),
    ):
        if value not in allowed:
            raise ValidationFailed(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    if min_traders < MIN_TRADERS:
        raise ValidationFailed(
            f"every figure needs at least {MIN_TRADERS} traders behind it (CIS-45); "
            f"min_traders can be raised, not lowered to {min_traders}"
        )
    if not 0.5 <= dominance <= DOMINANCE:
        raise ValidationFailed(
            f"dominance must be between 0.5 and {DOMINANCE} (CIS-45), not {dominance}"
        )
    if not 0 < alpha < 1:
        raise ValidationFailed(f"alpha must be between 0 and 1 (exclusive), not {alpha}")
    if not 0 <= min_shift < 1:
        raise ValidationFailed(f"min_shift must be at least 0 and below 1, not {min_shift}")


def _months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day where it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    first_of_next = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return date(year, month + 1, min(day.day, (first_of_next - timedelta(days=1)).day))


def _windows(
    history: History, authority_id: int, baseline: Window | None, recent: Window | None
) -> tuple[Window, Window]:
    if recent is None:
        if baseline is not None:
            raise ValidationFailed(
                "a baseline needs a recent window to compare with: "
                "give recent_start and recent_end too"
            )
        anchor = _newest_import(history, authority_id) or date.today()
        recent = Window(_months_before(anchor.replace(day=1), 2), anchor)
    if baseline is None:
        baseline = Window(_months_before(recent.start, 12), recent.start - timedelta(days=1))
    for name, w in (("baseline", baseline), ("recent", recent)):
        if w.end < w.start:
            raise ValidationFailed(f"the {name} window ends ({w.end}) before it starts ({w.start})")
    if baseline.end >= recent.start:
        raise ValidationFailed(
            f"the baseline window ({baseline}) must end before the recent window "
            f"starts ({recent.start})"
        )
    check_period(baseline.start, recent.end)
    return baseline, recent


def _newest_import(history: History, authority_id: int) -> date | None:
    if not history.has_rows():
        return None
    with history.connection() as con:
        ((newest,),) = con.execute(
            f"SELECT CAST(timezone('UTC', max(lodged_at)) AS DATE) FROM {TABLE} "  # noqa: S608 -- constants
            f"WHERE {AUTHORITY_ID} = ? AND kind = 'import'",
            [authority_id],
        ).fetchall()
    return newest if isinstance(newest, date) else None


_ROWS = "tollgate_tradeflow_rows"
_CELLS = "tollgate_tradeflow_cells"


@dataclass(slots=True)
class _Data:
    """What the history holds for the span, already anonymised: the visible cells, and
    the window figures (with distinct traders) of every (code, origin) and code."""

    #: (period, window, code, origin) -> figures without traders
    cells: dict[tuple[date, str, str, str], Figures]
    #: (window, code, origin) -> figures
    by_origin: dict[tuple[str, str, str], Figures]
    #: (window, code) -> figures
    by_code: dict[tuple[str, str], Figures]
    shown: int
    suppressed: dict[str, int]
    #: parent code (heading of an HS6 code, ...) -> its cells, built for the charts
    _index: dict[str, list[tuple[date, str, str, Figures]]] | None = None
    #: every period of the span that holds a cell shown, in order
    _periods: list[date] = field(default_factory=list)

    @classmethod
    def read(
        cls,
        history: History,
        authority_id: int,
        baseline: Window,
        recent: Window,
        digits: int,
        period: PeriodUnit,
        min_traders: int,
        dominance: float,
    ) -> _Data:
        empty = cls({}, {}, {}, 0, {"few_traders": 0, "dominated": 0})
        if not history.has_rows():
            return empty
        lo, hi = day_bounds(baseline.start, recent.end)
        baseline_hi = day_bounds(baseline.start, baseline.end)[1]
        recent_lo = day_bounds(recent.start, recent.end)[0]
        with history.connection() as con:
            try:
                # ``period`` is one of two literals, checked before; everything else bound
                con.execute(
                    f"""
                    CREATE OR REPLACE TEMP TABLE {_ROWS} AS
                    SELECT CAST(date_trunc('{period}', timezone('UTC', lodged_at)) AS DATE)
                               AS period,
                           CASE WHEN lodged_at < ? THEN '{_BASELINE}'
                                WHEN lodged_at >= ? THEN '{_RECENT}'
                                ELSE '{_BETWEEN}' END AS win,
                           left("item.commodity_code", ?) AS code,
                           "item.origin_country" AS origin,
                           {DECLARATION_ID} AS declaration,
                           coalesce("trader.eori", '') AS trader,
                           coalesce("item.value", 0) AS value,
                           coalesce("item.net_mass", 0) AS mass
                    FROM {TABLE}
                    WHERE {AUTHORITY_ID} = ? AND kind = 'import'
                      AND lodged_at >= ? AND lodged_at < ?
                      AND length("item.commodity_code") >= ?
                      AND "item.origin_country" IS NOT NULL
                    """,  # noqa: S608 -- constants and a checked literal
                    [baseline_hi, recent_lo, digits, authority_id, lo, hi, digits],
                )
                con.execute(
                    f"""
                    CREATE OR REPLACE TEMP TABLE {_CELLS} AS
                    WITH per_trader AS (
                        SELECT period, win, code, origin, trader,
                               sum(value) AS value, sum(mass) AS mass, count(*) AS items
                        FROM {_ROWS} GROUP BY ALL
                    ), cells AS (
                        SELECT period, win, code, origin, count(*) AS traders,
                               sum(items) AS items, sum(mass) AS mass, sum(value) AS value,
                               greatest(
                                   coalesce(max(value) / nullif(sum(value), 0), 0),
                                   coalesce(max(mass) / nullif(sum(mass), 0), 0),
                                   max(items) / sum(items)
                               ) AS top_share
                        FROM per_trader GROUP BY ALL
                    ), declarations AS (
                        SELECT period, win, code, origin,
                               count(DISTINCT declaration) AS declarations
                        FROM {_ROWS} GROUP BY ALL
                    )
                    SELECT c.*, d.declarations,
                           CASE WHEN c.traders < ? THEN 'few_traders'
                                WHEN c.top_share > ? THEN 'dominated' END AS suppressed
                    FROM cells c JOIN declarations d USING (period, win, code, origin)
                    """,  # noqa: S608 -- constants
                    [min_traders, dominance],
                )
                counted = con.execute(
                    f"SELECT suppressed, count(*) FROM {_CELLS} GROUP BY ALL"  # noqa: S608 -- constants
                ).fetchall()
                cells = con.execute(
                    f"SELECT period, win, code, origin, declarations, items, mass, value "  # noqa: S608 -- constants
                    f"FROM {_CELLS} WHERE suppressed IS NULL"
                ).fetchall()
                visible = (
                    f"FROM {_ROWS} r JOIN {_CELLS} c USING (period, win, code, origin) "
                    f"WHERE c.suppressed IS NULL AND win <> '{_BETWEEN}'"
                )
                figures = (
                    "count(DISTINCT r.declaration), count(*), sum(r.mass), sum(r.value), "
                    "count(DISTINCT r.trader)"
                )
                by_origin = con.execute(
                    f"SELECT win, code, origin, {figures} {visible} GROUP BY ALL"
                ).fetchall()
                by_code = con.execute(
                    f"SELECT win, code, {figures} {visible} GROUP BY ALL"
                ).fetchall()
            finally:
                con.execute(f"DROP TABLE IF EXISTS {_ROWS}")
                con.execute(f"DROP TABLE IF EXISTS {_CELLS}")
        suppressed = dict(empty.suppressed)
        shown = 0
        for reason, n in counted:
            if reason is None:
                shown = int(n)
            else:
                suppressed[str(reason)] = int(n)
        return cls(
            cells={
                (p, w, c, o): Figures(int(d), int(i), float(m), float(v))
                for p, w, c, o, d, i, m, v in cells
            },
            by_origin={(w, c, o): _figures(rest) for w, c, o, *rest in by_origin},
            by_code={(w, c): _figures(rest) for w, c, *rest in by_code},
            shown=shown,
            suppressed=suppressed,
        )

    def series(self, finding: Finding) -> list[tuple[date, str, float]]:
        """The measure per period and part over the whole span, zero where nothing (or
        only suppressed cells) was found, so that a stacked chart has no holes."""
        if self._index is None:
            self._index = defaultdict(list)
            for (period, _, code, origin), figures in self.cells.items():
                self._index[code[:-2]].append((period, code, origin, figures))
            self._periods = sorted({period for period, _, _, _ in self.cells})
        origins = finding.kind == "origin_shift"
        keys = {p.key for p in finding.parts}
        sums: dict[tuple[date, str], float] = defaultdict(float)
        for period, code, origin, figures in self._index[
            finding.code[:-2] if origins else finding.code
        ]:
            if not origins:
                sums[(period, code)] += figures.measure(finding.measure)
            elif code == finding.code and origin in keys:
                sums[(period, origin)] += figures.measure(finding.measure)
        return [
            (period, key, sums.get((period, key), 0.0))
            for period in self._periods
            for key in sorted(keys)
        ]


def _figures(row: list[Any]) -> Figures:
    d, i, m, v, t = row
    return Figures(int(d), int(i), float(m or 0), float(v or 0), int(t))


def _finding(
    kind: Kind,
    code: str,
    figures: dict[str, tuple[Figures, Figures]],
    measure: Measure,
    min_declarations: int,
) -> Finding | None:
    """The test of one code's origins or one heading's codes, or None when there is too
    little to test: fewer than ``min_declarations`` in a window, or a single part."""
    if len(figures) < 2:
        return None
    base_total = sum(b.declarations for b, _ in figures.values())
    recent_total = sum(r.declarations for _, r in figures.values())
    if base_total < min_declarations or recent_total < min_declarations:
        return None
    table: list[list[float]] = []
    pooled = [0.0, 0.0]
    for b, r in figures.values():
        if b.declarations + r.declarations < _POOL_BELOW:
            pooled[0] += b.declarations
            pooled[1] += r.declarations
        else:
            table.append([b.declarations, r.declarations])
    if sum(pooled):
        table.append(pooled)
    g, df, log_p = g_test(table)
    if df == 0:
        return None
    base_volume = sum(b.measure(measure) for b, _ in figures.values())
    recent_volume = sum(r.measure(measure) for _, r in figures.values())
    parts = [
        Part(
            key,
            b,
            r,
            b.measure(measure) / base_volume if base_volume else 0.0,
            r.measure(measure) / recent_volume if recent_volume else 0.0,
        )
        for key, (b, r) in figures.items()
    ]
    parts.sort(key=lambda p: (p.change, p.key))
    moved = sum(abs(p.change) for p in parts) / 2
    return Finding(kind, code, measure, parts, g, df, log_p, moved)


def _origin_shifts(data: _Data, measure: Measure, min_declarations: int) -> list[Finding]:
    grouped: dict[str, dict[str, tuple[Figures, Figures]]] = defaultdict(dict)
    for _, code, origin in data.by_origin:
        grouped[code][origin] = (
            data.by_origin.get((_BASELINE, code, origin), Figures()),
            data.by_origin.get((_RECENT, code, origin), Figures()),
        )
    found = (
        _finding("origin_shift", code, parts, measure, min_declarations)
        for code, parts in sorted(grouped.items())
    )
    return [f for f in found if f is not None]


def _code_shifts(
    data: _Data, measure: Measure, min_declarations: int, digits: int
) -> list[Finding]:
    """Codes compared within their parent: HS6 within the heading (HS4), CN8 within the
    HS6 subheading, HS4 within the chapter."""
    grouped: dict[str, dict[str, tuple[Figures, Figures]]] = defaultdict(dict)
    for _, code in data.by_code:
        grouped[code[: digits - 2]][code] = (
            data.by_code.get((_BASELINE, code), Figures()),
            data.by_code.get((_RECENT, code), Figures()),
        )
    found = (
        _finding("code_shift", parent, parts, measure, min_declarations)
        for parent, parts in sorted(grouped.items())
    )
    return [f for f in found if f is not None]
