"""The monitoring indicators (issue 4 point 4; RM-28) against hand-computed values on the
controls world of conftest.py: six import declarations (three shirts, two shoes, a bag),
five risk-based documentary controls at clearance, two irregular (duties 100 + 50)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from conftest import World
from controls.world import TODAY
from tollgate.authorities.tables import Authority
from tollgate.cli.main import app
from tollgate.monitoring.indicators import Period, compute_indicators, wilson
from tollgate.monitoring.store import refresh_monitoring
from tollgate.risk.history import History


def test_wilson_intervals_match_the_textbook_values() -> None:
    assert wilson(0, 0) is None
    low, high = wilson(0, 10)  # type: ignore[misc]
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4)
    low, high = wilson(5, 10)  # type: ignore[misc]
    assert low == pytest.approx(0.2366, abs=1e-4) and high == pytest.approx(0.7634, abs=1e-4)


@pytest.fixture
def indicators(controlled: sessionmaker[Session], tmp_path: Path) -> dict[str, object]:
    history = History(tmp_path / "history.duckdb")
    history.refresh(controlled)
    copied = refresh_monitoring(history, controlled)
    assert copied["m_tasks"] == 5 and copied["m_results"] == 5
    assert refresh_monitoring(history, controlled)["m_results"] == 0  # incremental
    with controlled() as session:
        nl = session.scalars(select(Authority.id).where(Authority.code == "NL")).one()
    # the declarations were lodged on 2026-11-21 (factories), assessed today
    return compute_indicators(history, Period(nl, date(2026, 11, 1), TODAY))


def test_rm_28_declarations_analysis_and_controls(indicators: dict[str, object]) -> None:
    assert indicators["declarations"] == {"total": 6, "by_kind": {"import": 6}, "ens": 0}
    assert indicators["analysis"] == {
        "items_subject_to_crc": 6,
        "automated_hits": 0,  # only national profiles hit
        "declarations_with_any_hit": 5,
        "final_hits": 2,
        "false_positives": 3,
    }
    controls = indicators["controls"]
    assert isinstance(controls, dict)
    assert controls["total"] == 5 and controls["control_rate"] == round(5 / 6, 6)
    assert controls["by_type_and_stage"] == [
        {
            "control": "documentary",
            "stage": "clearance",
            "controls": 5,
            "random": 0,
            "control_rate": round(5 / 6, 6),
        }
    ]
    assert (controls["random_share"], controls["risk_based_share"]) == (0.0, 1.0)
    assert controls["by_office"] == [
        {
            "office": "NL000396",
            "declarations": 6,
            "controls": 5,
            "control_rate": round(5 / 6, 6),
            "results": 5,
            "irregular": 2,
        }
    ]


def test_rm_28_results_random_controls_and_aeo(indicators: dict[str, object]) -> None:
    assert indicators["results"] == {
        "results": 5,
        "irregular": 2,
        "irregular_share": 0.4,
        "detection_rate_per_1000": round(1000 * 2 / 6, 4),
        "duties_at_stake": 150.0,
    }
    assert indicators["random_controls"] == {
        "results": 0,
        "positive": 0,
        "positive_rate": None,
        "ci95": None,
    }
    aeo = indicators["aeo"]
    assert isinstance(aeo, dict)
    assert aeo["non_aeo"] == {
        "declarations": 6,
        "controls": 5,
        "control_rate": round(5 / 6, 6),
        "results": 5,
        "irregular": 2,
        "irregular_share": 0.4,
    }
    assert aeo["aeo"]["declarations"] == 0 and aeo["aeo"]["control_rate"] is None


def test_an_empty_history_gives_zeros_not_errors(tmp_path: Path) -> None:
    found = compute_indicators(History(tmp_path / "h.duckdb"), Period(1, TODAY, TODAY))
    assert found["declarations"] == {"total": 0, "by_kind": {}, "ens": 0}
    assert found["results"]["detection_rate_per_1000"] is None


def test_the_api_serves_indicators_the_report_and_tables(
    controlled: sessionmaker[Session], client: TestClient, world: World
) -> None:
    period = {"from": "2026-11-01", "to": TODAY.isoformat()}
    coordinator = world.headers("nl-coordinator")
    assert client.get("/monitoring/indicators", params=period).status_code == 401
    found = client.get("/monitoring/indicators", params=period, headers=coordinator)
    assert found.status_code == 200, found.text
    assert found.json()["results"]["irregular"] == 2
    report = client.get("/monitoring/report", params=period, headers=coordinator)
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    assert "<svg" in report.text and "<script" not in report.text and "P-NEVER" in report.text
    csv = client.get("/monitoring/tables/controls_by_office", params=period, headers=coordinator)
    assert csv.status_code == 200 and "NL000396" in csv.text
    parquet = client.get(
        "/monitoring/tables/headline", params=period | {"format": "parquet"}, headers=coordinator
    )
    assert parquet.content[:4] == b"PAR1"
    assert (
        client.get("/monitoring/tables/nope", params=period, headers=coordinator).status_code == 422
    )
    backwards = {"from": TODAY.isoformat(), "to": "2026-01-01"}
    assert (
        client.get("/monitoring/indicators", params=backwards, headers=coordinator).status_code
        == 422
    )
    other = client.get(
        "/monitoring/indicators", params=period | {"authority": "DE"}, headers=coordinator
    )
    assert other.status_code == 403
    assert (
        client.get(
            "/monitoring/indicators", params=period, headers=world.headers("nl-intake")
        ).status_code
        == 403
    )


def test_the_cli_prints_and_writes_the_report_and_tables(
    controlled: sessionmaker[Session], cli_db: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    period = ["--from", "2026-11-01", "--to", TODAY.isoformat(), "--authority", "NL"]
    html = tmp_path / "report.html"
    result = runner.invoke(
        app, ["indicators", *period, "--html", str(html), "--export", str(tmp_path / "t")]
    )
    assert result.exit_code == 0, result.output
    assert "share with irregularities" in result.output and "40.0%" in result.output
    assert "<svg" in html.read_text()
    assert sorted(p.name for p in (tmp_path / "t").iterdir()) == [
        "aeo.csv",
        "controls_by_office.csv",
        "controls_by_type_and_stage.csv",
        "findings_by_code.csv",
        "headline.csv",
        "least_compliant_filers.csv",
        "profiles.csv",
    ]
