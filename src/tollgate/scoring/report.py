"""The evaluation report of a scoring model: one offline HTML file (issue 6 point 5).

What an analyst needs before activating a model, and a supervisor after: how precise
and complete its selection would be at each inspection share, whether its scores mean
what they say (calibration), which features it leans on, and the window it learned from.
Built like the monitoring report — inline SVG from Vega-Lite, no script, every chart
beside a table of its exact figures — so it can be mailed and archived.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import jinja2
from markupsafe import Markup

from tollgate.charts import environment, svg
from tollgate.scoring.metrics import Evaluation

__all__ = ["render_evaluation"]


def _at_chart(evaluation: Evaluation) -> Markup | None:
    values = [
        {"share": f"{share:.0%}", "measure": measure, "value": value}
        for share, (_, precision, recall) in sorted(evaluation.at.items())
        for measure, value in (("precision", precision), ("recall", recall))
    ]
    if not evaluation.declarations:
        return None
    return svg(
        {
            "title": "Precision and recall when inspecting the top n%",
            "data": {"values": values},
            "width": 360,
            "height": 200,
            "mark": "bar",
            "encoding": {
                "x": {
                    "field": "share",
                    "type": "ordinal",
                    "title": "share inspected",
                    "sort": None,
                },
                "xOffset": {"field": "measure"},
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "title": None,
                    "axis": {"format": ".0%"},
                    "scale": {"domain": [0, 1]},
                },
                "color": {"field": "measure", "type": "nominal", "title": None},
            },
        }
    )


def _calibration_chart(evaluation: Evaluation) -> Markup | None:
    if not evaluation.calibration:
        return None
    values = [
        {"predicted": m, "observed": o, "declarations": n} for m, o, n in evaluation.calibration
    ]
    axis = {"format": ".0%"}
    scale = {"domain": [0, 1]}
    return svg(
        {
            "title": "Calibration: predicted against observed irregularity, by score decile",
            "width": 300,
            "height": 300,
            "layer": [
                {
                    "data": {"values": [{"x": 0, "y": 0}, {"x": 1, "y": 1}]},
                    "mark": {"type": "line", "color": "#bbb", "strokeDash": [4, 4]},
                    "encoding": {
                        "x": {"field": "x", "type": "quantitative", "scale": scale, "axis": axis},
                        "y": {"field": "y", "type": "quantitative", "scale": scale, "axis": axis},
                    },
                },
                {
                    "data": {"values": values},
                    "mark": {"type": "line", "point": True},
                    "encoding": {
                        "x": {
                            "field": "predicted",
                            "type": "quantitative",
                            "title": "mean score",
                            "scale": scale,
                            "axis": axis,
                        },
                        "y": {
                            "field": "observed",
                            "type": "quantitative",
                            "title": "irregular share",
                            "scale": scale,
                            "axis": axis,
                        },
                    },
                },
            ],
        }
    )


def _importance_chart(importance: Sequence[tuple[str, float]]) -> Markup | None:
    if not importance:
        return None
    values = [{"feature": n, "gain": g} for n, g in importance[:20]]
    return svg(
        {
            "title": "Feature importance (share of total gain, top 20)",
            "data": {"values": values},
            "width": 320,
            "height": {"step": 16},
            "mark": "bar",
            "encoding": {
                "y": {"field": "feature", "type": "nominal", "sort": "-x", "title": None},
                "x": {
                    "field": "gain",
                    "type": "quantitative",
                    "title": None,
                    "axis": {"format": ".0%"},
                },
            },
        }
    )


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return environment("tollgate.scoring")


def render_evaluation(
    *,
    title: str,
    facts: Sequence[tuple[str, str]],
    evaluation: Evaluation,
    importance: Sequence[tuple[str, float]],
) -> str:
    """The report as one HTML document. ``facts`` are (label, value) lines about the model
    (authority, version, windows, rows), shown as given and escaped."""
    return (
        _environment()
        .get_template("evaluation.html.j2")
        .render(
            title=title,
            facts=list(facts),
            e=evaluation,
            at=sorted(evaluation.at.items()),
            importance=list(importance[:20]),
            at_chart=_at_chart(evaluation),
            calibration_chart=_calibration_chart(evaluation),
            importance_chart=_importance_chart(importance),
        )
    )
