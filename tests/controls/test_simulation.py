"""Control results simulated from the ground truth (issue 4 point 6), on SQLite and
PostgreSQL: planted frauds become irregularities of their type with duties and seizures,
everything else is clean, officers miss some reproducibly, and nothing is done twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from factories import goods, house, import_h1, master
from tollgate.audit.tables import AuditEntry
from tollgate.authorities.service import SYSTEM, Actor
from tollgate.cli.main import app
from tollgate.consignments.tables import ConsignmentMember
from tollgate.controls import service as controls
from tollgate.controls.simulation import SIMULATED_OFFICER, detected, simulate_results
from tollgate.controls.tables import ControlResult, ControlTask, Seizure
from tollgate.declarations.tables import FilingRecord
from tollgate.errors import NotAuthorised, ValidationFailed
from tollgate.intake.service import submit
from tollgate.risk import service as risk
from tollgate.risk.consignments import assess_consignment_events

NL_ANALYST = Actor("nl-analyst", None, "NL", frozenset({"analyst"}))
IMPORTER = "NL123456789"

SHIRTS = {
    "id": "NL-SHIRTS",
    "title": "Shirts",
    "risk_area": "ipr",
    "risk_level": 40,
    "stage": "clearance",
    "control": "documentary",
    "rationale": "Seen in recent seizures.",
    "when": {"field": "item.commodity_code", "prefix": ["6109"]},
}


def label(kind: str, filer: str, lrn: str, **details: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": kind,
        "filer": filer,
        "lrn": lrn,
        "consignment": "C",
        "labels": list(details),
        "details": details,
    }


#: what the generator would have written for the world below; MISCL, VAGUE and the
#: house/import pair carry their label in the entry summary or declaration as it does
LABELS = [
    label(
        "import",
        IMPORTER,
        "UNDER",
        undervaluation={"item": 1, "declared_value": 2400, "true_value": 9600},
        dq_implausible_mass={"item": 1, "gross_mass": 80, "net_mass": 110},
    ),
    label(
        "import",
        IMPORTER,
        "MISCL",
        misclassification={"item": 1, "declared_code": "61091000", "true_code": "610990"},
    ),
    label(
        "import",
        IMPORTER,
        "ORIGIN",
        origin_laundering={"item": 1, "declared_origin": "VN", "true_origin": "CN"},
    ),
    label("import", IMPORTER, "VAGUE", vague_description={"item": 1, "description": "Gifts"}),
    label(
        "import",
        IMPORTER,
        "DQ",
        dq_incomplete={"field": "consignee.address"},
        known_bad_actor={"parties": [{"role": "importer", "eori": IMPORTER, "name": "J"}]},
    ),
    *(
        label(
            kind,
            filer,
            lrn,
            restricted_goods={"item": 1, "commodity_code": "610910", "regime": "counterfeit"},
        )
        for kind, filer, lrn in (("ens", "NL100000001", "H-0001"), ("import", IMPORTER, "LINKED"))
    ),
]

#: import LRN of each subject → (irregularities, duties at stake) with every fraud found
FOUND: dict[str, tuple[list[str], float]] = {
    "UNDER": (["undervaluation"], 2160.0),  # 30% of the 7200 not declared
    "MISCL": (["misclassification"], 144.0),  # 6% of 2400
    "ORIGIN": (["origin"], 300.0),  # 30% of item 1's 1000, not of item 2
    "VAGUE": (["other"], 0.0),
    "DQ": ([], 0.0),
    "CLEAN": ([], 0.0),
    "LINKED": (["prohibited-restricted"], 0.0),
}


def records(lodged_at: str = "2026-11-21T09:00:00Z") -> list[dict[str, Any]]:
    alone: dict[str, Any] = {"htd": None, "lodged_at": lodged_at}
    return [
        *(import_h1(lrn=lrn, **alone) for lrn in ("UNDER", "MISCL", "VAGUE", "DQ", "CLEAN")),
        import_h1(
            lrn="ORIGIN",
            goods_items=[
                goods(commodity_code="61091000", item_price="1000.00"),
                goods(2, commodity_code="61091000", item_price="500.00"),
            ],
            **alone,
        ),
        # the house and master filings and an import declaration: one consignment
        house(),
        master(),
        import_h1(lrn="LINKED", lodged_at=lodged_at),
    ]


def assess(factory: sessionmaker[Session]) -> None:
    risk.assess_pending(factory, actor=SYSTEM)
    assess_consignment_events(factory, actor=SYSTEM)


@pytest.fixture
def planted(factory: sessionmaker[Session], tmp_path: Path) -> Path:
    """Seven shirt subjects, assessed (every one selected, nothing queued yet); returns
    the labels file."""
    with factory() as session, session.begin():
        risk.import_profiles(session, actor=NL_ANALYST, activate=True, data=[SHIRTS])
        submit(session, actor=SYSTEM, records=records())
    assess(factory)
    path = tmp_path / "labels.jsonl"
    path.write_bytes(b"".join(orjson.dumps(x) + b"\n" for x in LABELS))
    return path


def tasks_by_lrn(session: Session) -> dict[str, ControlTask]:
    """The newest task of each subject, by the subject's import LRN."""
    out = {}
    for task in session.scalars(select(ControlTask).order_by(ControlTask.id)):
        lrn = session.scalar(
            select(FilingRecord.lrn)
            .join(ConsignmentMember, ConsignmentMember.filing_id == FilingRecord.id)
            .where(
                ConsignmentMember.consignment_id == int(task.subject.removeprefix("consignment:")),
                FilingRecord.kind == "import",
            )
        )
        out[str(lrn)] = task
    return out


