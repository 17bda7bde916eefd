"""Profiles as governed objects and assessment of stored filings, on SQLite and
PostgreSQL (issue 3 points 2, 5, 8)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factories import import_h1
from tollgate.audit.tables import AuditEntry
from tollgate.authorities.service import SYSTEM, Actor
from tollgate.errors import Conflict, NotAuthorised, ValidationFailed
from tollgate.intake.service import submit
from tollgate.risk import service
from tollgate.risk.profiles import Status
from tollgate.risk.tables import Assessment, RiskProfileVersion

NL_ANALYST = Actor("nl-analyst", None, "NL", frozenset({"analyst"}))


def nl_profile(**overrides: Any) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "id": "NL-TSHIRTS",
        "title": "T-shirts from Bangladesh",
        "risk_area": "ipr",
        "risk_level": 40,
        "stage": "clearance",
        "control": "documentary",
        "rationale": "Counterfeit branded shirts seen in 2026.",
        "instructions": "Check the brand labels.",
        "when": {"field": "item.commodity_code", "prefix": ["6109"]},
    }
    profile.update(overrides)
    return profile


def import_(
    session: Session, actor: Actor, *profiles: dict[str, Any], activate: bool = True
) -> service.ImportResult:
    authority = None if actor.authority_code else "NL"
    return service.import_profiles(
        session,
        actor=actor,
        data={"profiles": list(profiles)},
        authority=authority,
        activate=activate,
    )


def test_every_change_is_a_new_audited_version(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        assert import_(session, NL_ANALYST, nl_profile(), activate=False).created == [
            ("NL-TSHIRTS", 1)
        ]
        assert import_(session, NL_ANALYST, nl_profile(), activate=False).unchanged == [
            "NL-TSHIRTS"
        ]
        assert import_(session, NL_ANALYST, nl_profile(risk_level=60), activate=False).created == [
            ("NL-TSHIRTS", 2)
        ]
        service.set_status(session, actor=NL_ANALYST, profile_id="NL-TSHIRTS", status=Status.ACTIVE)
        service.set_status(
            session, actor=NL_ANALYST, profile_id="NL-TSHIRTS", status=Status.EXPIRED
        )
        with pytest.raises(Conflict):
            service.set_status(
                session, actor=NL_ANALYST, profile_id="NL-TSHIRTS", status=Status.ACTIVE
            )
    with factory() as session:
        versions = session.scalars(
            select(RiskProfileVersion).order_by(RiskProfileVersion.version)
        ).all()
        assert [(v.version, v.status) for v in versions] == [
            (1, "draft"),
            (2, "draft"),
            (3, "active"),
            (4, "expired"),
        ]
        actions = session.scalars(
            select(AuditEntry.object_id).where(AuditEntry.action == "profile_version")
        ).all()
        assert actions == [f"NL/NL-TSHIRTS/v{n}" for n in (1, 2, 3, 4)]


def test_invalid_profile_file_changes_nothing_and_says_where(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session, session.begin():
        with pytest.raises(ValidationFailed) as exc:
            import_(
                session,
                NL_ANALYST,
                nl_profile(),
                nl_profile(id="NL-BAD", when={"field": "item.value", "lt": "x"}),
            )
        assert exc.value.details == [{"path": "profiles[1].when.lt", "reason": "expected a number"}]
    with factory() as session:
        assert session.scalars(select(RiskProfileVersion)).all() == []


def test_only_the_commission_owns_common_risk_criteria(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin(), pytest.raises(NotAuthorised):
        import_(session, NL_ANALYST, nl_profile(owner="crc"))
    de_analyst = Actor("de-analyst", None, "DE", frozenset({"analyst"}))
    with factory() as session, session.begin(), pytest.raises(NotAuthorised):
        service.import_profiles(session, actor=de_analyst, data=[nl_profile()], authority="NL")


def test_a_national_profile_reads_only_its_own_lists(factory: sessionmaker[Session]) -> None:
    de_analyst = Actor("de-analyst", None, "DE", frozenset({"analyst"}))
    with factory() as session, session.begin():
        service.save_list(
            session, actor=de_analyst, name="de-eoris", kind="codes", entries=["NL123456789"]
        )
        with pytest.raises(ValidationFailed) as exc:
            import_(
                session,
                NL_ANALYST,
                nl_profile(when={"field": "consignee.eori", "in_list": "de-eoris"}),
            )
        assert "no managed list 'de-eoris'" in exc.value.details[0]["reason"]


def test_assessment_names_the_profile_versions_that_hit(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        service.save_list(
            session, actor=NL_ANALYST, name="nl-importers", kind="codes", entries=["NL123456789"]
        )
        import_(
            session,
            NL_ANALYST,
            nl_profile(),
            nl_profile(
                id="NL-IMPORTER",
                risk_area="financial",
                financial_risk="operator-at-risk",
                control="physical",
                when={"field": "consignee.eori", "in_list": "nl-importers"},
            ),
            nl_profile(id="NL-NEVER", when={"field": "item.commodity_code", "prefix": ["01"]}),
        )
        service.import_profiles(
            session,
            actor=SYSTEM,
            data=service.starter_criteria(),
            authority="EU-COM",
            activate=True,
        )
        submit(session, actor=SYSTEM, records=[import_h1()])
    counts = service.assess_pending(factory, actor=SYSTEM)
    assert counts == {"physical": 1}
    assert service.assess_pending(factory, actor=SYSTEM) == {}  # nothing twice
    with factory() as session:
        assessment = session.scalars(select(Assessment)).one()
        hits = {(r["profile_id"], r["version"]) for r in assessment.reasons}
        assert ("NL-TSHIRTS", 1) in hits and ("NL-IMPORTER", 1) in hits
        assert ("NL-NEVER", 1) not in hits
        assert assessment.score > 40 and "Check the brand labels." in assessment.instructions
        importer = next(r for r in assessment.reasons if r["profile_id"] == "NL-IMPORTER")
        assert importer["matched"] == {"consignee.eori": "NL123456789"}
