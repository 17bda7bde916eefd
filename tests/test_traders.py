"""The trader register (RM-23 AEO status, RM-24 segments): all-or-nothing imports with
precise errors, authority isolation, and what assessment reads from it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from factories import import_h1
from tollgate.audit.tables import AuditEntry
from tollgate.authorities.service import SYSTEM, Actor
from tollgate.authorities.tables import Authority
from tollgate.cli.main import app
from tollgate.errors import NotAuthorised, ValidationFailed
from tollgate.intake.service import submit
from tollgate.risk import service as risk
from tollgate.risk.tables import Assessment
from tollgate.traders import service
from tollgate.traders.tables import RegisteredTrader

NL_ANALYST = Actor("nl-analyst", None, "NL", frozenset({"analyst"}))
NL_OFFICER = Actor("nl-officer", None, "NL", frozenset({"officer"}))

RECORDS = [
    {"eori": "NL123456789", "aeo": "AEOF", "aeo_valid_until": "2027-12-31", "segment": "large"},
    {"eori": "CN9876543210", "aeo": "AEOS", "aeo_recognised_from": "CN"},
    {"eori": "NL999999999", "segment": "sme"},
    {"eori": "NL555555555", "aeo": "AEOC", "aeo_valid_until": "2026-01-31"},
]


def nl(session: Session) -> int:
    return session.scalars(select(Authority.id).where(Authority.code == "NL")).one()


def test_rm_23_aeo_status_is_read_with_validity_and_mutual_recognition(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session, session.begin():
        result = service.import_register(session, actor=NL_ANALYST, records=RECORDS)
        assert (result.created, result.updated, result.unchanged) == (4, 0, 0)
    with factory() as session:
        seen = service.traders_for(
            session,
            nl(session),
            ["NL123456789", "CN9876543210", "NL999999999", "NL555555555", "NL000000001"],
            date(2026, 11, 23),
        )
    assert {e: (t.aeo, t.segment) for e, t in seen.items()} == {
        "NL123456789": (True, "large"),
        "CN9876543210": (True, None),  # recognised under the EU-China agreement
        "NL999999999": (False, "sme"),
        "NL555555555": (False, None),  # expired in January
    }


def test_reimport_updates_changed_traders_only_and_is_audited(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session, session.begin():
        service.import_register(session, actor=NL_ANALYST, records=RECORDS)
    changed = [dict(RECORDS[2], segment="large"), RECORDS[0]]
    with factory() as session, session.begin():
        result = service.import_register(session, actor=NL_ANALYST, records=changed)
        assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    with factory() as session:
        row = session.scalars(
            select(RegisteredTrader).where(RegisteredTrader.eori == "NL999999999")
        ).one()
        assert row.segment == "large"
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "trader_register_import")
        ).all()
        assert [e.detail["updated"] for e in entries] == [0, 1]


def test_a_file_with_bad_records_changes_nothing_and_names_each(
    factory: sessionmaker[Session],
) -> None:
    bad = [
        RECORDS[0],
        {"eori": "nl-123", "aeo": "AEOX"},
        {"eori": "US1234", "aeo_recognised_from": "US"},
        {"eori": "NL123456789"},
        {"eori": "BR1234", "aeo": "AEOS", "aeo_recognised_from": "BR"},
    ]
    with factory() as session, session.begin(), pytest.raises(ValidationFailed) as exc:
        service.import_register(session, actor=NL_ANALYST, records=bad)
    problems = {(d["record"], d["field"]) for d in exc.value.details}
    assert problems == {
        (2, "eori"),
        (2, "aeo"),
        (3, "aeo"),
        (4, "eori"),
        (5, "aeo_recognised_from"),
    }
    assert "4 of 5" in exc.value.message
    with factory() as session:
        assert session.scalars(select(RegisteredTrader)).all() == []


def test_an_authority_keeps_its_own_register(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        service.import_register(session, actor=NL_ANALYST, records=RECORDS)
        with pytest.raises(NotAuthorised):
            service.import_register(session, actor=NL_ANALYST, records=RECORDS, authority="DE")
        with pytest.raises(NotAuthorised):  # officers read the register, analysts keep it
            service.import_register(session, actor=NL_OFFICER, records=RECORDS)
        total, page = service.list_register(session, actor=NL_OFFICER, offset=1, limit=2)
        assert total == 4 and [r.eori for r in page] == ["NL123456789", "NL555555555"]
        de = Actor("de-analyst", None, "DE", frozenset({"analyst"}))
        assert service.list_register(session, actor=de) == (0, [])


def test_the_cli_imports_a_csv_register(
    cli_db: str, factory: sessionmaker[Session], tmp_path: Path
) -> None:
    source = tmp_path / "register.csv"
    source.write_text(
        "eori,aeo,aeo_valid_until,aeo_recognised_from,segment\n"
        "NL123456789,AEOF,2027-12-31,,large\n"
        "JP1234567,AEOS,,JP,\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    result = runner.invoke(app, ["traders", "import", str(source), "--authority", "NL"])
    assert result.exit_code == 0, result.output
    assert "2 added, 0 updated, 0 unchanged" in result.output
    listed = runner.invoke(app, ["traders", "list", "--authority", "NL"])
    assert "JP1234567" in listed.output and "2 of 2" in listed.output
    source.write_text("eori,aeo\nnot-an-eori,AEOF\n", encoding="utf-8")
    refused = runner.invoke(app, ["traders", "import", str(source), "--authority", "NL"])
    assert refused.exit_code == 2 and "record" in refused.output
    with factory() as session:
        assert len(session.scalars(select(RegisteredTrader)).all()) == 2


def test_rm_23_an_aeo_in_the_register_is_facilitated_in_assessment(
    factory: sessionmaker[Session],
) -> None:
    """The same shirts from two importers: the AEO's control is one step milder."""
    with factory() as session, session.begin():
        service.import_register(session, actor=NL_ANALYST, records=[RECORDS[0]])
        risk.import_profiles(
            session,
            actor=NL_ANALYST,
            activate=True,
            data=[
                {
                    "id": "NL-SHIRTS",
                    "title": "Knitted shirts",
                    "risk_area": "ipr",
                    "risk_level": 40,
                    "stage": "clearance",
                    "control": "documentary",
                    "rationale": "Counterfeit shirts seen this year.",
                    "when": {"field": "item.commodity_code", "prefix": ["6109"]},
                }
            ],
        )
        other = {"name": "Other Importer BV", "eori": "NL999999999"}
        submit(
            session,
            actor=SYSTEM,
            records=[
                import_h1(lrn="AEO", htd=None),
                import_h1(lrn="NON-AEO", htd=None, filer="NL999999999", importer=other),
            ],
        )
    risk.assess_pending(factory, actor=SYSTEM)
    with factory() as session:
        decisions = {}
        for a in session.scalars(select(Assessment)):
            (reason,) = a.reasons
            decisions[reason["aeo_facilitated"]] = a.decision
    assert decisions == {True: "post-release-audit", False: "documentary"}
