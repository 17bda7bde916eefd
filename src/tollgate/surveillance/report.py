"""The trade-flow report (RM-16): the ranked shifts as one HTML file, each with a chart of
the whole span and a table of the exact figures.

Made like the monitoring report, and with its renderer: one document that opens offline
and years later, CSS inline, charts rendered here from Vega-Lite to inline SVG, no
script, no link. The chart shows the shape of a shift (the measure stacked by part, and
the same as shares, with a rule where the recent window starts); the table beside it
holds the figures the test was run on, so a reader who cannot see the chart loses
nothing. Every figure in the file is an aggregate that passed the anonymity rule
(CIS-45): the report is computed from ``TradeFlows``, which holds nothing else.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup

from tollgate.charts import environment, svg
from tollgate.surveillance.tradeflows import Finding, TradeFlows

__all__ = ["MEASURE_LABELS", "finding_chart", "render_trade_flows"]

MEASURE_LABELS = {
    "value": "value (EUR)",
    "net_mass": "net mass (kg)",
    "items": "goods items",
    "declarations": "declarations",
}
#: parts drawn on their own; the rest of a finding's parts are drawn as one
_CHART_PARTS = 6
_OTHER = "other"


def _part_name(finding: Finding) -> str:
    return "origin" if finding.kind == "origin_shift" else "code"


def _title(finding: Finding) -> str:
    if finding.kind == "origin_shift":
        return f"Origins of {finding.code}"
    return f"Codes of {finding.code}"


def finding_chart(finding: Finding, result: TradeFlows) -> Markup | None:
    """The finding's measure per period, stacked by part, beside the same as shares; a
    dashed rule marks the start of the recent window."""
    if not finding.series:
        return None
    biggest = sorted(finding.parts, key=lambda p: (-max(p.baseline_share, p.recent_share), p.key))[
        :_CHART_PARTS
    ]
    drawn = {p.key for p in biggest}
    order = [p.key for p in biggest]
    amounts: dict[tuple[str, str], float] = defaultdict(float)
    for period, key, amount in finding.series:
        part = key if key in drawn else _OTHER
        amounts[(period.isoformat(), part)] += amount
    if len(drawn) < len(finding.parts):
        order.append(_OTHER)
    values = [
        {"period": period, "part": part, "amount": round(amount, 3)}
        for (period, part), amount in sorted(amounts.items())
    ]
    fmt = "%Y-%m" if result.period == "month" else "%Y-%m-%d"
    x = {"field": "period", "type": "temporal", "title": None, "axis": {"format": fmt}}
    color = {"field": "part", "type": "nominal", "sort": order, "title": _part_name(finding)}
    marker = {
        "data": {"values": [{"start": result.recent.start.isoformat()}]},
        "mark": {"type": "rule", "strokeDash": [4, 3], "color": "#444"},
        "encoding": {"x": {"field": "start", "type": "temporal"}},
    }

    def panel(stack: str, title: str, axis: dict[str, Any]) -> dict[str, Any]:
        return {
            "width": 320,
            "height": 180,
            "layer": [
                {
                    "mark": {"type": "area", "interpolate": "step-after", "opacity": 0.85},
                    "encoding": {
                        "x": x,
                        "y": {
                            "field": "amount",
                            "type": "quantitative",
                            "stack": stack,
                            "title": title,
                            "axis": axis,
                        },
                        "color": color,
                        "order": {"field": "part"},
                    },
                },
                marker,
            ],
        }

    measure = MEASURE_LABELS[finding.measure]
    return svg(
        {
            "title": f"{_title(finding)}: {measure} per {result.period}",
            "data": {"values": values},
            "hconcat": [
                panel("zero", measure, {}),
                panel("normalize", "share", {"format": ".0%"}),
            ],
        }
    )


def _points(value: float) -> str:
    """A change of share in percentage points, signed."""
    return f"{100 * value:+.1f} pp"


def _p_value(finding: Finding) -> str:
    if finding.p_value > 0:
        return f"{finding.p_value:.2g}"
    return f"< 1e-300 (−log10 p = {finding.evidence:,.0f})"


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = environment("tollgate.surveillance")
    env.filters.update(points=_points, pvalue=_p_value)
    return env


def render_trade_flows(
    result: TradeFlows, *, generated_at: datetime, offset: int = 0, limit: int | None = 20
) -> str:
    """The page ``offset``..``offset + limit`` of the ranked findings as one
    self-contained HTML document. ``generated_at`` is passed in, not read from the
    clock, so that the same figures give the same file."""
    findings = result.page(offset, limit)
    return (
        _environment()
        .get_template("trade-flows.html.j2")
        .render(
            r=result,
            findings=[(f, finding_chart(f, result), _part_name(f)) for f in findings],
            measure=MEASURE_LABELS[result.measure],
            offset=offset,
            generated_at=generated_at.strftime("%Y-%m-%d %H:%M %Z").strip(),
        )
    )
