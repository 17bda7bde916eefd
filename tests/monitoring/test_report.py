"""The monitoring report and exports (issue 4 point 5): one self-contained HTML file a
coordinator can mail, and tidy CSV / Parquet tables a statistician can load.

The indicators are the hand-computed figures of tests/controls/test_indicators.py (six
import declarations, five risk-based documentary controls at clearance, two irregular,
duties 100 + 50), with a data-quality part and a filer whose name is markup; a test
checks that this hand-made document still has the shape ``compute_indicators`` returns.
"""

from __future__ import annotations

import copy
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from tollgate.errors import ValidationFailed
from tollgate.monitoring.export import export_performance, export_tables
from tollgate.monitoring.indicators import Period, compute_indicators
from tollgate.monitoring.report import render_report
from tollgate.risk.history import History

GENERATED = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
FILER = "<b>Acme & Sons</b>"


def sample() -> dict[str, Any]:
    return {
        "authority_id": 7,
        "start": "2026-11-01",
        "end": "2026-11-30",
        "declarations": {"total": 6, "by_kind": {"import": 6}, "ens": 0},
        "data_quality": {
            "clean_share": 0.666667,
            "ens_clean_share": None,
            "findings_by_code": {"DQ-1": 2, "DQ-4": 1},
            "filers": 2,
            "compliant_filers": 1,
            "filer_compliance_rate": 0.5,
            "least_compliant_filers": [
                {"filer": FILER, "declarations": 2, "clean": 0, "clean_share": 0.0},
                {"filer": "NL123456789", "declarations": 4, "clean": 4, "clean_share": 1.0},
            ],
        },
        "analysis": {
            "items_subject_to_crc": 6,
            "automated_hits": 0,
            "declarations_with_any_hit": 5,
            "final_hits": 2,
            "false_positives": 3,
        },
        "controls": {
            "total": 5,
            "control_rate": round(5 / 6, 6),
            "by_type_and_stage": [
                {
                    "control": "documentary",
                    "stage": "clearance",
                    "controls": 5,
                    "random": 0,
                    "control_rate": round(5 / 6, 6),
                }
            ],
            "random_share": 0.0,
            "risk_based_share": 1.0,
            "by_office": [
                {
                    "office": "NL000396",
                    "declarations": 6,
                    "controls": 5,
                    "control_rate": 0.833333,
                    "results": 5,
                    "irregular": 2,
                }
            ],
        },
        "results": {
            "results": 5,
            "irregular": 2,
            "irregular_share": 0.4,
            "detection_rate_per_1000": round(1000 * 2 / 6, 4),
            "duties_at_stake": 150.0,
        },
        "random_controls": {"results": 0, "positive": 0, "positive_rate": None, "ci95": None},
        "aeo": {
            "aeo": {
                "declarations": 0,
                "controls": 0,
                "control_rate": None,
                "results": 0,
                "irregular": 0,
                "irregular_share": None,
            },
            "non_aeo": {
                "declarations": 6,
                "controls": 5,
                "control_rate": round(5 / 6, 6),
                "results": 5,
                "irregular": 2,
                "irregular_share": 0.4,
            },
        },
    }


PERFORMANCE = [
    {
        "profile_id": "<i>textiles</i>",
        "version": 2,
        "hits": 5,
        "controls": 5,
        "random_controls": 0,
        "results": 5,
        "true_hits": 2,
        "false_positives": 3,
        "hit_rate": 0.4,
        "duties_found": 150.0,
        "by_month": [{"month": "2026-11", "hits": 5, "results": 5, "true_hits": 2}],
    }
]
REVIEW = [
    {"profile_id": "shoes", "version": 1, "reason": "never hit", "evidence": {"period": "<x>"}}
]


@pytest.fixture(scope="module")
def report() -> str:
    return render_report(
        sample(),
        authority_code="NL",
        performance=PERFORMANCE,
        review=REVIEW,
        generated_at=GENERATED,
    )


@pytest.fixture
def empty(tmp_path: Path) -> dict[str, Any]:
    day = date(2026, 11, 30)
    return compute_indicators(History(tmp_path / "h.duckdb"), Period(7, day, day))


def _shape(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _shape(v) for k, v in node.items()}
    return type(node).__name__ if isinstance(node, list) else None