def results(factory: sessionmaker[Session]) -> dict[str, tuple[str, list[str], float, bool]]:
    """The result of each subject's newest task, by the subject's import LRN."""
    out = {}
    with factory() as session:
        for lrn, task in tasks_by_lrn(session).items():
            (r,) = controls.results_of(session, SYSTEM, task.id)
            out[lrn] = (r.outcome, r.irregularities, r.duties_at_stake, r.seizure_id is not None)
    return out


def test_planted_frauds_are_found_as_their_type_and_the_rest_is_clean(
    factory: sessionmaker[Session], planted: Path
) -> None:
    assert controls.queue_controls(factory, actor=SYSTEM) == {"created": 7}
    with factory() as session, session.begin():
        # two random controls (RM-12): one finds the undervaluation, one finds nothing
        by_lrn = tasks_by_lrn(session)
        by_lrn["UNDER"].random = by_lrn["CLEAN"].random = True
    counts = simulate_results(factory, planted, actor=SIMULATED_OFFICER, seed=1, detection=1.0)
    assert counts == {
        "irregularity": 5,
        "no-irregularity": 2,
        "random": 2,
        "random-irregularity": 1,
        "type:undervaluation": 1,
        "type:misclassification": 1,
        "type:origin": 1,
        "type:other": 1,
        "type:prohibited-restricted": 1,
        "seizures": 1,
        "duties_at_stake": 2604,
    }
    found = results(factory)
    assert {lrn: (irr, duties) for lrn, (_, irr, duties, _) in found.items()} == FOUND
    for lrn, (outcome, irregularities, _, seized) in found.items():
        assert outcome == ("irregularity" if irregularities else "no-irregularity"), lrn
        assert seized == (lrn == "LINKED"), lrn
    with factory() as session:
        (seizure,) = session.scalars(select(Seizure)).all()
        assert (seizure.goods, seizure.commodity_code, seizure.quantity, seizure.unit) == (
            "Men's cotton knitted T-shirts (counterfeit)",
            "610910",
            10.0,
            "packages",
        )
        assert (seizure.value, seizure.place) == (2400.0, "NL000396")
        rows = session.scalars(select(ControlResult)).all()
        assert {(r.recorded_by, r.version) for r in rows} == {("simulated-officer", 1)}
        assert {t.status for t in session.scalars(select(ControlTask))} == {"closed"}
        audited = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "record_control_result")
        ).all()
        assert len(audited) == 7 and {a.actor for a in audited} == {"simulated-officer"}
    # every task is closed: a second run has nothing to do
    assert simulate_results(factory, planted, actor=SIMULATED_OFFICER, seed=1) == {}


def test_officers_who_detect_nothing_record_clean_controls(
    factory: sessionmaker[Session], planted: Path
) -> None:
    controls.queue_controls(factory, actor=SYSTEM)
    counts = simulate_results(factory, planted, actor=SIMULATED_OFFICER, seed=1, detection=0.0)
    # five subjects carried a planted fraud, all missed; DQ and the bad actor were none
    assert counts == {"no-irregularity": 7, "missed": 5}
    assert {outcome for outcome, *_ in results(factory).values()} == {"no-irregularity"}
    with factory() as session:
        assert session.scalars(select(Seizure)).all() == []


