"""The active model in the real-time path: every assessed version scored, the score a fact
the profiles read, exploration controls drawn and reported apart (issue 6 points 3, 4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factories import goods, import_h1, party
from scoring.conftest import NL_ANALYST, NL_OFFICER, TRAIN, VALIDATE
from tollgate.authorities.service import SYSTEM
from tollgate.controls import service as controls
from tollgate.controls.tables import ControlTask
from tollgate.declarations.tables import FilingRecord
from tollgate.intake.service import submit
from tollgate.risk import service as risk
from tollgate.risk.consignments import assess_consignment_events
from tollgate.risk.history import History
from tollgate.risk.profiles import Control
from tollgate.risk.selection import Decision
from tollgate.risk.tables import Assessment
from tollgate.scoring import service
from tollgate.scoring.exploration import Exploration, exploration_results
from tollgate.scoring.tables import ModelScore

RISKY = import_h1(
    lrn="NEW-RISKY",
    htd=None,
    lodged_at="2026-11-25T09:00:00Z",
    importer=party("Importer", "NL", eori="NL900000001"),
    goods_items=[goods(commodity_code="61091000", origin_country="BD")],
)
PLAIN = import_h1(
    lrn="NEW-PLAIN",
    htd=None,
    lodged_at="2026-11-25T09:00:00Z",
    importer=party("Importer", "NL", eori="NL800000003"),
    goods_items=[goods(commodity_code="84713000", origin_country="CN")],
)


@dataclass(frozen=True, slots=True)
class PickPlain(Exploration):
    """Draws exactly the plain new filing for an uncertainty control."""

    def uncertain(self, declaration_key: str, score: float) -> bool:
        return "NEW-PLAIN" in declaration_key


def activate(factory: sessionmaker[Session], store: History) -> None:
    with factory() as session, session.begin():
        service.train_model(session, store, actor=NL_ANALYST, train=TRAIN, validate=VALIDATE)
        service.activate_model(session, actor=NL_ANALYST, version=1)
        submit(session, actor=SYSTEM, records=[RISKY, PLAIN])


def new_scores(session: Session) -> dict[str, tuple[ModelScore, Assessment]]:
    rows = session.execute(
        select(FilingRecord.lrn, ModelScore, Assessment)
        .join(ModelScore, ModelScore.filing_id == FilingRecord.id)
        .join(Assessment, Assessment.filing_version_id == ModelScore.filing_version_id)
        .where(
            FilingRecord.lrn.in_(["NEW-RISKY", "NEW-PLAIN"]), Assessment.consignment_id.is_(None)
        )
    ).all()
    return {lrn: (score, assessment) for lrn, score, assessment in rows}


def test_issue6_every_assessed_version_is_scored_and_profiles_read_model_score(
    factory: sessionmaker[Session], labelled: History
) -> None:
    activate(factory, labelled)
    risk.assess_pending(factory, actor=SYSTEM, exploration=Exploration(0.0))
    with factory() as session:
        assert session.scalar(select(ModelScore.id).limit(1)) is not None
        assessed = session.scalars(select(Assessment)).all()
        scores = session.scalars(select(ModelScore)).all()
        assert len(scores) == len(assessed) == 322
        found = new_scores(session)
        risky, plain = found["NEW-RISKY"], found["NEW-PLAIN"]
        assert risky[0].score > plain[0].score
        reason = next(r for r in risky[1].reasons if "model_score" in r)
        assert reason == {"model_version": 1, "model_score": round(risky[0].score, 4)}
        assert risky[1].exploration is None and plain[1].decision == "release"
        threshold = (risky[0].score + plain[0].score) / 2
        versions = [risky[1].filing_version_id, plain[1].filing_version_id]
    with factory() as session, session.begin():
        risk.import_profiles(
            session,
            actor=NL_ANALYST,
            data={
                "profiles": [
                    {
                        "id": "NL-MODEL-HIGH",
                        "title": "The learned model is confident",
                        "risk_area": "financial",
                        "financial_risk": "undervaluation",
                        "risk_level": 60,
                        "stage": "clearance",
                        "control": "documentary",
                        "rationale": "Scores above the midpoint of two reference filings.",
                        "when": {"field": "model.score", "gte": threshold},
                    }
                ]
            },
            activate=True,
        )
        again = risk.assess_versions(
            session, versions, trigger="test", exploration=Exploration(0.0)
        )
    hit = {a.filing_version_id: [r.get("profile_id") for r in a.reasons] for a in again}
    assert "NL-MODEL-HIGH" in hit[versions[0]] and "NL-MODEL-HIGH" not in hit[versions[1]]
    with factory() as session:  # a re-assessment keeps the first score of a version
        assert session.query(ModelScore).count() == 322


def test_issue6_exploration_controls_are_drawn_and_reported_apart(
    factory: sessionmaker[Session], labelled: History
) -> None:
    activate(factory, labelled)
    risk.assess_pending(factory, actor=SYSTEM, exploration=PickPlain(1.0))
    with factory() as session:
        plain = new_scores(session)["NEW-PLAIN"]
        assert plain[1].exploration == "uncertainty"
        assert plain[1].decision == "documentary" and plain[1].stage == "clearance"
        assert "Exploration control" in plain[1].instructions
        assert any(r.get("exploration") == "uncertainty" for r in plain[1].reasons)
    # the filing is the core of its consignment, whose assessment decides its control
    assess_consignment_events(factory, actor=SYSTEM, exploration=PickPlain(1.0))
    with factory() as session:
        decided = session.scalars(
            select(Assessment).where(
                Assessment.consignment_id.is_not(None), Assessment.decision != "release"
            )
        ).all()
        assert [(a.decision, a.exploration) for a in decided] == [("documentary", "uncertainty")]
    assert controls.queue_controls(factory, actor=SYSTEM) == {"created": 1}
    with factory() as session, session.begin():
        task = session.scalars(select(ControlTask)).one()
        controls.record_result(
            session,
            NL_OFFICER,
            task.id,
            {"outcome": "irregularity", "irregularities": ["undervaluation"]},
        )
    with factory() as session:
        found = exploration_results(session, actor=NL_ANALYST, start=TRAIN[0], end=_today())
    by_kind = {s.kind: (s.controls, s.results, s.irregular) for s in found}
    assert by_kind == {"risk-based": (0, 0, 0), "random": (0, 0, 0), "uncertainty": (1, 1, 1)}


def _today() -> date:
    return datetime.now(UTC).date()


def decision(control: Control = Control.RELEASE, random: bool = False) -> Decision:
    return Decision(control, 0, random, None, [], "")


def test_issue6_uncertainty_draws_favour_scores_near_a_half_and_never_override_controls() -> None:
    always = Exploration(1.0)
    explored, how = risk.explore(decision(), 0.5, 3, always, "k")
    assert how == "uncertainty" and explored.decision is Control.DOCUMENTARY
    assert explored.reasons == [
        {"model_version": 3, "model_score": 0.5, "exploration": "uncertainty"}
    ]
    assert risk.explore(decision(), 0.0, 3, always, "k")[1] is None
    assert risk.explore(decision(), 1.0, 3, always, "k")[1] is None
    kept, how = risk.explore(decision(Control.PHYSICAL), 0.5, 3, always, "k")
    assert how is None and kept.decision is Control.PHYSICAL
    assert risk.explore(decision(random=True), 0.5, 3, always, "k")[1] == "random"
    # seeded per declaration: the same key draws the same way, and the rate is honoured
    some = Exploration(0.2)
    draws = [some.uncertain(f"key-{n}", 0.5) for n in range(5000)]
    assert draws == [some.uncertain(f"key-{n}", 0.5) for n in range(5000)]
    assert 0.17 < sum(draws) / 5000 < 0.23
    with pytest.raises(ValueError, match="between 0 and 1"):
        Exploration(1.5)


def test_issue6_the_dry_run_path_scores_with_the_active_model_and_sees_each_activation(
    factory: sessionmaker[Session], labelled: History
) -> None:
    """``POST /risk/assess`` runs on a cached engine: an activation (a status change, not
    an appended row) must reach it within ``max_age`` like a profile change does."""
    from tollgate.authorities.tables import Authority
    from tollgate.declarations.models import FilingAdapter
    from tollgate.risk import engines
    from tollgate.risk.facts import Context

    now = [0.0]
    cache = engines.EngineCache(factory, clock=lambda: now[0])
    with factory() as session:
        nl = session.scalar(select(Authority.id).where(Authority.code == "NL"))
        assert nl is not None
    filing = FilingAdapter.validate_python(RISKY)

    def dry_run() -> dict[str, object]:
        now[0] += 2.0  # past max_age: the cache checks the generation
        return engines.assess_document(cache.get(nl), filing, Context())

    assert dry_run()["model_score"] is None
    with factory() as session, session.begin():
        for _ in range(2):
            service.train_model(session, labelled, actor=NL_ANALYST, train=TRAIN)
        service.activate_model(session, actor=NL_ANALYST, version=1)
    first = dry_run()
    score = first["model_score"]
    assert isinstance(score, float) and 0 < score < 1
    assert {"model_version": 1, "model_score": round(score, 4)} in first["reasons"]  # type: ignore[operator]
    with factory() as session, session.begin():
        service.activate_model(session, actor=NL_ANALYST, version=2)
    second = dry_run()
    assert {"model_version": 2, "model_score": round(score, 4)} in second["reasons"]  # type: ignore[operator]