def test_the_sample_has_the_shape_compute_indicators_returns(empty: dict[str, Any]) -> None:
    mine, theirs = sample(), copy.deepcopy(empty)
    for doc in (mine, theirs):  # data-dependent keys
        doc["declarations"]["by_kind"] = {}
        doc["data_quality"]["findings_by_code"] = {}
    assert _shape(mine) == _shape(theirs)


def test_the_report_is_one_self_contained_document(report: str) -> None:
    assert report.startswith("<!DOCTYPE html>") and report.rstrip().endswith("</html>")
    assert report.count("<html") == report.count("<body") == 1
    lowered = report.lower()
    # nothing to fetch, nothing to run: it opens offline, in any viewer
    for needle in ("http://", "https://", "<script", "src=", "href=", "@import", "url("):
        assert needle not in lowered, needle
    # charts inline: controls, offices, selection, rates (risk-based only), AEO
    assert report.count("<svg") == report.count("</svg>") == 5
    assert "<figure><svg" in report
    assert (
        "Generated 2026-12-01 08:30 UTC" in report and "Period 2026-11-01 to 2026-11-30" in report
    )


def _row(report: str, label: str) -> str:
    found = re.search(rf"<th>{re.escape(label)}</th><td class=\"n\">([^<]*)</td>", report)
    assert found, label
    return found.group(1)


def test_headline_figures_are_formatted(report: str) -> None:
    assert _row(report, "Declarations") == "6"
    assert _row(report, "Controls") == "5"
    assert _row(report, "Control rate") == "83.3%"
    assert _row(report, "Control results") == "5"
    assert _row(report, "Share of results with an irregularity") == "40.0%"
    assert _row(report, "Detection rate per 1,000 declarations") == "333.3"
    assert _row(report, "Duties at stake in irregular results") == "EUR 150.00"
    assert _row(report, "Declarations without findings") == "66.7%"
    assert _row(report, "Entry summary declarations without findings") == "n/a"
    assert _row(report, "Goods items analysed") == "6"
    assert _row(report, "False positives (risk-based controls that found none)") == "3"
    # the risk-based hit rate 2/5 with its Wilson interval; random controls had no results
    assert "<td>risk-based</td>" in report and "11.8% to 76.9%" in report
    assert '<td>DQ-4</td><td class="n">1</td>' in report


def test_data_is_escaped_not_interpreted(report: str) -> None:
    assert "<b>Acme" not in report and "&lt;b&gt;Acme &amp; Sons&lt;/b&gt;" in report
    assert "<i>textiles" not in report and "&lt;i&gt;textiles&lt;/i&gt;" in report
    assert "period: &lt;x&gt;" in report  # review evidence


def test_profiles_and_review_are_shown_only_when_given(report: str) -> None:
    assert 'id="performance"' in report and 'id="review"' in report
    # the profile's hit rate and duties found close its row
    assert '<td class="n">40.0%</td><td class="n">EUR 150.00</td></tr>' in report
    assert "<td>never hit</td>" in report
    bare = render_report(sample(), authority_code="NL", generated_at=GENERATED)
    assert 'id="performance"' not in bare and 'id="review"' not in bare
    none_yet = render_report(
        sample(), authority_code="NL", performance=[], review=[], generated_at=GENERATED
    )
    assert "nothing to review" in none_yet
    assert none_yet.count("no data") == bare.count("no data") + 1


def test_the_same_figures_give_the_same_file(report: str) -> None:
    again = render_report(
        sample(),
        authority_code="NL",
        performance=PERFORMANCE,
        review=REVIEW,
        generated_at=GENERATED,
    )
    assert again == report


def test_an_empty_period_renders_no_data_instead_of_charts(empty: dict[str, Any]) -> None:
    html = render_report(empty, authority_code="NL", generated_at=GENERATED)
    assert "<svg" not in html
    assert html.count('<p class="nodata">no data</p>') == 5  # every chart
    # and the tables: controls, offices, findings, filers
    assert html.count('<td class="nodata"') == 4
    assert _row(html, "Declarations") == "0" and _row(html, "Control rate") == "n/a"


PERIOD = {"authority_id": 7, "start": date(2026, 11, 1), "end": date(2026, 11, 30)}


