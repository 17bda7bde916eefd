"""Results fed back into the profiles and the evaluation cycle (issue 4 point 3; RM-22),
checked against hand-computed figures, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from controls.world import NL_ANALYST, TODAY
from tollgate.authorities.service import Actor
from tollgate.cli.main import app
from tollgate.controls.feedback import evaluation_cycle, profile_performance
from tollgate.errors import NotAuthorised
from tollgate.risk.backtest import backtest
from tollgate.risk.history import History

PERIOD: dict[str, Any] = {"start": TODAY - timedelta(days=1), "end": TODAY}


def test_rm_22_each_result_is_attributed_to_the_profiles_that_hit(
    controlled: sessionmaker[Session],
) -> None:
    with controlled() as session:
        figures = {p.profile_id: p for p in profile_performance(session, NL_ANALYST, **PERIOD)}
    assert set(figures) == {"P-SHIRTS", "P-SHOES"}
    shirts, shoes = figures["P-SHIRTS"], figures["P-SHOES"]
    assert (shirts.hits, shirts.controls, shirts.results) == (3, 3, 3)
    assert (shirts.true_hits, shirts.false_positives, shirts.duties_found) == (2, 1, 150.0)
    assert shirts.hit_rate == pytest.approx(2 / 3)
    assert (shoes.hits, shoes.results, shoes.true_hits, shoes.hit_rate) == (2, 2, 0, 0.0)
    month = TODAY.strftime("%Y-%m")
    assert shirts.as_dict()["by_month"] == [
        {"month": month, "hits": 3, "results": 3, "true_hits": 2}
    ]


def test_the_evaluation_cycle_lists_profiles_to_review_with_the_evidence(
    controlled: sessionmaker[Session],
) -> None:
    with controlled() as session:
        review = evaluation_cycle(
            session, NL_ANALYST, **PERIOD, min_results=2, low_hit_rate=0.5, workload_share=0.5
        )
    found = {(r.profile_id, r.reason): r.evidence for r in review}
    assert set(found) == {
        ("P-ENDING", "never hit"),
        ("P-ENDING", "expiring"),
        ("P-NEVER", "never hit"),
        ("P-SHOES", "low hit rate"),
        ("P-SHIRTS", "high workload"),
    }
    assert found[("P-SHOES", "low hit rate")] == {"results": 2, "true_hits": 0, "hit_rate": 0.0}
    assert found[("P-SHIRTS", "high workload")]["share"] == 0.6


def test_an_authority_reviews_its_own_profiles_only(controlled: sessionmaker[Session]) -> None:
    de = Actor("de-analyst", None, "DE", frozenset({"analyst"}))
    with controlled() as session:
        assert profile_performance(session, de, **PERIOD) == []
        with pytest.raises(NotAuthorised):
            profile_performance(session, de, authority="NL", **PERIOD)
        assert evaluation_cycle(session, de, start=date(2026, 1, 1), end=date(2026, 1, 2)) == []


def test_a_back_test_reads_the_recorded_control_results_as_outcomes(
    controlled: sessionmaker[Session], tmp_path: Path
) -> None:
    """Issue 3 point 6: the hit rate against recorded control results (no labels here)."""
    history = History(tmp_path / "history.duckdb")
    history.refresh(controlled)
    with controlled() as session:
        result = backtest(
            session,
            history,
            actor=NL_ANALYST,
            start=date(2026, 11, 1),
            end=date(2026, 11, 30),
            profile_ids=["P-SHIRTS", "P-SHOES"],
        )
    figures = {p.profile_id: (p.hits, p.with_outcome, p.irregular) for p in result.profiles}
    assert figures == {"P-SHIRTS": (3, 3, 2), "P-SHOES": (2, 2, 0)}


def test_the_cli_prints_performance_and_the_review_list(
    controlled: sessionmaker[Session], cli_db: str
) -> None:
    runner = CliRunner()
    period = ["--from", "2026-11-01", "--to", TODAY.isoformat(), "--authority", "NL"]
    shown = runner.invoke(app, ["controls", "performance", *period, "--json"])
    assert shown.exit_code == 0, shown.output
    body = json.loads(shown.output[shown.output.index("[") :])
    assert {(p["profile_id"], p["true_hits"], p["results"]) for p in body} == {
        ("P-SHIRTS", 2, 3),
        ("P-SHOES", 0, 2),
    }
    review = runner.invoke(app, ["controls", "review", *period, "--min-results", "2"])
    assert review.exit_code == 0, review.output
    assert "P-NEVER" in review.output and "points to review" in review.output
    bad = runner.invoke(
        app, ["controls", "review", "--from", "soon", "--to", "2026-11-02", "--authority", "NL"]
    )
    assert bad.exit_code == 2 and "not a date" in bad.output
