"""Back-testing profiles over stored history (issue 3 point 6), on SQLite and PostgreSQL
with the rows in an embedded DuckDB store."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from conftest import World
from factories import goods, import_h1
from tollgate.audit.tables import AuditEntry
from tollgate.authorities.seed import seed_authorities
from tollgate.authorities.service import SYSTEM, Actor
from tollgate.cli.main import app
from tollgate.db import make_engine, session_factory, upgrade
from tollgate.declarations.tables import FilingLabel, FilingRecord
from tollgate.errors import NotAuthorised, NotFound, ValidationFailed
from tollgate.intake.service import submit
from tollgate.risk import service
from tollgate.risk.backtest import backtest
from tollgate.risk.history import History

NL_ANALYST = Actor("nl-analyst", None, "NL", frozenset({"analyst"}))
NL_COORDINATOR = Actor("nl-coordinator", None, "NL", frozenset({"coordinator"}))
DE_ANALYST = Actor("de-analyst", None, "DE", frozenset({"analyst"}))


def h1(lrn: str, day: int, code: str, origin: str, office: str = "NL000396") -> dict[str, Any]:
    return import_h1(
        lrn=lrn,
        htd=None,
        lodged_at=f"2026-11-{day:02d}T09:00:00Z",
        office_of_lodgement=office,
        goods_items=[goods(commodity_code=code, origin_country=origin)],
    )


def profile(pid: str, when: dict[str, Any], control: str = "documentary") -> dict[str, Any]:
    return {
        "id": pid,
        "title": f"profile {pid}",
        "risk_area": "ipr",
        "risk_level": 40,
        "stage": "clearance",
        "control": control,
        "rationale": "Seen in recent seizures.",
        "when": when,
    }


SHIRTS = {"field": "item.commodity_code", "prefix": ["6109"]}
SHIRTS_FROM_BD = {
    "all": [
        {"field": "item.commodity_code", "prefix": ["6109"]},
        {"field": "item.origin_country", "eq": "BD"},
    ]
}


@pytest.fixture
def history(factory: sessionmaker[Session], tmp_path: Path) -> History:
    """NL history: four shirts (two from BD), a shoe, one filing out of the period, and a
    DE filing that NL must never see; fraud labels on some."""
    with factory() as session, session.begin():
        submit(
            session,
            actor=SYSTEM,
            records=[
                h1("A", 2, "61091000", "BD"),
                h1("B", 2, "61091000", "BD"),
                h1("C", 3, "61091000", "CN"),
                h1("D", 4, "61099020", "CN"),
                h1("E", 4, "64039900", "VN"),
                h1("F", 20, "61091000", "BD"),  # outside 1..10 November
                h1("G", 3, "61091000", "BD", office="DE004851"),
            ],
        )
        labels = {"A": "1", "B": "0", "C": "1", "G": "1"}
        for filing in session.scalars(select(FilingRecord)):
            if filing.lrn in labels:
                session.add(
                    FilingLabel(filing_id=filing.id, name="fraud", value=labels[filing.lrn])
                )
        service.import_profiles(
            session,
            actor=NL_ANALYST,
            data={"profiles": [profile("NL-SHIRTS-BD", SHIRTS_FROM_BD)]},
            activate=True,
        )
    store = History(tmp_path / "history.duckdb")
    assert store.refresh(factory) == (7, 0)
    return store


def run(
    factory: sessionmaker[Session], store: History, actor: Actor = NL_ANALYST, **kw: Any
) -> Any:
    with factory() as session, session.begin():
        return backtest(
            session, store, actor=actor, start=date(2026, 11, 1), end=date(2026, 11, 10), **kw
        )


def test_a_draft_profile_counts_hits_hit_rate_and_outcomes_in_the_period_only(
    factory: sessionmaker[Session], history: History
) -> None:
    result = run(factory, history, drafts={"profiles": [profile("DRAFT", SHIRTS, "physical")]})
    assert result.declarations == 5  # A..E: F is outside the period, G is German
    (draft,) = result.profiles
    assert (draft.profile_id, draft.version, draft.hits) == ("DRAFT", None, 4)
    assert draft.hit_rate == pytest.approx(4 / 5)
    assert (draft.with_outcome, draft.irregular, draft.precision) == (3, 2, pytest.approx(2 / 3))
    assert draft.additional is None  # not compared with the active set
    assert result.selected == 4


def test_compared_with_the_active_set_a_draft_shows_what_it_adds(
    factory: sessionmaker[Session], history: History
) -> None:
    result = run(factory, history, drafts=[profile("DRAFT", SHIRTS, "physical")], active=True)
    (draft,) = result.profiles  # the active profiles are the baseline, not listed
    assert draft.hits == 4 and draft.additional == 2  # A and B are selected already


def test_workload_per_office_and_day_takes_the_strongest_control(
    factory: sessionmaker[Session], history: History
) -> None:
    result = run(
        factory,
        history,
        drafts=[profile("WEAK", SHIRTS), profile("STRONG", SHIRTS_FROM_BD, "physical")],
    )
    work = {(w.office, w.control): (w.per_day, w.busiest_day) for w in result.workload}
    # A, B physical on the 2nd; C, D documentary on the 3rd and 4th; ten days
    assert work == {
        ("NL000396", "physical"): (pytest.approx(0.2), 2),
        ("NL000396", "documentary"): (pytest.approx(0.2), 1),
    }


def test_samples_show_the_values_the_profile_read(
    factory: sessionmaker[Session], history: History
) -> None:
    result = run(factory, history, profile_ids=["NL-SHIRTS-BD"], samples=1)
    (stored,) = result.profiles
    assert (stored.profile_id, stored.version, stored.hits) == ("NL-SHIRTS-BD", 1, 2)
    (sample,) = stored.samples
    assert sample["matched"] == {"item.commodity_code": "61091000", "item.origin_country": "BD"}
    assert sample["item"] == 1 and sample["office"] == "NL000396"


def test_names_in_samples_are_withheld_from_who_may_not_read_personal_data(
    factory: sessionmaker[Session], history: History
) -> None:
    by_name = profile("NAMES", {"field": "importer.name", "exists": True})
    by_name["when"] = {"field": "consignee.name", "exists": True}
    seen = run(factory, history, drafts=[by_name], samples=1).profiles[0].samples[0]
    assert seen["matched"] == {"consignee.name": "JANSEN MODE BV"}
    hidden = run(factory, history, NL_COORDINATOR, drafts=[by_name], samples=1)
    assert hidden.profiles[0].samples[0]["matched"] == {"consignee.name": "(withheld)"}


def test_an_amendment_replaces_the_rows_of_the_version_it_supersedes(
    factory: sessionmaker[Session], history: History
) -> None:
    with factory() as session, session.begin():
        submit(session, actor=SYSTEM, records=[h1("C", 3, "61091000", "BD")])
    assert history.refresh(factory) == (1, 1)
    assert history.refresh(factory) == (0, 0)
    result = run(factory, history, profile_ids=["NL-SHIRTS-BD"])
    assert result.profiles[0].hits == 3


def test_every_back_test_is_audited(factory: sessionmaker[Session], history: History) -> None:
    run(factory, history, profile_ids=["NL-SHIRTS-BD"])
    with factory() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "backtest")).one()
        assert entry.actor == "nl-analyst" and entry.object_id == "NL/2026-11-01..2026-11-10"


def test_bad_requests_are_refused_with_their_reason(
    factory: sessionmaker[Session], history: History
) -> None:
    with pytest.raises(ValidationFailed) as invalid:
        run(factory, history, drafts=[profile("BAD", {"field": "item.nope", "eq": "1"})])
    assert invalid.value.details == [
        {"path": "profiles[0].when.field", "reason": "unknown field 'item.nope'"}
    ]
    with pytest.raises(ValidationFailed, match="nothing to back-test"):
        run(factory, history)
    with pytest.raises(NotFound, match="NL-NOPE"):
        run(factory, history, profile_ids=["NL-NOPE"])
    with pytest.raises(NotAuthorised):
        run(factory, history, DE_ANALYST, profile_ids=["NL-SHIRTS-BD"], authority="NL")
    with factory() as session, pytest.raises(ValidationFailed, match="ends"):
        backtest(
            session,
            history,
            actor=NL_ANALYST,
            start=date(2026, 2, 1),
            end=date(2026, 1, 1),
            active=True,
        )


def test_an_authority_back_tests_on_its_own_history_only(
    factory: sessionmaker[Session], history: History
) -> None:
    result = run(factory, history, DE_ANALYST, drafts=[profile("DE-SHIRTS", SHIRTS)])
    assert result.declarations == 1 and result.profiles[0].hits == 1
    assert result.profiles[0].precision == 1.0


def test_a_store_beside_a_rebuilt_database_drops_the_rows_its_ids_no_longer_mean(
    history: History, tmp_path: Path
) -> None:
    rebuilt = make_engine(f"sqlite:///{tmp_path / 'rebuilt.db'}")
    upgrade(rebuilt)
    other = session_factory(rebuilt)
    with other() as session, session.begin():
        seed_authorities(session)
        submit(session, actor=SYSTEM, records=[h1("Z", 2, "64039900", "VN")])
    assert history.refresh(other) == (1, 7)  # version id 1 is reused with other content
    with history.connection() as con:
        assert con.execute("SELECT count(*) FROM facts").fetchall() == [(1,)]
    rebuilt.dispose()


def test_the_cli_refreshes_the_history_and_back_tests_a_draft_file(
    cli_db: str, factory: sessionmaker[Session], tmp_path: Path
) -> None:
    runner = CliRunner()
    with factory() as session, session.begin():
        submit(
            session,
            actor=SYSTEM,
            records=[h1("A", 2, "61091000", "BD"), h1("B", 3, "64039900", "VN")],
        )
    drafts = tmp_path / "drafts.yaml"
    drafts.write_text(yaml.safe_dump({"profiles": [profile("DRAFT", SHIRTS, "physical")]}))
    args = ["risk", "backtest", str(drafts), "--from", "2026-11-01", "--to", "2026-11-10"]
    result = runner.invoke(app, [*args, "--authority", "NL", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output[result.output.index("{") :])
    assert body["declarations"] == 2 and body["profiles"][0]["hits"] == 1
    assert body["workload"] == [
        {"office": "NL000396", "control": "physical", "per_day": 0.1, "busiest_day": 1}
    ]
    refused = runner.invoke(
        app, [*args[:3], "--from", "yesterday", "--to", "2026-11-10", "--authority", "NL"]
    )
    assert refused.exit_code == 2 and "not a date" in refused.output
    made = runner.invoke(
        app,
        [
            "risk",
            "benchmarks",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-10",
            "--authority",
            "NL",
            "--min-items",
            "5",
        ],
    )
    assert made.exit_code == 0, made.output
    assert "benchmarks of NL v1: 0 stored\nfrom 2 goods items" in made.output


def test_the_api_back_tests_a_draft_on_the_callers_history(
    factory: sessionmaker[Session], client: TestClient, world: World
) -> None:
    with factory() as session, session.begin():
        submit(
            session,
            actor=SYSTEM,
            records=[h1("A", 2, "61091000", "BD"), h1("B", 3, "64039900", "VN")],
        )
    body = {"from": "2026-11-01", "to": "2026-11-10", "drafts": [profile("DRAFT", SHIRTS)]}
    assert client.post("/risk/backtest", json=body).status_code == 401
    found = client.post("/risk/backtest", json=body, headers=world.headers("nl-analyst"))
    assert found.status_code == 200, found.text
    result = found.json()
    assert result["declarations"] == 2 and result["profiles"][0]["hits"] == 1
    assert result["profiles"][0]["samples"][0]["matched"] == {"item.commodity_code": "61091000"}
    de = client.post("/risk/backtest", json=body, headers=world.headers("de-analyst"))
    assert de.json()["declarations"] == 0  # the German analyst sees German history only
    bad = body | {"drafts": [profile("BAD", {"field": "nope", "eq": "1"})]}
    refused = client.post("/risk/backtest", json=bad, headers=world.headers("nl-analyst"))
    assert refused.status_code == 422
    assert refused.json()["details"] == [
        {"path": "profiles[0].when.field", "reason": "unknown field 'nope'"}
    ]
    backwards = body | {"from": "2026-12-01"}
    assert (
        client.post(
            "/risk/backtest", json=backwards, headers=world.headers("nl-analyst")
        ).status_code
        == 422
    )
    assert (
        client.post("/risk/backtest", json=body, headers=world.headers("nl-intake")).status_code
        == 403
    )
