"""Control tasks queued from assessments and the results officers record (issue 4 points
1 and 2; RM-10, RM-11, RM-12, RM-26), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factories import goods, house, import_h1, master
from tollgate.audit.tables import AuditEntry
from tollgate.authorities import service as authorities
from tollgate.authorities.service import SYSTEM, Actor
from tollgate.controls import service as controls
from tollgate.controls.tables import ControlResult, ControlTask, Seizure
from tollgate.errors import Conflict, NotAuthorised, NotFound, ValidationFailed
from tollgate.intake.service import submit
from tollgate.risk import service as risk
from tollgate.risk.consignments import assess_consignment_events
from tollgate.risk.tables import Assessment

NL_ANALYST = Actor("nl-analyst", None, "NL", frozenset({"analyst"}))
NL_OFFICER = Actor("nl-officer", None, "NL", frozenset({"officer"}))
DE_OFFICER = Actor("de-officer", None, "DE", frozenset({"officer"}))

SHIRTS = {"field": "item.commodity_code", "prefix": ["6109"]}
SHOES = {"field": "item.commodity_code", "prefix": ["6403"]}


def profile(pid: str, when: dict[str, Any], control: str, stage: str) -> dict[str, Any]:
    return {
        "id": pid,
        "title": pid,
        "risk_area": "aviation-security" if control == "do-not-load" else "ipr",
        "risk_level": 40,
        "stage": stage,
        "control": control,
        "rationale": "Seen in recent seizures.",
        "when": when,
    }


def assess(factory: sessionmaker[Session]) -> dict[str, int]:
    risk.assess_pending(factory, actor=SYSTEM)
    assess_consignment_events(factory, actor=SYSTEM)
    return controls.queue_controls(factory, actor=SYSTEM)


@pytest.fixture
def queued(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """Shirts (documentary at clearance) in an import declaration and in an air
    consignment (house and master filings); shoes are released."""
    with factory() as session, session.begin():
        risk.import_profiles(
            session,
            actor=NL_ANALYST,
            activate=True,
            data=[profile("NL-SHIRTS", SHIRTS, "documentary", "clearance")],
        )
        submit(
            session,
            actor=SYSTEM,
            records=[
                import_h1(lrn="ALONE", htd=None),
                import_h1(lrn="SHOES", htd=None, goods_items=[goods(commodity_code="64039900")]),
                house(),
                master(),
            ],
        )
        for name, code in (("nl-officer", "NL"), ("de-officer", "DE")):
            authorities.create_user(
                session, actor=SYSTEM, authority_code=code, username=name, roles=["officer"]
            )
    assert assess(factory) == {"created": 2}
    return factory


def tasks(factory: sessionmaker[Session]) -> list[ControlTask]:
    with factory() as session:
        return list(session.scalars(select(ControlTask).order_by(ControlTask.id)))


def test_one_task_per_subject_with_a_control_and_a_deadline_by_stage(
    queued: sessionmaker[Session],
) -> None:
    standalone, consignment = tasks(queued)
    # an import declaration is a consignment of its own; the house and master filings
    # make one consignment, whose combined decision is the one task
    assert standalone.subject.startswith("consignment:")
    assert consignment.subject.startswith("consignment:")
    assert standalone.subject != consignment.subject
    for task in (standalone, consignment):
        assert (task.control, task.stage, task.status, task.office) == (
            "documentary",
            "clearance",
            "open",
            "NL000396",
        )
        with queued() as session:
            assessment = session.get(Assessment, task.assessment_id)
            assert assessment is not None
            assert task.due_at - assessment.assessed_at == timedelta(hours=24)
    assert controls.queue_controls(queued, actor=SYSTEM) == {}  # nothing twice


def test_a_newer_assessment_supersedes_the_open_task(queued: sessionmaker[Session]) -> None:
    with queued() as session, session.begin():
        risk.import_profiles(
            session,
            actor=NL_ANALYST,
            activate=True,
            data=[
                profile("NL-SHIRTS", SHIRTS, "documentary", "clearance"),
                profile(
                    "NL-AIR", {"field": "transport.mode", "eq": "4"}, "do-not-load", "pre-loading"
                ),
            ],
        )
        # the carrier amends its master filing: the consignment is assessed again
        submit(session, actor=SYSTEM, records=[master(total_packages=11)])
    assert assess(queued) == {"superseded": 1, "created": 1}
    (old,) = [t for t in tasks(queued) if t.status == "superseded"]
    new = tasks(queued)[-1]
    assert old.subject == new.subject
    assert (new.control, new.stage, new.status) == ("do-not-load", "pre-loading", "open")
    with queued() as session:
        assessment = session.get(Assessment, new.assessment_id)
        assert assessment is not None
        assert new.due_at - assessment.assessed_at == timedelta(minutes=30)


def test_the_queue_is_the_authoritys_most_urgent_first(queued: sessionmaker[Session]) -> None:
    with queued() as session:
        page = controls.list_tasks(session, NL_OFFICER, limit=1)
        assert page.total == 2 and len(page.tasks) == 1
        assert controls.list_tasks(session, DE_OFFICER).total == 0
        assert controls.list_tasks(session, NL_OFFICER, office="DE004851").total == 0


def test_tasks_go_to_officers_of_their_own_authority(queued: sessionmaker[Session]) -> None:
    task = tasks(queued)[0]
    with queued() as session, session.begin():
        assert controls.assign_task(session, NL_OFFICER, task.id, "nl-officer").assigned_to
        with pytest.raises(ValidationFailed, match="no officer"):
            controls.assign_task(session, NL_OFFICER, task.id, "de-officer")
        with pytest.raises(NotFound):
            controls.assign_task(session, DE_OFFICER, task.id, "de-officer")
        with pytest.raises(NotAuthorised):
            controls.assign_task(session, NL_ANALYST, task.id, "nl-officer")


SEIZURE = {
    "goods": "Counterfeit branded T-shirts",
    "commodity_code": "610910",
    "quantity": 400,
    "unit": "pieces",
    "value": 6000,
    "place": "NLAMS",
    "seized_at": "2026-11-21T10:00:00Z",
}


def test_rm_26_a_result_closes_the_task_and_a_seizure_is_recorded_once(
    queued: sessionmaker[Session],
) -> None:
    first, second = tasks(queued)
    with queued() as session, session.begin():
        result = controls.record_result(
            session,
            NL_OFFICER,
            first.id,
            {
                "outcome": "irregularity",
                "irregularities": ["ipr"],
                "duties_at_stake": 1250.5,
                "seizure": SEIZURE,
            },
        )
        assert result.version == 1 and result.seizure_id is not None
        # the same seizure, found again through the consignment: referenced, not re-entered
        other = controls.record_result(
            session,
            NL_OFFICER,
            second.id,
            {"outcome": "irregularity", "irregularities": ["ipr"], "seizure_id": result.seizure_id},
        )
        assert other.seizure_id == result.seizure_id
    with queued() as session:
        assert len(session.scalars(select(Seizure)).all()) == 1
        assert {t.status for t in session.scalars(select(ControlTask))} == {"closed"}
        actions = session.scalars(select(AuditEntry.action)).all()
        assert actions.count("record_control_result") == 2


def test_a_correction_is_a_new_version_never_an_overwrite(queued: sessionmaker[Session]) -> None:
    task = tasks(queued)[0]
    clean = {"outcome": "no-irregularity"}
    with queued() as session, session.begin():
        controls.record_result(session, NL_OFFICER, task.id, clean)
        with pytest.raises(Conflict, match="correction"):
            controls.record_result(session, NL_OFFICER, task.id, clean)
        corrected = controls.record_result(
            session,
            NL_OFFICER,
            task.id,
            {
                "outcome": "irregularity",
                "irregularities": ["undervaluation"],
                "duties_at_stake": 310,
                "correction": True,
                "note": "The invoice was forged; the price was four times higher.",
            },
        )
        assert corrected.version == 2
    with queued() as session:
        versions = controls.results_of(session, NL_OFFICER, task.id)
        assert [(r.version, r.outcome) for r in versions] == [
            (1, "no-irregularity"),
            (2, "irregularity"),
        ]


@pytest.mark.parametrize(
    ("data", "field", "reason"),
    [
        ({"outcome": "irregularity"}, "$", "needs its type"),
        ({"outcome": "no-irregularity", "duties_at_stake": 5}, "$", "no duties at stake"),
        ({"outcome": "no-irregularity", "seizure": SEIZURE}, "$", "a seizure needs"),
        (
            {"outcome": "irregularity", "irregularities": ["smuggling"]},
            "irregularities.0",
            "Input should be",
        ),
        (
            {"outcome": "irregularity", "irregularities": ["ipr"], "duties_at_stake": -1},
            "duties_at_stake",
            "greater than or equal",
        ),
        (
            {
                "outcome": "irregularity",
                "irregularities": ["ipr"],
                "seizure": SEIZURE | {"quantity": 0},
            },
            "seizure.quantity",
            "greater than 0",
        ),
        ({"outcome": "maybe"}, "outcome", "Input should be"),
        ({"outcome": "no-irregularity", "correction": True}, "$", "says why"),
    ],
)
def test_inconsistent_results_are_refused_with_the_field_and_reason(
    queued: sessionmaker[Session], data: dict[str, Any], field: str, reason: str
) -> None:
    task = tasks(queued)[0]
    with queued() as session, session.begin(), pytest.raises(ValidationFailed) as exc:
        controls.record_result(session, NL_OFFICER, task.id, data)
    (detail,) = exc.value.details
    assert detail["field"] == field and reason in detail["reason"]
    with queued() as session:
        assert session.scalars(select(ControlResult)).all() == []


def test_results_for_foreign_superseded_or_unknown_tasks_are_refused(
    queued: sessionmaker[Session],
) -> None:
    task = tasks(queued)[0]
    clean = {"outcome": "no-irregularity"}
    with queued() as session, session.begin():
        with pytest.raises(NotFound):
            controls.record_result(session, DE_OFFICER, task.id, clean)
        with pytest.raises(NotFound):
            controls.record_result(session, NL_OFFICER, 999_999, clean)
        with pytest.raises(ValidationFailed, match="no result to correct"):
            controls.record_result(
                session, NL_OFFICER, task.id, clean | {"correction": True, "note": "typo"}
            )
        session.get(ControlTask, task.id).status = "superseded"  # type: ignore[union-attr]
    with queued() as session, session.begin(), pytest.raises(Conflict, match="superseded"):
        controls.record_result(session, NL_OFFICER, task.id, clean)
