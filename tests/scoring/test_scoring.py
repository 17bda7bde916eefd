"""Learned scoring (issue 6 point 3, point 5): features, training, versions, scoring and
evaluation, on SQLite and PostgreSQL with the rows in an embedded DuckDB store."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from scoring.conftest import DE_ANALYST, NL_ANALYST, NL_OFFICER, TRAIN, VALIDATE
from tollgate.audit.tables import AuditEntry
from tollgate.cli.main import app
from tollgate.errors import NotAuthorised, NotFound, ValidationFailed
from tollgate.risk.history import History
from tollgate.scoring import features, service
from tollgate.scoring.dataset import labelled_rows, read_rows
from tollgate.scoring.metrics import evaluate


def nl_id(session: Session) -> int:
    from tollgate.authorities.tables import Authority

    found = session.scalar(select(Authority.id).where(Authority.code == "NL"))
    assert found is not None
    return found


def train(
    factory: sessionmaker[Session], store: History, *, refit: bool = False
) -> service.Trained:
    with factory() as session, session.begin():
        return service.train_model(
            session, store, actor=NL_ANALYST, train=TRAIN, validate=VALIDATE, refit=refit
        )


# -- features ------------------------------------------------------------------------------


def test_rm22_real_time_features_equal_the_batch_features_row_for_row(
    factory: sessionmaker[Session], labelled: History
) -> None:
    with factory() as session:
        rows = labelled_rows(session, labelled, nl_id(session), *TRAIN)
        later = read_rows(labelled, nl_id(session), *VALIDATE)
    state, _ = features.fit(rows.table, rows.labels, rows.days)
    batch = state.transform(later.table)
    one_by_one = state.encode_rows(later.table.to_pylist())
    assert batch.shape == (len(later), len(state.names))
    # to the bit: a tree split can fall between two floats one ulp apart
    np.testing.assert_array_equal(batch, one_by_one)


def test_unit_values_where_math_and_numpy_logs_differ_encode_alike_in_both_paths() -> None:
    """``math.log`` and numpy's vectorised log disagree in the last bit for some inputs;
    rounded, the real-time and batch features agree exactly (a split between the two
    floats moved a KCS score by 0.34 before)."""
    import math

    values = np.random.default_rng(6).uniform(0.01, 1000.0, 200_000)
    differing = values[np.log(values) != np.array([math.log(v) for v in values])][:20]
    if not differing.size:
        pytest.skip("this platform's numpy log agrees with math.log on the sample")
    n = differing.size
    table = pa.table(
        {
            "item.commodity_code": ["61091000"] * n,
            "item.origin_country": ["BD"] * n,
            "item.value": differing.tolist(),
            "item.net_mass": [1.0] * n,
        }
    )
    state, _ = features.fit(table, np.zeros(n, dtype=np.int64), np.arange(n))
    np.testing.assert_array_equal(state.transform(table), state.encode_rows(table.to_pylist()))


def test_history_features_count_only_labels_of_earlier_days() -> None:
    """A training row never sees its own label, nor those of its own day (chronology)."""
    table = pa.table(
        {
            "trader.eori": ["A", "A", "A", "A", "B"],
            "item.commodity_code": ["610910"] * 5,
        }
    )
    labels = np.array([1, 1, 0, -1, 1])
    days = np.array([10, 10, 11, 12, 12])
    state, matrix = features.fit(table, labels, days)
    seen = matrix[:, state.names.index("seen:trader.eori")]
    rate = matrix[:, state.names.index("rate:trader.eori")]
    assert list(np.expm1(seen).round()) == [0, 0, 2, 3, 0]
    prior = 3 / 4
    assert rate[0] == pytest.approx(prior)  # nothing earlier: the overall rate
    assert rate[2] == pytest.approx((2 + prior * features.PRIOR_WEIGHT) / (2 + 10))
    assert rate[3] == pytest.approx((2 + prior * features.PRIOR_WEIGHT) / (3 + 10))
    # frozen at the end of the window for rows scored later: A has 3 labelled, 2 irregular
    assert state.history[state.entities.index(["trader.eori"])]["A"] == (3, 2)


def test_codes_outside_the_vocabulary_are_unseen_and_missing_codes_are_missing() -> None:
    table = pa.table({"item.origin_country": ["CN", "CN", "BD"], "item.commodity_code": ["61"] * 3})
    state, _ = features.fit(table, np.array([0, 1, 0]), np.array([1, 2, 3]))
    column = state.names.index("code:item.origin_country")
    assert state.encode_row({"item.origin_country": "CN"})[column] == 0.0
    assert state.encode_row({"item.origin_country": "ZZ"})[column] == -1.0
    assert math.isnan(state.encode_row({})[column])
    assert math.isnan(state.encode_row({})[state.names.index("rate:hs6")])


def test_the_feature_state_survives_serialisation() -> None:
    table = pa.table({"trader.eori": ["A", "B"], "item.commodity_code": ["610910", "640399"]})
    state, _ = features.fit(table, np.array([1, 0]), np.array([1, 2]))
    again = features.FeatureState.loads(state.dumps())
    row = {"trader.eori": "A", "item.commodity_code": "610910"}
    assert again.names == state.names and again.encode_row(row) == state.encode_row(row)


# -- metrics -------------------------------------------------------------------------------


def test_precision_and_recall_at_n_and_auc_are_those_of_the_ranking() -> None:
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0] * 10)
    labels = np.array([1, 0, 1, 0, 0, 0, 0, 0, 0, 0] * 10)
    e = evaluate(scores, labels)
    assert e.declarations == 100 and e.irregular == 20
    assert e.at[0.10] == (10, 1.0, 0.5)  # the ten 0.9s
    assert e.at[0.05] == (5, 1.0, 0.25)
    # a positive at 0.9 beats 80 of 80 negatives, one at 0.7 beats 70 and ties none
    assert e.auc == pytest.approx((10 * 80 + 10 * 70) / (20 * 80))
    assert sum(n for _, _, n in e.calibration) == 100
    assert evaluate(np.array([0.2, 0.2]), np.array([1, 0])).auc == 0.5
    assert evaluate(np.array([0.2]), np.array([1])).auc is None


# -- training, versions, scoring -----------------------------------------------------------


def test_a_model_trained_on_october_is_measured_on_november_and_stored(
    factory: sessionmaker[Session], labelled: History
) -> None:
    result = train(factory, labelled)
    stored = result.model
    assert stored.version == 1 and stored.status == "candidate" and not stored.refit
    assert (stored.train_start, stored.train_end) == TRAIN
    assert (stored.valid_start, stored.valid_end) == VALIDATE
    assert result.evaluation is not None
    # 120 November filings, the seventeenth-multiples without an outcome left out
    assert result.evaluation.declarations == stored.metrics["declarations"]  # type: ignore[index]
    assert 100 < result.evaluation.declarations < 120
    assert stored.importance and stored.reference and len(stored.reference) == 11
    with factory() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "scoring_model_trained")
        ).one()
        assert entry.object_id == "NL/v1" and entry.detail["rows"] == 200


@pytest.mark.parametrize("histories_help", [True, False])
def test_the_validation_loss_decides_whether_entity_histories_are_kept(
    factory: sessionmaker[Session],
    labelled: History,
    monkeypatch: pytest.MonkeyPatch,
    histories_help: bool,
) -> None:
    """Both feature sets are trained; the one with the lower validation loss is stored,
    and a refit keeps the chosen set."""
    from dataclasses import replace

    from tollgate.scoring import model

    real_train = model.train
    trained_with: list[bool] = []

    def train_and_rig_the_loss(*args: object, **kwargs: object) -> model.Trained:
        fitted = real_train(*args, **kwargs)  # type: ignore[arg-type]
        with_history = any(str(n).startswith("rate:") for n in kwargs["names"])  # type: ignore[attr-defined]
        trained_with.append(with_history)
        if fitted.loss is None:  # the refit: no validation
            return fitted
        return replace(fitted, loss=0.3 if with_history == histories_help else 0.6)

    monkeypatch.setattr(model, "train", train_and_rig_the_loss)
    stored = train(factory, labelled, refit=True).model
    assert trained_with == [True, False, histories_help]
    assert any(name.startswith("rate:") for name in stored.features) is histories_help
    assert service.Scorer(stored).state.entities == (
        [list(e) for e in features.ENTITIES] if histories_help else []
    )
    with factory() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "scoring_model_trained")
        ).one()
        assert entry.detail["entity_histories"] is histories_help


def test_the_model_ranks_the_known_pattern_first_and_explains_why(
    factory: sessionmaker[Session], labelled: History
) -> None:
    stored = train(factory, labelled).model
    scorer = service.Scorer(stored)
    risky = {
        "trader.eori": "NL900000001",
        "item.commodity_code": "61091000",
        "item.origin_country": "BD",
        "item.value": 900.0,
        "item.net_mass": 100.0,
    }
    plain = {**risky, "trader.eori": "NL800000003", "item.commodity_code": "84713000"}
    plain["item.origin_country"] = "CN"
    assert scorer.score([risky]) > scorer.score([plain])
    # a declaration scores as its riskiest item
    assert scorer.score([plain, risky]) == pytest.approx(scorer.score([risky]))
    reasons = scorer.explain([plain, risky])
    assert reasons and all(r["contribution"] > 0 and r["item"] == 1 for r in reasons)
    assert {r["feature"] for r in reasons} & {
        "rate:trader.eori",
        "rate:hs6",
        "rate:hs6+item.origin_country",
        "rate:trader.eori+hs6",
        "code:item.origin_country",
        "code:hs2",
    }


def test_validation_must_follow_the_training_window(
    factory: sessionmaker[Session], labelled: History
) -> None:
    with factory() as session, pytest.raises(ValidationFailed, match="after the training"):
        service.train_model(
            session,
            labelled,
            actor=NL_ANALYST,
            train=TRAIN,
            validate=(date(2026, 10, 15), date(2026, 11, 20)),
        )
    with factory() as session, pytest.raises(ValidationFailed, match="refit needs"):
        service.train_model(session, labelled, actor=NL_ANALYST, train=TRAIN, refit=True)


def test_a_window_without_enough_outcomes_is_refused(
    factory: sessionmaker[Session], labelled: History
) -> None:
    with factory() as session, pytest.raises(ValidationFailed, match="at least 20") as err:
        service.train_model(
            session, labelled, actor=NL_ANALYST, train=(date(2026, 10, 1), date(2026, 10, 3))
        )
    assert err.value.details[0]["field"] == "training window"


def test_only_analysts_train_and_an_authority_sees_only_its_models(
    factory: sessionmaker[Session], labelled: History
) -> None:
    with factory() as session, pytest.raises(NotAuthorised):
        service.train_model(session, labelled, actor=NL_OFFICER, train=TRAIN)
    train(factory, labelled)
    with factory() as session:
        assert service.list_models(session, actor=DE_ANALYST)[1] == 0
        with pytest.raises(NotFound):
            service.get_model(session, actor=DE_ANALYST, version=1)
        with pytest.raises(NotAuthorised):
            service.get_model(session, actor=DE_ANALYST, version=1, authority="NL")


def test_activating_a_version_retires_the_previous_one(
    factory: sessionmaker[Session], labelled: History
) -> None:
    train(factory, labelled)
    train(factory, labelled, refit=True)
    with factory() as session, session.begin():
        service.activate_model(session, actor=NL_ANALYST, version=1)
        service.activate_model(session, actor=NL_ANALYST, version=2)
    with factory() as session, session.begin():
        found, total = service.list_models(session, actor=NL_ANALYST)
        assert total == 2 and [(m.version, m.status) for m in found] == [
            (2, "active"),
            (1, "retired"),
        ]
        assert found[0].refit and found[0].train_end == VALIDATE[1]
        assert found[0].trees == found[1].trees  # the refit grows the trees validation chose
        scorer = service.active_scorer(session, nl_id(session))
        assert scorer is not None and scorer.version == 2
        with pytest.raises(ValidationFailed, match="retired"):
            service.activate_model(session, actor=NL_ANALYST, version=1)


def test_evaluation_is_refused_inside_the_window_and_measures_after_it(
    factory: sessionmaker[Session], labelled: History
) -> None:
    train(factory, labelled)
    with factory() as session, session.begin():
        with pytest.raises(ValidationFailed, match="after that"):
            service.evaluate_model(
                session, labelled, actor=NL_ANALYST, version=1, start=TRAIN[0], end=TRAIN[1]
            )
        e = service.evaluate_model(
            session, labelled, actor=NL_ANALYST, version=1, start=VALIDATE[0], end=VALIDATE[1]
        )
        stored = service.get_model(session, actor=NL_ANALYST, version=1)
        assert e.as_dict() == stored.metrics


def test_batch_scoring_writes_every_declaration_of_the_period_to_duckdb(
    factory: sessionmaker[Session], labelled: History
) -> None:
    train(factory, labelled)
    with factory() as session, session.begin():
        with pytest.raises(NotFound, match="no active"):
            service.score_history(
                session, labelled, actor=NL_ANALYST, start=VALIDATE[0], end=VALIDATE[1]
            )
        service.activate_model(session, actor=NL_ANALYST, version=1)
        version, count = service.score_history(
            session, labelled, actor=NL_ANALYST, start=VALIDATE[0], end=VALIDATE[1]
        )
        again = service.score_history(
            session, labelled, actor=NL_ANALYST, start=VALIDATE[0], end=VALIDATE[1]
        )[1]
    assert version.version == 1 and count == again == 120
    with labelled.connection() as con:
        ((rows, low, high),) = con.execute(
            "SELECT count(*), min(score), max(score) FROM model_scores WHERE version = 1"
        ).fetchall()
    assert rows == 120 and 0 <= low < high <= 1


def test_the_cli_trains_reports_lists_activates_and_scores(
    cli_db: str, factory: sessionmaker[Session], labelled: History, tmp_path: Path
) -> None:
    labelled.close()  # the CLI opens the same store
    runner = CliRunner()
    report = tmp_path / "out" / "model.html"
    result = runner.invoke(
        app,
        [
            "scoring",
            "train",
            "--authority",
            "NL",
            "--train",
            "2026-10-01..2026-10-31",
            "--validate",
            "2026-11-01..2026-11-20",
            "--report",
            str(report),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "top 5%" in result.output and "AUC" in result.output
    html = report.read_text(encoding="utf-8")
    assert html.count("<svg") == 3 and "<script" not in html.lower()
    assert "2026-10-01..2026-10-31" in html
    listed = runner.invoke(app, ["scoring", "models", "--authority", "NL", "--json"])
    assert listed.exit_code == 0, listed.output
    body = json.loads(listed.output[listed.output.index("{") :])
    assert body["total"] == 1 and body["models"][0]["status"] == "candidate"
    assert (
        runner.invoke(app, ["scoring", "activate", "--authority", "NL", "--version", "1"]).exit_code
        == 0
    )
    scored = runner.invoke(
        app, ["scoring", "score", "--authority", "NL", "--on", "2026-11-01..2026-11-20"]
    )
    assert scored.exit_code == 0 and "120 declarations scored by v1" in scored.output
    evaluated = runner.invoke(
        app,
        [
            "scoring",
            "evaluate",
            "--authority",
            "NL",
            "--version",
            "1",
            "--on",
            "2026-10-01..2026-10-31",
        ],
    )
    assert evaluated.exit_code == 2 and "after that" in evaluated.output
    bad = runner.invoke(app, ["scoring", "train", "--authority", "NL", "--train", "2026-10-01"])
    assert bad.exit_code == 2 and "START..END" in bad.output