def test_a_filing_outside_any_consignment_is_its_own_subject(
    factory: sessionmaker[Session], planted: Path
) -> None:
    controls.queue_controls(factory, actor=SYSTEM)
    with factory() as session, session.begin():
        task = tasks_by_lrn(session)["UNDER"]
        fid = session.scalar(select(FilingRecord.id).where(FilingRecord.lrn == "UNDER"))
        task.subject = f"filing:{fid}"
        task_id = task.id
    simulate_results(factory, planted, actor=SIMULATED_OFFICER, seed=1, detection=1.0)
    with factory() as session:
        (r,) = controls.results_of(session, SYSTEM, task_id)
        assert (r.outcome, r.irregularities, r.duties_at_stake) == (
            "irregularity",
            ["undervaluation"],
            2160.0,
        )


def test_the_same_seed_gives_the_same_results(
    factory: sessionmaker[Session], planted: Path
) -> None:
    controls.queue_controls(factory, actor=SYSTEM)
    first = simulate_results(factory, planted, actor=SIMULATED_OFFICER, seed="s", detection=0.5)
    assert 0 < first["missed"] < 5  # some found, some missed
    before = results(factory)
    # every filing is amended: each subject is assessed again and controlled again
    with factory() as session, session.begin():
        submit(session, actor=SYSTEM, records=records(lodged_at="2026-11-21T10:00:00Z"))
    assess(factory)
    assert controls.queue_controls(factory, actor=SYSTEM) == {"created": 7}
    again = simulate_results(factory, planted, actor=SIMULATED_OFFICER, seed="s", detection=0.5)
    assert again == first
    assert results(factory) == before


def test_detection_draws_are_reproducible_and_at_the_rate() -> None:
    carriers = [[("import", IMPORTER, f"L{n}")] for n in range(4000)]
    draws = [detected(7, "origin", c, 0.9) for c in carriers]
    assert draws == [detected(7, "origin", c, 0.9) for c in carriers]
    assert 0.88 < sum(draws) / len(draws) < 0.92
    assert draws != [detected(8, "origin", c, 0.9) for c in carriers]
    # one draw per irregularity, whichever filings carry it and in whatever order
    pair = [("ens", "X", "1"), ("import", "Y", "2")]
    assert all(
        detected(s, "other", pair, 0.5) == detected(s, "other", pair[::-1], 0.5) for s in range(50)
    )


def test_only_officers_simulate_and_only_their_authoritys_tasks(
    factory: sessionmaker[Session], planted: Path
) -> None:
    controls.queue_controls(factory, actor=SYSTEM)
    with pytest.raises(NotAuthorised):
        simulate_results(factory, planted, actor=NL_ANALYST, seed=1)
    de_officer = Actor("de-sim", None, "DE", frozenset({"officer"}))
    assert simulate_results(factory, planted, actor=de_officer, seed=1) == {}
    nl_officer = Actor("nl-sim", None, "NL", frozenset({"officer"}))
    assert simulate_results(factory, planted, actor=nl_officer, seed=1)["irregularity"] >= 1


def test_a_malformed_labels_file_is_refused_with_its_line(
    factory: sessionmaker[Session], planted: Path
) -> None:
    planted.write_bytes(planted.read_bytes() + b'{"kind": "ens"}\n')
    controls.queue_controls(factory, actor=SYSTEM)
    with pytest.raises(ValidationFailed, match=f"line {len(LABELS) + 1} "):
        simulate_results(factory, planted, actor=SIMULATED_OFFICER, seed=1)
    with pytest.raises(ValidationFailed, match="detection"):
        simulate_results(factory, planted, actor=SIMULATED_OFFICER, seed=1, detection=1.5)
    with factory() as session:
        assert session.scalars(select(ControlResult)).all() == []


runner = CliRunner()


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_queues_lists_and_simulates(cli_db: str, planted: Path) -> None:
    assert "control tasks: 7 queued, 0 superseded" in invoke("controls", "queue")
    assert "7 of 7 open tasks (offset 0)" in invoke("controls", "tasks")
    page = invoke("controls", "tasks", "--office", "NL000396", "--offset", "5", "--limit", "10")
    assert "consignment:" in page and "2 of 7 open tasks (offset 5)" in page
    assert "0 of 0 open tasks" in invoke("controls", "tasks", "--office", "DE004851")
    out = invoke("controls", "simulate", str(planted), "--detection", "1", "--seed", "x")
    for text in ("undervaluation", "prohibited-restricted", "origin", "other"):
        assert text in out
    assert "risk-based" in out and "71.4%" in out  # five irregular of seven controlled
    assert "EUR 2,604" in out and "1 seizures" in out
    assert "7 of 7 closed tasks" in invoke("controls", "tasks", "--status", "closed")
    assert "no open control tasks" in invoke("controls", "simulate", str(planted))
    bad = runner.invoke(app, ["controls", "simulate", str(planted), "--detection", "2"])
    assert bad.exit_code == 2