def _expected() -> dict[str, list[dict[str, Any]]]:
    headline = [
        ("declarations.total", 6),
        ("declarations.by_kind.import", 6),
        ("declarations.ens", 0),
        ("data_quality.clean_share", 0.666667),
        ("data_quality.ens_clean_share", None),
        ("data_quality.filers", 2),
        ("data_quality.compliant_filers", 1),
        ("data_quality.filer_compliance_rate", 0.5),
        ("analysis.items_subject_to_crc", 6),
        ("analysis.automated_hits", 0),
        ("analysis.declarations_with_any_hit", 5),
        ("analysis.final_hits", 2),
        ("analysis.false_positives", 3),
        ("controls.total", 5),
        ("controls.control_rate", 0.833333),
        ("controls.random_share", 0.0),
        ("controls.risk_based_share", 1.0),
        ("results.results", 5),
        ("results.irregular", 2),
        ("results.irregular_share", 0.4),
        ("results.detection_rate_per_1000", 333.3333),
        ("results.duties_at_stake", 150.0),
        ("random_controls.results", 0),
        ("random_controls.positive", 0),
        ("random_controls.positive_rate", None),
        ("random_controls.ci95.low", None),
        ("random_controls.ci95.high", None),
    ]
    aeo = {"declarations": 0, "controls": 0, "control_rate": None, "results": 0}
    return {
        "headline": [{**PERIOD, "indicator": k, "value": v} for k, v in headline],
        "controls_by_type_and_stage": [
            {
                **PERIOD,
                "control": "documentary",
                "stage": "clearance",
                "controls": 5,
                "random": 0,
                "control_rate": 0.833333,
            }
        ],
        "controls_by_office": [
            {
                **PERIOD,
                "office": "NL000396",
                "declarations": 6,
                "controls": 5,
                "control_rate": 0.833333,
                "results": 5,
                "irregular": 2,
                "irregular_share": 0.4,
            }
        ],
        "aeo": [
            {**PERIOD, "aeo": True, **aeo, "irregular": 0, "irregular_share": None},
            {
                **PERIOD,
                "aeo": False,
                "declarations": 6,
                "controls": 5,
                "control_rate": 0.833333,
                "results": 5,
                "irregular": 2,
                "irregular_share": 0.4,
            },
        ],
        "findings_by_code": [
            {**PERIOD, "code": "DQ-1", "findings": 2},
            {**PERIOD, "code": "DQ-4", "findings": 1},
        ],
        "least_compliant_filers": [
            {**PERIOD, "filer": FILER, "declarations": 2, "clean": 0, "clean_share": 0.0},
            {**PERIOD, "filer": "NL123456789", "declarations": 4, "clean": 4, "clean_share": 1.0},
        ],
    }


def _read(path: Path) -> pa.Table:
    return pa_csv.read_csv(path) if path.suffix == ".csv" else pq.read_table(path)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_tables_round_trip(fmt: str, tmp_path: Path) -> None:
    paths = export_tables(sample(), tmp_path / "out", fmt)  # type: ignore[arg-type]
    expected = _expected()
    assert [p.name for p in paths] == [f"{stem}.{fmt}" for stem in expected]
    for path, (stem, rows) in zip(paths, expected.items(), strict=True):
        table = _read(path)
        assert table.to_pylist() == rows, stem
        assert table.schema.field("start").type == pa.date32()
        assert table.schema.field("authority_id").type == pa.int64()


def test_parquet_keeps_the_types_of_an_empty_period(empty: dict[str, Any], tmp_path: Path) -> None:
    paths = {p.stem: p for p in export_tables(empty, tmp_path, "parquet")}
    filers = pq.read_table(paths["least_compliant_filers"])
    assert filers.num_rows == 0
    assert filers.schema.field("declarations").type == pa.int64()
    assert filers.schema.field("clean_share").type == pa.float64()
    aeo = pq.read_table(paths["aeo"]).to_pylist()
    assert [(r["aeo"], r["declarations"], r["control_rate"]) for r in aeo] == [
        (True, 0, None),
        (False, 0, None),
    ]
    headline = {r["indicator"]: r["value"] for r in pq.read_table(paths["headline"]).to_pylist()}
    assert headline["declarations.total"] == 0 and headline["results.irregular_share"] is None


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_performance_round_trip(fmt: str, tmp_path: Path) -> None:
    path = export_performance(PERFORMANCE, tmp_path / f"performance.{fmt}", fmt)  # type: ignore[arg-type]
    row = {k: v for k, v in PERFORMANCE[0].items() if k != "by_month"}  # totals only
    assert _read(path).to_pylist() == [row]


def test_an_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed):
        export_tables(sample(), tmp_path, "xlsx")  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed):
        export_performance(PERFORMANCE, tmp_path / "p.xlsx", "xlsx")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []
