"""A consignment assessed as a whole and again at every change (issue 3 point 5), from
the consignment outbox, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factories import house, master
from tollgate.authorities.service import SYSTEM, Actor
from tollgate.intake.service import submit
from tollgate.risk import service
from tollgate.risk.consignments import assess_consignment_events
from tollgate.risk.tables import Assessment

NL_ANALYST = Actor("nl-analyst", None, "NL", frozenset({"analyst"}))


def profile(pid: str, when: dict[str, Any], control: str, area: str = "ipr") -> dict[str, Any]:
    return {
        "id": pid,
        "title": pid,
        "risk_area": area,
        "risk_level": 40,
        "stage": "pre-loading" if control == "do-not-load" else "pre-arrival",
        "control": control,
        "rationale": "Seen in recent seizures.",
        "when": when,
    }


def setup(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        service.import_profiles(
            session,
            actor=NL_ANALYST,
            activate=True,
            data=[
                # the goods are in the house filing ...
                profile(
                    "NL-SHIRTS", {"field": "item.commodity_code", "prefix": ["6109"]}, "documentary"
                ),
                # ... the flight only in the master filing
                profile(
                    "NL-FLIGHT",
                    {"field": "filing_type", "eq": "F11"},
                    "scan",
                    area="aviation-security",
                ),
            ],
        )


def consignment_assessments(factory: sessionmaker[Session]) -> list[Assessment]:
    with factory() as session:
        return list(
            session.scalars(
                select(Assessment)
                .where(Assessment.consignment_id.is_not(None))
                .order_by(Assessment.id)
            )
        )


def test_the_layers_of_a_consignment_are_assessed_together(
    factory: sessionmaker[Session],
) -> None:
    setup(factory)
    with factory() as session, session.begin():
        submit(session, actor=SYSTEM, records=[house(), master()])
    assert assess_consignment_events(factory, actor=SYSTEM) == {"scan": 1}
    (whole,) = consignment_assessments(factory)
    hits = {r["profile_id"]: r["filing"]["kind"] for r in whole.reasons}
    assert hits == {"NL-SHIRTS": "ens", "NL-FLIGHT": "ens"}
    assert {r["filing"]["lrn"] for r in whole.reasons} == {"H-0001", "M-0001"}
    assert whole.trigger.startswith("consignment:")
    # nothing changed, nothing to do
    assert assess_consignment_events(factory, actor=SYSTEM) == {}


def test_a_change_re_assesses_and_every_assessment_is_kept(
    factory: sessionmaker[Session],
) -> None:
    setup(factory)
    with factory() as session, session.begin():
        submit(session, actor=SYSTEM, records=[house()])
    assert assess_consignment_events(factory, actor=SYSTEM) == {"documentary": 1}
    with factory() as session, session.begin():
        submit(session, actor=SYSTEM, records=[master()])  # the carrier's layer arrives
    assert assess_consignment_events(factory, actor=SYSTEM) == {"scan": 1}
    first, second = consignment_assessments(factory)
    assert first.consignment_id == second.consignment_id
    assert [r["profile_id"] for r in first.reasons] == ["NL-SHIRTS"]
    assert sorted(r["profile_id"] for r in second.reasons) == ["NL-FLIGHT", "NL-SHIRTS"]


def test_a_profile_hitting_two_filings_counts_once(factory: sessionmaker[Session]) -> None:
    """By air (mode 4) is in the house and the master filing: one reason, from the house."""
    setup(factory)
    with factory() as session, session.begin():
        service.import_profiles(
            session,
            actor=NL_ANALYST,
            activate=True,
            data=[profile("NL-AIR", {"field": "transport.mode", "eq": "4"}, "documentary")],
        )
        submit(session, actor=SYSTEM, records=[house(), master()])
    assess_consignment_events(factory, actor=SYSTEM)
    (whole,) = consignment_assessments(factory)
    air = [r for r in whole.reasons if r["profile_id"] == "NL-AIR"]
    assert len(air) == 1 and air[0]["filing"]["lrn"] == "H-0001"
