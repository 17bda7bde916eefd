"""The monitoring report (issue 4 point 5; RM-28): one HTML file a coordinator can mail.

The file must open anywhere, offline and years later, in a browser or a mail client's
attachment viewer: so it is one document with its CSS inline and its charts inline as
SVG, rendered here on the server from Vega-Lite specs (``vl-convert``, which bundles
Vega and runs it without a browser). It holds no script, no external font, stylesheet,
image or link, and not even the SVG namespace URIs (an HTML parser does not need them),
so a reader can check at a glance that opening it contacts no one.

Every chart has its figures beside it in a table: a chart shows the shape, the table the
exact numbers, and a reader who cannot see the chart loses nothing. A chart with nothing
to draw (a period without controls, say) says "no data" instead of drawing empty axes.

Filer names, profile identifiers and review evidence come from declarations and
analysts, so the template autoescapes everything; only the SVG that ``vl-convert``
produced is inserted as markup, and Vega escapes the data it writes into it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup

from tollgate.charts import environment, svg
from tollgate.monitoring.indicators import wilson
from tollgate.risk.profiles import Control, Stage

_STAGES = [s.value for s in Stage]  # the order goods move
_CONTROLS = [c.value for c in Control]  # mildest first
_RANDOM = {"domain": ["risk-based", "random"], "range": ["#4c78a8", "#f58518"]}
_AEO = {"domain": ["AEO", "non-AEO"], "range": ["#54a24b", "#4c78a8"]}
_COUNT_AXIS = {"format": "d", "tickMinStep": 1}  # counts have no fractions


def _share(a: float, b: float) -> float | None:
    return round(a / b, 6) if b else None


def _controls_chart(rows: Sequence[dict[str, Any]]) -> Markup | None:
    if not rows:
        return None
    return svg(
        {
            "title": "Controls by type and stage",
            "data": {"values": list(rows)},
            "width": 360,
            "height": {"step": 22},
            "mark": "bar",
            "encoding": {
                "y": {"field": "control", "type": "nominal", "sort": _CONTROLS, "title": None},
                "x": {
                    "field": "controls",
                    "type": "quantitative",
                    "title": "controls",
                    "axis": _COUNT_AXIS,
                },
                "color": {"field": "stage", "type": "nominal", "sort": _STAGES, "title": "stage"},
            },
        }
    )


def _office_chart(rows: Sequence[dict[str, Any]]) -> Markup | None:
    """``rows`` carry ``irregular_share``; an office without results has none, and no bar."""
    if not rows:
        return None
    y = {"field": "office", "type": "nominal", "title": None}
    return svg(
        {
            "data": {"values": list(rows)},
            "hconcat": [
                {
                    "title": "Controls by office",
                    "width": 240,
                    "height": {"step": 16},
                    "mark": "bar",
                    "encoding": {
                        "y": y,
                        "x": {
                            "field": "controls",
                            "type": "quantitative",
                            "title": "controls",
                            "axis": _COUNT_AXIS,
                        },
                    },
                },
                {
                    "title": "Share of results with an irregularity",
                    "width": 240,
                    "height": {"step": 16},
                    "mark": {"type": "bar", "color": "#e45756"},
                    "encoding": {
                        "y": {**y, "axis": {"labels": False}},
                        "x": {
                            "field": "irregular_share",
                            "type": "quantitative",
                            "title": "irregular / results",
                            "axis": {"format": ".0%"},
                            "scale": {"domain": [0, 1]},
                        },
                    },
                },
            ],
        }
    )


def _selection_chart(risk_based: int, random: int) -> Markup | None:
    if risk_based + random == 0:
        return None
    return svg(
        {
            "title": "Controls by how they were selected",
            "data": {
                "values": [
                    {"selection": "risk-based", "controls": risk_based},
                    {"selection": "random", "controls": random},
                ]
            },
            "width": 360,
            "height": {"step": 22},
            "mark": "bar",
            "encoding": {
                "y": {"field": "selection", "type": "nominal", "sort": None, "title": None},
                "x": {
                    "field": "controls",
                    "type": "quantitative",
                    "title": "controls",
                    "axis": _COUNT_AXIS,
                },
                "color": {
                    "field": "selection",
                    "type": "nominal",
                    "scale": _RANDOM,
                    "legend": None,
                },
            },
        }
    )


def _rates_chart(rows: Sequence[dict[str, Any]]) -> Markup | None:
    """The hit rate of risk-based controls beside the positive rate of random ones, each
    with its 95% interval: the gap between them is what targeting adds (RM-12)."""
    values = [r for r in rows if r["rate"] is not None]
    if not values:
        return None
    # both rows always, so that a missing estimate shows as an empty row, not a gap
    y = {
        "field": "selection",
        "type": "nominal",
        "title": None,
        "scale": {"domain": _RANDOM["domain"]},
    }
    x = {
        "field": "rate",
        "type": "quantitative",
        "title": "irregular / results, with 95% interval",
        "axis": {"format": ".0%"},
        "scale": {"domain": [0, 1]},
    }
    color = {"field": "selection", "type": "nominal", "scale": _RANDOM, "legend": None}
    return svg(
        {
            "title": "Irregularity found, risk-based versus random",
            "data": {"values": values},
            "width": 360,
            "height": {"step": 28},
            "layer": [
                {
                    "mark": {"type": "errorbar", "ticks": True},
                    "encoding": {"y": y, "x": {**x, "field": "low"}, "x2": {"field": "high"}},
                },
                {
                    "mark": {"type": "point", "filled": True, "size": 60},
                    "encoding": {"y": y, "x": x, "color": color},
                },
            ],
        }
    )


def _aeo_chart(rows: Sequence[dict[str, Any]]) -> Markup | None:
    values = [
        {"group": r["group"], "measure": measure, "value": r[key]}
        for measure, key in (
            ("control rate", "control_rate"),
            ("irregular share", "irregular_share"),
        )
        for r in rows
        if r[key] is not None
    ]
    if not values:
        return None
    return svg(
        {
            "title": "AEO versus non-AEO",
            "data": {"values": values},
            "width": 240,
            "height": 180,
            "mark": "bar",
            "encoding": {
                "x": {
                    "field": "measure",
                    "type": "nominal",
                    "sort": None,
                    "title": None,
                    "axis": {"labelAngle": 0},
                },
                "xOffset": {"field": "group", "scale": {"domain": _AEO["domain"]}},
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "title": None,
                    "axis": {"format": ".0%"},
                },
                "color": {"field": "group", "type": "nominal", "scale": _AEO, "title": None},
            },
        }
    )


def _format_evidence(evidence: Any) -> str:
    if isinstance(evidence, dict):
        return ", ".join(f"{k}: {v}" for k, v in evidence.items())
    return str(evidence)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = environment("tollgate.monitoring")
    env.filters["evidence"] = _format_evidence
    return env


def render_report(
    indicators: dict[str, Any],
    *,
    authority_code: str,
    performance: list[dict[str, Any]] | None = None,
    review: list[dict[str, Any]] | None = None,
    generated_at: datetime,
) -> str:
    """The report of one authority and period as one self-contained HTML document.

    ``indicators`` is :func:`~tollgate.monitoring.indicators.compute_indicators`'s
    document; ``performance`` the profiles' figures (``ProfilePerformance.as_dict()``)
    and ``review`` the evaluation cycle's list (``ReviewItem`` as a dict: profile_id,
    version, reason, evidence), each shown only when given. ``generated_at`` is passed
    in, not read from the clock, so that the same figures give the same file.
    """
    controls = indicators["controls"]
    analysis = indicators["analysis"]
    random_controls = indicators["random_controls"]
    random = sum(r["random"] for r in controls["by_type_and_stage"])
    risk_based = controls["total"] - random
    risk_results = analysis["final_hits"] + analysis["false_positives"]
    risk_interval = wilson(analysis["final_hits"], risk_results)
    ci95 = random_controls["ci95"]
    selection = [
        {
            "selection": "risk-based",
            "controls": risk_based,
            "results": risk_results,
            "irregular": analysis["final_hits"],
            "rate": _share(analysis["final_hits"], risk_results),
            "low": None if risk_interval is None else round(risk_interval[0], 6),
            "high": None if risk_interval is None else round(risk_interval[1], 6),
        },
        {
            "selection": "random",
            "controls": random,
            "results": random_controls["results"],
            "irregular": random_controls["positive"],
            "rate": random_controls["positive_rate"],
            "low": None if ci95 is None else ci95[0],
            "high": None if ci95 is None else ci95[1],
        },
    ]
    offices = [
        {**o, "irregular_share": _share(o["irregular"], o["results"])}
        for o in controls["by_office"]
    ]
    aeo = [
        {"group": "AEO", **indicators["aeo"]["aeo"]},
        {"group": "non-AEO", **indicators["aeo"]["non_aeo"]},
    ]
    charts = {
        "controls": _controls_chart(controls["by_type_and_stage"]),
        "offices": _office_chart(offices),
        "selection": _selection_chart(risk_based, random),
        "rates": _rates_chart(selection),
        "aeo": _aeo_chart(aeo),
    }
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            i=indicators,
            authority_code=authority_code,
            generated_at=generated_at.strftime("%Y-%m-%d %H:%M %Z").strip(),
            charts=charts,
            selection=selection,
            offices=offices,
            aeo=aeo,
            performance=performance,
            review=review,
        )
    )
