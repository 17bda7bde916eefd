"""Results fed back into the profiles and the evaluation cycle (issue 4 point 3; RM-22),
checked against hand-computed figures, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factories import goods, import_h1
from tollgate.authorities.service import SYSTEM, Actor
from tollgate.controls import service as controls
from tollgate.controls.feedback import evaluation_cycle, profile_performance
from tollgate.controls.tables import ControlTask
from tollgate.declarations.tables import FilingRecord, FilingVersion
from tollgate.errors import NotAuthorised
from tollgate.intake.service import submit
from tollgate.risk import service as risk
from tollgate.risk.consignments import assess_consignment_events
from tollgate.risk.tables import Assessment

NL_ANALYST = Actor("nl-analyst", None, "NL", frozenset({"analyst"}))
NL_OFFICER = Actor("nl-officer", None, "NL", frozenset({"officer"}))
TODAY = datetime.now(UTC).date()
PERIOD: dict[str, Any] = {"start": TODAY - timedelta(days=1), "end": TODAY}


def profile(pid: str, prefix: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": pid,
        "title": pid,
        "risk_area": "ipr",
        "risk_level": 40,
        "stage": "clearance",
        "control": "documentary",
        "rationale": "Seen in recent seizures.",
        "when": {"field": "item.commodity_code", "prefix": [prefix]},
        **extra,
    }


@pytest.fixture
def controlled(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """Three shirt and two shoe declarations controlled; shirts: two irregular (duties
    100 and 50) and one clean; shoes: both clean. A bag is released."""
    with factory() as session, session.begin():
        risk.import_profiles(
            session,
            actor=NL_ANALYST,
            activate=True,
            data=[
                profile("P-SHIRTS", "6109"),
                profile("P-SHOES", "6403"),
                profile("P-NEVER", "01"),
                profile("P-ENDING", "9701", valid_to=(TODAY + timedelta(days=10)).isoformat()),
            ],
        )
        records = [import_h1(lrn=f"SHIRT-{n}", htd=None) for n in range(3)]
        records += [
            import_h1(lrn=f"SHOE-{n}", htd=None, goods_items=[goods(commodity_code="64039900")])
            for n in range(2)
        ]
        records.append(
            import_h1(lrn="BAG", htd=None, goods_items=[goods(commodity_code="42022100")])
        )
        submit(session, actor=SYSTEM, records=records)
    risk.assess_pending(factory, actor=SYSTEM)
    assess_consignment_events(factory, actor=SYSTEM)
    assert controls.queue_controls(factory, actor=SYSTEM) == {"created": 5}
    outcomes = {
        "SHIRT-0": {"outcome": "irregularity", "irregularities": ["ipr"], "duties_at_stake": 100},
        "SHIRT-1": {"outcome": "irregularity", "irregularities": ["ipr"], "duties_at_stake": 50},
        "SHIRT-2": {"outcome": "no-irregularity"},
        "SHOE-0": {"outcome": "no-irregularity"},
        "SHOE-1": {"outcome": "no-irregularity"},
    }
    with factory() as session, session.begin():
        for task, lrn in session.execute(
            select(ControlTask, FilingRecord.lrn)
            .join(Assessment, Assessment.id == ControlTask.assessment_id)
            .join(FilingVersion, FilingVersion.id == Assessment.filing_version_id)
            .join(FilingRecord, FilingRecord.id == FilingVersion.filing_id)
        ):
            controls.record_result(session, NL_OFFICER, task.id, outcomes[lrn])
    return factory


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
