"""Alerts (``tollgate.cis.alerts``): entered by a designated authority for one suggested
action (CIS-8, CIS-9, CIS-13, CIS-38, CIS-46, CIS-47), changed by their supplier only
(CIS-17), corrected on evidence (CIS-18, CIS-19), held back where they conflict with an
earlier alert (CIS-20), bound by court decisions (CIS-21) and passed on only with the
supplier's consent (CIS-14, CIS-15, CIS-16, CIS-48). Every "notify" is asserted as a
durable notification row for the right recipient. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cis.conftest import ALL, CisWorld
from tollgate.audit.log import entries
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import SYSTEM, authenticate, get_authority
from tollgate.cis.access import PURPOSES, CisUser, cleared, designate, designation_of
from tollgate.cis.alerts import (
    amend_alert,
    apply_court_decision,
    content_of,
    decide_consent,
    delete_alert,
    enter_alert,
    get_alert,
    report_inaccuracy,
    request_consent,
    resolve_conflict,
    resolve_inaccuracy,
    transmit,
)
from tollgate.cis.notifications import acknowledge, inbox
from tollgate.cis.tables import CisAlert, CisAlertKey, CisNotification
from tollgate.errors import Conflict, NotAuthorised, NotFound, ValidationFailed

JUSTIFICATION = "Convicted in 2021 of cigarette smuggling; seen loading again in May."
REASON = "Repeated undervaluation of tobacco shipments"
PERSON: dict[str, Any] = {
    "surname": "Vandermeulen",
    "forenames": "Ottoline",
    "date_of_birth": "1979-03-02",
    "nationality": "NL",
}
VAN: dict[str, Any] = {
    "registrations": ["NL-12-AB"],
    "transport_mode": "road",
    "description": "white van",
}
DESIGNATED = {"NL", "DE", "FR", "BE", "EUROPOL", "EUROJUST", "EU-COM"}
COURT: dict[str, Any] = {"court_reference": "Rb Amsterdam 2025/117", "decided_on": date(2025, 9, 1)}


def cis(session: Session, world: CisWorld, name: str, purpose: str = "prevention") -> CisUser:
    """``name`` cleared for CIS use: to enter and receive personal data where its authority's
    designation allows, to query and consult otherwise (BE: no data protection in force;
    Eurojust: no entering)."""
    actor = authenticate(session, world.tokens[name])
    designation = designation_of(session, actor.authority_id or 0)
    full = (
        designation is not None
        and designation.may_enter
        and designation.data_protection_in_force
        and actor.can(Permission.CIS_ENTER)
    )
    return cleared(session, actor, Permission.CIS_QUERY, purpose, entering=full, personal=full)


def person_alert(session: Session, world: CisWorld, user: CisUser, **overrides: Any) -> CisAlert:
    fields: dict[str, Any] = {
        "category": "persons",
        "action": "sighting_and_reporting",
        "reason": REASON,
        "subject": {"description": "courier"},
        "person": PERSON,
        "justification": JUSTIFICATION,
    }
    fields.update(overrides)
    alert, conflicts = enter_alert(session, world.vault, user, **fields)
    assert conflicts == []
    return alert


def van_alert(
    session: Session, world: CisWorld, user: CisUser, **overrides: Any
) -> tuple[CisAlert, list[Any]]:
    fields: dict[str, Any] = {
        "category": "means_of_transport",
        "action": "discreet_surveillance",
        "reason": REASON,
        "subject": VAN,
    }
    fields.update(overrides)
    return enter_alert(session, world.vault, user, **fields)


def notes(session: Session, code: str, kind: str | None = None) -> list[CisNotification]:
    """The notifications stored for authority ``code``."""
    query = select(CisNotification).where(
        CisNotification.recipient_id == get_authority(session, code).id
    )
    if kind:
        query = query.where(CisNotification.kind == kind)
    return list(session.scalars(query.order_by(CisNotification.id)))


def recipients(session: Session, kind: str) -> set[str]:
    """The designated authorities holding a notification of ``kind``."""
    codes = {get_authority(session, code).id: code for code in DESIGNATED}
    rows = session.scalars(select(CisNotification.recipient_id).where(CisNotification.kind == kind))
    return {codes.get(r, str(r)) for r in rows}


def alert_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(CisAlert)) or 0


def redesignate(session: Session, code: str, **changes: Any) -> None:
    fields: dict[str, Any] = {
        "categories": ALL,
        "purposes": sorted(PURPOSES),
        "may_enter": True,
        "specific_checks_allowed": True,
        "data_protection_in_force": True,
        "supervisory_authority": f"{code} data protection authority",
        "transmit_to": ["NL", "DE"],
    }
    fields.update(changes)
    designate(session, actor=SYSTEM, authority_code=code, **fields)


# --- entering: CIS-8, CIS-9, CIS-13, CIS-38, CIS-46, CIS-47 -----------------------------


def test_cis_8_entering_an_alert_without_a_suggested_action_is_refused(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        with pytest.raises(ValidationFailed, match=r"^CIS-8: an alert needs a suggested action"):
            person_alert(session, cis_world, nl, action="")
        with pytest.raises(ValidationFailed, match=r"^CIS-8: suggested action 'arrest'"):
            person_alert(session, cis_world, nl, action="arrest")
        assert alert_count(session) == 0


def test_cis_4_entering_an_alert_with_a_personal_field_the_decision_does_not_list_is_refused(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        with pytest.raises(ValidationFailed, match=r"^CIS-4: person\.email") as caught:
            person_alert(session, cis_world, nl, person={**PERSON, "email": "o@example.org"})
        assert caught.value.details[0]["rule"] == "CIS-4"
        with pytest.raises(ValidationFailed, match=r"^CIS-7: person\.religion"):
            person_alert(session, cis_world, nl, person={**PERSON, "religion": "x"})
        assert alert_count(session) == 0


def test_cis_9_entering_personal_data_without_a_justification_is_refused(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        for missing in (None, "suspicious"):
            with pytest.raises(ValidationFailed, match=r"^CIS-9: justification"):
                person_alert(session, cis_world, nl, justification=missing)
        assert alert_count(session) == 0


def test_cis_9_the_justification_is_recorded_with_the_personal_data(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        alert = person_alert(session, cis_world, nl, justification=f"  {JUSTIFICATION}  ")
        session.commit()
        alert_id = alert.id
    with cis_world.factory() as session:
        content = content_of(cis_world.vault, get_alert(session, alert_id))
    assert content.justification == JUSTIFICATION
    assert content.person == PERSON
    assert content.action == "sighting_and_reporting"
    assert content.reason == REASON


def test_cis_9_an_alert_without_personal_data_keeps_no_justification(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        alert, _ = van_alert(session, cis_world, nl, justification=JUSTIFICATION)
        assert alert.sealed is None
        assert content_of(cis_world.vault, alert).justification is None


def test_cis_13_only_users_allowed_to_enter_enter_alerts(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        analyst = cis(session, cis_world, "nl-cis-analyst")
        with pytest.raises(NotAuthorised, match=r"^CIS-13: NL users may not enter CIS data"):
            van_alert(session, cis_world, analyst)
        redesignate(session, "DE", may_enter=False)
        de = cis(session, cis_world, "de-cis")
        with pytest.raises(NotAuthorised, match=r"^CIS-13: DE users may not enter"):
            van_alert(session, cis_world, de)
        assert alert_count(session) == 0


def test_cis_16_eurojust_entering_an_alert_is_refused_under_cis_16(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        eurojust = cis(session, cis_world, "eurojust-cis", purpose="investigation")
        with pytest.raises(NotAuthorised, match=r"^CIS-16:"):
            van_alert(session, cis_world, eurojust)


def test_cis_16_eurojust_adds_no_alert(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        for name in ("eurojust-cis", "eurojust-member"):
            eurojust = cis(session, cis_world, name, purpose="investigation")
            with pytest.raises(NotAuthorised):
                van_alert(session, cis_world, eurojust)
        assert alert_count(session) == 0


def test_cis_46_an_authority_enters_only_the_categories_it_is_designated_for(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        redesignate(session, "DE", categories=["means_of_transport"])
        de = cis(session, cis_world, "de-cis")
        with pytest.raises(NotAuthorised, match=r"^CIS-46: DE is not designated for persons"):
            person_alert(session, cis_world, de)
        alert, _ = van_alert(session, cis_world, de)
        assert alert.category == "means_of_transport"


def test_cis_38_an_authority_without_data_protection_enters_no_personal_data(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        be = cis(session, cis_world, "be-cis")
        with pytest.raises(NotAuthorised, match=r"^CIS-38: BE may not enter personal data"):
            person_alert(session, cis_world, be)
        assert alert_count(session) == 0
        alert, _ = van_alert(session, cis_world, be)
        assert alert.sealed is None


def test_cis_38_an_authority_without_data_protection_adds_no_personal_data_by_amending(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        be = cis(session, cis_world, "be-cis")
        alert, _ = van_alert(session, cis_world, be)
        with pytest.raises(NotAuthorised, match=r"^CIS-38:"):
            amend_alert(
                session,
                cis_world.vault,
                be,
                alert.id,
                changes={"person": PERSON, "justification": JUSTIFICATION},
            )


def test_cis_47_an_entry_records_what_when_and_by_whom(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis", purpose="investigation")
        alert = person_alert(session, cis_world, nl)
        session.commit()
        audit = entries(session, action="cis_enter_alert", object_id=alert.reference)
    assert len(audit) == 1
    assert (audit[0].actor, audit[0].authority, audit[0].purpose) == (
        "nl-cis",
        "NL",
        "investigation",
    )
    assert audit[0].detail == {
        "category": "persons",
        "action": "sighting_and_reporting",
        "personal_fields": sorted(PERSON),
        "held_back": [],
    }
    assert alert.created_by == "nl-cis"
    assert alert.reference.startswith("CIS-NL-")
    assert alert.supplier_id == nl.authority.id


# --- CIS-17: only the supplier changes its data ----------------------------------------


def test_cis_17_only_the_supplier_amends(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        alert = person_alert(session, cis_world, cis(session, cis_world, "nl-cis"))
        for other in ("de-cis", "fr-cis", "europol-cis"):
            with pytest.raises(NotAuthorised, match=r"^CIS-17: only the supplying authority"):
                amend_alert(
                    session,
                    cis_world.vault,
                    cis(session, cis_world, other),
                    alert.id,
                    changes={"action": "specific_checks"},
                )
        assert (alert.version, alert.action) == (1, "sighting_and_reporting")


def test_cis_17_only_the_supplier_deletes(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        alert = person_alert(session, cis_world, cis(session, cis_world, "nl-cis"))
        with pytest.raises(NotAuthorised, match=r"^CIS-17: only the supplying authority"):
            delete_alert(session, cis(session, cis_world, "de-cis"), alert.id, why="not needed")
        assert alert.status == "active"


def test_cis_17_supplier_staff_without_the_enter_permission_change_nothing(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        alert = person_alert(session, cis_world, cis(session, cis_world, "nl-cis"))
        analyst = cis(session, cis_world, "nl-cis-analyst")
        with pytest.raises(NotAuthorised, match=r"^CIS-17: user 'nl-cis-analyst' may not"):
            amend_alert(session, cis_world.vault, analyst, alert.id, changes={"reason": "x"})
        with pytest.raises(NotAuthorised, match=r"^CIS-17:"):
            delete_alert(session, analyst, alert.id, why="no longer needed")


def test_cis_17_the_supplier_amends_supplements_and_corrects(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        alert = person_alert(session, cis_world, nl)
        amend_alert(
            session,
            cis_world.vault,
            nl,
            alert.id,
            changes={
                "action": "specific_checks",
                "subject": {"description": "courier, drives a white van"},
                "person": {"address": "Oudegracht 1, Utrecht", "nationality": None},
            },
            why="new information",
        )
        session.commit()
        content = content_of(cis_world.vault, get_alert(session, alert.id))
        audit = entries(session, action="cis_amend_alert", object_id=alert.reference)
    assert alert.version == 2
    assert content.action == "specific_checks"
    assert content.subject == {"description": "courier, drives a white van"}
    assert content.person == {
        "surname": "Vandermeulen",
        "forenames": "Ottoline",
        "date_of_birth": "1979-03-02",
        "address": "Oudegracht 1, Utrecht",
    }
    assert content.justification == JUSTIFICATION
    assert [(a.actor, a.detail) for a in audit] == [
        (
            "nl-cis",
            {"version": 2, "changed": ["action", "person", "subject"], "why": "new information"},
        )
    ]


def test_cis_17_an_amendment_is_checked_like_an_entry(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        alert = person_alert(session, cis_world, nl)
        van, _ = van_alert(session, cis_world, nl)
        refusals: list[tuple[int, dict[str, Any], str]] = [
            (alert.id, {"person": {"email": "o@example.org"}}, r"^CIS-4: person\.email"),
            (alert.id, {"person": {"health": "diabetic"}}, r"^CIS-7: person\.health"),
            (alert.id, {"action": ""}, r"^CIS-8:"),
            (alert.id, {"justification": "because"}, r"^CIS-9:"),
            (van.id, {"person": PERSON}, r"^CIS-9:"),
            (alert.id, {"category": "commodities"}, r"^CIS-17:"),
        ]
        for alert_id, changes, message in refusals:
            with pytest.raises(ValidationFailed, match=message):
                amend_alert(session, cis_world.vault, nl, alert_id, changes=changes)
        assert (alert.version, van.version) == (1, 1)
        assert content_of(cis_world.vault, alert).person == PERSON


def test_cis_17_a_deletion_by_the_supplier_says_why_and_leaves_a_tombstone(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        alert = person_alert(session, cis_world, nl)
        with pytest.raises(ValidationFailed, match=r"^CIS-17: a deletion says why"):
            delete_alert(session, nl, alert.id, why="  ")
        delete_alert(session, nl, alert.id, why="investigation closed")
        session.commit()
        stored = session.get(CisAlert, alert.id)
        assert stored is not None
        assert (stored.status, stored.subject, stored.sealed, stored.reason) == (
            "deleted",
            {},
            None,
            "",
        )
        assert stored.deleted_why == "investigation closed"
        keys = session.scalar(
            select(func.count()).select_from(CisAlertKey).where(CisAlertKey.alert_id == alert.id)
        )
        assert keys == 0
        with pytest.raises(NotFound):
            get_alert(session, alert.id)
        with pytest.raises(NotFound):
            amend_alert(session, cis_world.vault, nl, alert.id, changes={"reason": "again"})
        audit = entries(session, action="cis_delete_alert", object_id=alert.reference)
        assert [(a.actor, a.detail) for a in audit] == [("nl-cis", {"why": "investigation closed"})]


def test_cis_17_europol_changes_its_own_entries_and_no_one_elses(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        europol = cis(session, cis_world, "europol-cis")
        nl = cis(session, cis_world, "nl-cis")
        own = person_alert(session, cis_world, europol)
        assert own.reference.startswith("CIS-EUROPOL-")
        amend_alert(session, cis_world.vault, europol, own.id, changes={"reason": "updated"})
        assert own.version == 2
        with pytest.raises(NotAuthorised, match=r"^CIS-17:"):
            amend_alert(session, cis_world.vault, nl, own.id, changes={"reason": "mine now"})
        theirs, _ = van_alert(session, cis_world, nl)
        with pytest.raises(NotAuthorised, match=r"^CIS-17:"):
            delete_alert(session, europol, theirs.id, why="Europol disagrees")


# --- CIS-18 / CIS-19: inaccurate or unlawfully stored data -----------------------------


def test_cis_18_a_supplier_that_finds_its_data_inaccurate_corrects_and_notifies_the_others(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        alert = person_alert(session, cis_world, nl)
        report = report_inaccuracy(
            session, nl, alert.id, ground="inaccurate", evidence="birth register says 20 March"
        )
        assert notes(session, "NL") == []  # its own finding: nothing to tell itself
        resolve_inaccuracy(
            session,
            cis_world.vault,
            nl,
            report.id,
            outcome="corrected",
            changes={"person": {"date_of_birth": "1979-03-20"}},
        )
        session.commit()
    with cis_world.factory() as session:
        assert recipients(session, "alert_corrected") == DESIGNATED - {"NL"}
        note = notes(session, "DE", "alert_corrected")[0]
        assert note.alert_id == alert.id
        assert note.body == {"alert": alert.reference, "report": report.id, "rule": "CIS-18"}
        stored = get_alert(session, alert.id)
        person = content_of(cis_world.vault, stored).person
        assert person is not None and person["date_of_birth"] == "1979-03-20"
        assert stored.version == 2
        audit = entries(session, action="cis_resolve_inaccuracy", object_id=alert.reference)
        assert audit[-1].detail == {"report": report.id, "outcome": "corrected"}


def test_cis_18_a_supplier_deletes_unlawfully_stored_data_and_notifies_the_others(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        alert = person_alert(session, cis_world, nl)
        report = report_inaccuracy(
            session, nl, alert.id, ground="unlawful", evidence="entered without a court order"
        )
        resolved = resolve_inaccuracy(session, cis_world.vault, nl, report.id, outcome="deleted")
        session.commit()
        assert resolved.status == "deleted"
        assert alert.status == "deleted" and alert.sealed is None
        assert recipients(session, "alert_deleted") == DESIGNATED - {"NL"}


def test_cis_18_only_the_supplier_resolves_and_a_correction_states_its_changes(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        alert = person_alert(session, cis_world, nl)
        report = report_inaccuracy(
            session, nl, alert.id, ground="inaccurate", evidence="wrong date of birth"
        )
        with pytest.raises(NotAuthorised, match=r"^CIS-18: only the supplying authority"):
            resolve_inaccuracy(
                session,
                cis_world.vault,
                cis(session, cis_world, "de-cis"),
                report.id,
                outcome="deleted",
            )
        with pytest.raises(ValidationFailed, match=r"^CIS-18: a correction states the changes"):
            resolve_inaccuracy(session, cis_world.vault, nl, report.id, outcome="corrected")
        with pytest.raises(ValidationFailed, match=r"^CIS-18: outcome is"):
            resolve_inaccuracy(session, cis_world.vault, nl, report.id, outcome="ignored")
        assert report.status == "open"
        assert alert.status == "active"


def test_cis_19_another_party_with_evidence_notifies_the_supplier(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        alert = person_alert(session, cis_world, cis(session, cis_world, "nl-cis"))
        de = cis(session, cis_world, "de-cis")
        with pytest.raises(ValidationFailed, match=r"^CIS-19: the ground is"):
            report_inaccuracy(session, de, alert.id, ground="outdated", evidence="x" * 20)
        with pytest.raises(ValidationFailed, match=r"^CIS-19: state the evidence"):
            report_inaccuracy(session, de, alert.id, ground="inaccurate", evidence=" too short ")
        report = report_inaccuracy(
            session, de, alert.id, ground="inaccurate", evidence="passport shows 1979-03-20"
        )
        session.commit()
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        received = inbox(session, nl, kind="inaccuracy_reported")
        assert [(n.alert_id, n.body) for n in received] == [
            (
                alert.id,
                {
                    "alert": alert.reference,
                    "report": report.id,
                    "ground": "inaccurate",
                    "by": "DE",
                    "rule": "CIS-19",
                },
            )
        ]
        assert recipients(session, "inaccuracy_reported") == {"NL"}
        assert entries(session, action="cis_report_inaccuracy", object_id=alert.reference)


def test_cis_19_the_supplier_corrects_on_evidence_and_notifies_the_others_reporter_included(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        alert = person_alert(session, cis_world, nl)
        report = report_inaccuracy(
            session,
            cis(session, cis_world, "de-cis"),
            alert.id,
            ground="inaccurate",
            evidence="passport shows nationality BE",
        )
        resolve_inaccuracy(
            session,
            cis_world.vault,
            nl,
            report.id,
            outcome="corrected",
            changes={"person": {"nationality": "BE"}},
        )
        session.commit()
        assert recipients(session, "alert_corrected") == DESIGNATED - {"NL"}
        assert "DE" in recipients(session, "alert_corrected")
        with pytest.raises(Conflict, match="resolved already"):
            resolve_inaccuracy(session, cis_world.vault, nl, report.id, outcome="deleted")


def test_cis_19_a_rejected_report_says_why_and_tells_the_reporter_only(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        alert = person_alert(session, cis_world, nl)
        report = report_inaccuracy(
            session,
            cis(session, cis_world, "de-cis"),
            alert.id,
            ground="unlawful",
            evidence="no real indications given",
        )
        with pytest.raises(ValidationFailed, match=r"^CIS-19: a rejected report says why"):
            resolve_inaccuracy(session, cis_world.vault, nl, report.id, outcome="rejected")
        resolve_inaccuracy(
            session,
            cis_world.vault,
            nl,
            report.id,
            outcome="rejected",
            note="the 2021 conviction is on file",
        )
        session.commit()
        assert [n.body["note"] for n in notes(session, "DE", "inaccuracy_rejected")] == [
            "the 2021 conviction is on file"
        ]
        assert recipients(session, "inaccuracy_rejected") == {"DE"}
        assert alert.status == "active" and alert.version == 1


def test_cis_19_notifications_are_durable_until_and_after_acknowledgement(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        alert = person_alert(session, cis_world, cis(session, cis_world, "nl-cis"))
        report_inaccuracy(
            session,
            cis(session, cis_world, "de-cis"),
            alert.id,
            ground="inaccurate",
            evidence="passport shows 1979-03-20",
        )
        session.commit()
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        (note,) = inbox(session, nl, unacknowledged=True)
        with pytest.raises(NotFound):
            acknowledge(session, cis(session, cis_world, "de-cis"), note.id)
        acknowledge(session, nl, note.id)
        session.commit()
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        assert inbox(session, nl, unacknowledged=True) == []
        (kept,) = inbox(session, nl)
        assert kept.acknowledged_by == "nl-cis" and kept.acknowledged_at is not None


# --- CIS-20: conflicting alerts -------------------------------------------------------


def test_cis_20_a_conflicting_entry_holds_back_exactly_the_conflicting_parts(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        first, _ = van_alert(session, cis_world, cis(session, cis_world, "nl-cis"))
        second, conflicts = van_alert(
            session,
            cis_world,
            cis(session, cis_world, "de-cis"),
            action="specific_checks",
            subject={
                "registrations": ["NL-12-AB"],
                "transport_mode": "sea",
                "containers": ["MSCU1234567"],
                "description": "refrigerated van",
            },
        )
        session.commit()
        (conflict,) = conflicts
        assert conflict.earlier_alert_id == first.id
        assert conflict.new_alert_id == second.id
        assert conflict.fields == ["action", "subject.transport_mode"]
        assert conflict.status == "open"
        assert cis_world.vault.open(conflict.sealed_parts) == {
            "action": "specific_checks",
            "subject.transport_mode": "sea",
        }
        # the first entry stands; only the non-conflicting parts of the new one are in
        assert (first.action, first.subject, first.version) == ("discreet_surveillance", VAN, 1)
        assert second.action == "discreet_surveillance"
        assert second.subject == {
            "registrations": ["NL-12-AB"],
            "containers": ["MSCU1234567"],
            "description": "refrigerated van",
        }
        audit = entries(session, action="cis_enter_alert", object_id=second.reference)
        assert audit[0].detail["held_back"] == ["action", "subject.transport_mode"]


def test_cis_20_the_earlier_supplier_is_notified_immediately(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        first, _ = van_alert(session, cis_world, cis(session, cis_world, "nl-cis"))
        second, (conflict,) = van_alert(
            session, cis_world, cis(session, cis_world, "de-cis"), action="specific_checks"
        )
        session.commit()
    with cis_world.factory() as session:
        received = inbox(session, cis(session, cis_world, "nl-cis"), kind="conflicting_entry")
        assert [(n.alert_id, n.body) for n in received] == [
            (
                first.id,
                {
                    "alert": first.reference,
                    "new_alert": second.reference,
                    "by": "DE",
                    "fields": ["action"],
                    "conflict": conflict.id,
                    "rule": "CIS-20",
                },
            )
        ]
        assert recipients(session, "conflicting_entry") == {"NL"}


def test_cis_20_personal_fields_conflict_but_the_names_that_matched_do_not(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        nl_alert = person_alert(session, cis_world, cis(session, cis_world, "nl-cis"))
        new, conflicts = enter_alert(
            session,
            cis_world.vault,
            cis(session, cis_world, "de-cis"),
            category="persons",
            action="sighting_and_reporting",
            reason=REASON,
            person={
                "surname": "VANDERMEULEN",
                "forenames": "Ottoline",
                "date_of_birth": "1979-03-02",
                "nationality": "BE",
                "address": "Rue Haute 1, Brussels",
            },
            justification=JUSTIFICATION,
        )
        session.commit()
        (conflict,) = conflicts
        assert conflict.earlier_alert_id == nl_alert.id
        assert conflict.fields == ["person.nationality"]
        assert cis_world.vault.open(conflict.sealed_parts) == {"person.nationality": "BE"}
        assert content_of(cis_world.vault, new).person == {
            "surname": "VANDERMEULEN",
            "forenames": "Ottoline",
            "date_of_birth": "1979-03-02",
            "address": "Rue Haute 1, Brussels",
        }
        (note,) = notes(session, "NL", "conflicting_entry")
        assert note.body["fields"] == ["person.nationality"]
        for personal in ("vandermeulen", "ottoline", "1979", "rue haute"):
            assert personal not in str(note.body).lower()


def test_cis_20_agreement_enters_the_held_back_parts(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        van_alert(session, cis_world, nl)
        second, (conflict,) = van_alert(
            session,
            cis_world,
            cis(session, cis_world, "de-cis"),
            action="specific_checks",
            subject={**VAN, "transport_mode": "sea"},
        )
        resolve_conflict(session, cis_world.vault, nl, conflict.id, agree=True)
        session.commit()
    with cis_world.factory() as session:
        stored = get_alert(session, second.id)
        assert stored.action == "specific_checks"
        assert stored.subject == {**VAN, "transport_mode": "sea"}
        assert stored.version == 2
        answers = notes(session, "DE", "conflict_answered")
        assert [n.body for n in answers] == [
            {"conflict": conflict.id, "agreed": True, "rule": "CIS-20"}
        ]
        audit = entries(session, action="cis_resolve_conflict", object_id=str(conflict.id))
        assert [(a.actor, a.detail) for a in audit] == [("nl-cis", {"agreed": True})]


def test_cis_20_without_agreement_the_first_entry_stands(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        first, _ = van_alert(session, cis_world, nl)
        second, (conflict,) = van_alert(
            session,
            cis_world,
            cis(session, cis_world, "de-cis"),
            action="specific_checks",
            subject={**VAN, "transport_mode": "sea"},
        )
        answered = resolve_conflict(session, cis_world.vault, nl, conflict.id, agree=False)
        session.commit()
        assert answered.status == "refused"
        assert (second.action, second.subject, second.version) == (
            "discreet_surveillance",
            {"registrations": ["NL-12-AB"], "description": "white van"},
            1,
        )
        assert (first.action, first.subject) == ("discreet_surveillance", VAN)
        assert [n.body["agreed"] for n in notes(session, "DE", "conflict_answered")] == [False]


def test_cis_20_only_the_earlier_supplier_answers_and_only_once(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        de = cis(session, cis_world, "de-cis")
        van_alert(session, cis_world, nl)
        _, (conflict,) = van_alert(session, cis_world, de, action="specific_checks")
        with pytest.raises(NotAuthorised, match=r"^CIS-20: only the earlier alert's supplier"):
            resolve_conflict(session, cis_world.vault, de, conflict.id, agree=True)
        resolve_conflict(session, cis_world.vault, nl, conflict.id, agree=False)
        with pytest.raises(Conflict, match=r"^CIS-20: conflict \d+ was answered already"):
            resolve_conflict(session, cis_world.vault, nl, conflict.id, agree=True)


def test_cis_20_agreeing_entries_and_the_suppliers_own_entries_do_not_conflict(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        van_alert(session, cis_world, nl)
        described = {**VAN, "description": "a different description never conflicts"}
        same, none = van_alert(
            session, cis_world, cis(session, cis_world, "de-cis"), subject=described
        )
        assert none == []
        assert (same.action, same.subject) == ("discreet_surveillance", described)
        lorry = {"registrations": ["NL-99-ZZ"], "transport_mode": "road"}
        van_alert(session, cis_world, nl, subject=lorry)
        _, own = van_alert(session, cis_world, nl, subject=lorry, action="specific_checks")
        assert own == []
        assert notes(session, "NL", "conflicting_entry") == []


# --- CIS-21: court decisions ----------------------------------------------------------


def test_cis_21_a_final_decision_to_delete_is_applied(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        alert = person_alert(session, cis_world, nl)
        decision = apply_court_decision(
            session, cis_world.vault, nl, alert.id, country="NL", ruling="delete", **COURT
        )
        session.commit()
        assert decision.outcome == "deleted"
        assert alert.status == "deleted" and alert.sealed is None
        audit = entries(session, action="cis_court_decision", object_id=alert.reference)
        assert audit[0].detail == {"country": "NL", "ruling": "delete", "outcome": "deleted"}


def test_cis_21_a_final_decision_to_amend_is_applied(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        alert = person_alert(session, cis_world, nl)
        decision = apply_court_decision(
            session,
            cis_world.vault,
            nl,
            alert.id,
            country="NL",
            ruling="amend",
            changes={"person": {"address": "Neude 2, Utrecht"}},
            **COURT,
        )
        session.commit()
        assert decision.outcome == "amended"
        person = content_of(cis_world.vault, alert).person
        assert person is not None and person["address"] == "Neude 2, Utrecht"
        assert alert.version == 2


def test_cis_21_conflicting_decisions_of_two_countries_delete_the_alert(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        alert = person_alert(session, cis_world, nl)
        apply_court_decision(
            session,
            cis_world.vault,
            nl,
            alert.id,
            country="NL",
            ruling="amend",
            changes={"person": {"address": "Neude 2, Utrecht"}},
            **COURT,
        )
        decision = apply_court_decision(
            session,
            cis_world.vault,
            nl,
            alert.id,
            country="DE",
            court_reference="LG Köln 12 O 4/25",
            ruling="amend",
            changes={"person": {"address": "Domkloster 4, Köln"}},
            decided_on=date(2025, 10, 1),
        )
        session.commit()
        assert decision.outcome == "deleted: conflicts with the decision of NL"
        assert alert.status == "deleted" and alert.sealed is None
        with pytest.raises(NotFound):
            get_alert(session, alert.id)


def test_cis_21_decisions_that_agree_or_come_from_one_country_do_not_delete(
    cis_world: CisWorld,
) -> None:
    neude = {"person": {"address": "Neude 2, Utrecht"}}
    vredenburg = {"person": {"address": "Vredenburg 3, Utrecht"}}
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        for rulings in (
            [("NL", neude), ("DE", neude)],  # two countries, the same ruling
            [("NL", neude), ("NL", vredenburg)],  # one country, a later ruling
        ):
            alert = person_alert(session, cis_world, nl)
            outcomes = [
                apply_court_decision(
                    session,
                    cis_world.vault,
                    nl,
                    alert.id,
                    country=country,
                    ruling="amend",
                    changes=changes,
                    **COURT,
                ).outcome
                for country, changes in rulings
            ]
            assert outcomes == ["amended", "amended"]
            assert alert.status == "active"
            person = content_of(cis_world.vault, alert).person
            assert person is not None and person["address"] == rulings[-1][1]["person"]["address"]


def test_cis_21_only_the_supplier_applies_a_decision_and_it_states_what_it_rules(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        alert = person_alert(session, cis_world, nl)
        with pytest.raises(NotAuthorised, match=r"^CIS-21: only the supplying authority"):
            apply_court_decision(
                session,
                cis_world.vault,
                cis(session, cis_world, "de-cis"),
                alert.id,
                country="DE",
                ruling="delete",
                **COURT,
            )
        with pytest.raises(ValidationFailed, match=r"^CIS-21: a ruling is"):
            apply_court_decision(
                session, cis_world.vault, nl, alert.id, country="NL", ruling="annul", **COURT
            )
        with pytest.raises(ValidationFailed, match=r"^CIS-21: an amending ruling states"):
            apply_court_decision(
                session, cis_world.vault, nl, alert.id, country="NL", ruling="amend", **COURT
            )
        assert alert.status == "active"


# --- CIS-14 / CIS-15 / CIS-16 / CIS-48: other uses and onward transmission ------------


def test_cis_14_passing_data_on_needs_the_suppliers_prior_consent(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        de = cis(session, cis_world, "de-cis")
        alert = person_alert(session, cis_world, nl)
        with pytest.raises(NotAuthorised, match=r"^CIS-14: passing alert .* to Interpol"):
            transmit(session, de, alert.id, recipient="Interpol")
        consent = request_consent(
            session,
            de,
            alert.id,
            use="transmission",
            recipient="Interpol",
            purpose="joint operation on tobacco routes",
        )
        assert consent.status == "pending"
        with pytest.raises(NotAuthorised, match=r"^CIS-14:"):
            transmit(session, de, alert.id, recipient="Interpol")
        session.commit()
        (asked,) = notes(session, "NL", "consent_requested")
        assert asked.body == {
            "alert": alert.reference,
            "consent": consent.id,
            "by": "DE",
            "use": "transmission",
            "recipient": "Interpol",
            "rule": "CIS-14",
        }
        with pytest.raises(NotAuthorised, match=r"^CIS-14: only the supplying authority"):
            decide_consent(session, de, consent.id, grant=True, conditions=None)
        decide_consent(session, nl, consent.id, grant=True, conditions="no further transfer")
        with pytest.raises(Conflict, match="decided already"):
            decide_consent(session, nl, consent.id, grant=False, conditions=None)
        (answer,) = notes(session, "DE", "consent_decided")
        assert answer.body == {
            "consent": consent.id,
            "granted": True,
            "conditions": "no further transfer",
        }
        assert transmit(session, de, alert.id, recipient="Interpol").id == consent.id
        with pytest.raises(NotAuthorised, match=r"^CIS-14:"):  # consent names one recipient
            transmit(session, de, alert.id, recipient="World Customs Organization")
        session.commit()
        audit = entries(session, action="cis_transmit", object_id=alert.reference)
        assert [(a.actor, a.detail) for a in audit] == [
            (
                "de-cis",
                {
                    "recipient": "Interpol",
                    "consent": consent.id,
                    "conditions": "no further transfer",
                },
            )
        ]


def test_cis_14_a_refused_consent_allows_nothing(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        de = cis(session, cis_world, "de-cis")
        alert = person_alert(session, cis_world, nl)
        consent = request_consent(
            session,
            de,
            alert.id,
            use="transmission",
            recipient="Interpol",
            purpose="joint operation on tobacco routes",
        )
        decide_consent(session, nl, consent.id, grant=False, conditions=None)
        assert consent.status == "refused"
        assert [n.body["granted"] for n in notes(session, "DE", "consent_decided")] == [False]
        with pytest.raises(NotAuthorised, match=r"^CIS-14:"):
            transmit(session, de, alert.id, recipient="Interpol")


def test_cis_14_a_consent_request_states_use_recipient_and_purpose(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        alert = person_alert(session, cis_world, cis(session, cis_world, "nl-cis"))
        de = cis(session, cis_world, "de-cis")
        bad: list[dict[str, Any]] = [
            {"use": "sale", "purpose": "a long enough purpose"},
            {"use": "transmission", "purpose": "a long enough purpose", "recipient": " "},
            {"use": "other_purpose", "purpose": "tax"},
        ]
        for request in bad:
            with pytest.raises(ValidationFailed, match=r"^CIS-14:"):
                request_consent(session, de, alert.id, **request)
        other = request_consent(
            session, de, alert.id, use="other_purpose", purpose="VAT fraud assessment 2025"
        )
        assert (other.use, other.status, other.supplier_id) == (
            "other_purpose",
            "pending",
            alert.supplier_id,
        )
        assert len(notes(session, "NL", "consent_requested")) == 1


def test_cis_48_data_go_only_to_authorities_the_supplier_lists(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")  # NL lists NL and DE
        europol = cis(session, cis_world, "europol-cis")
        alert = person_alert(session, cis_world, nl)
        for recipient in ("FR", "DE"):
            consent = request_consent(
                session,
                europol,
                alert.id,
                use="transmission",
                recipient=recipient,
                purpose="coordinated action on the tobacco route",
            )
            decide_consent(session, nl, consent.id, grant=True, conditions=None)
        with pytest.raises(NotAuthorised, match=r"^CIS-48: the supplier of .* does not list FR"):
            transmit(session, europol, alert.id, recipient="FR")
        # the authority is recognised however its code is written
        with pytest.raises(NotAuthorised, match=r"^CIS-48:"):
            transmit(session, europol, alert.id, recipient=" fr")
        assert transmit(session, europol, alert.id, recipient="DE").recipient == "DE"


def test_cis_15_europol_passes_information_on_only_with_the_suppliers_consent(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        europol = cis(session, cis_world, "europol-cis")
        alert = person_alert(session, cis_world, nl)
        with pytest.raises(NotAuthorised, match=r"^CIS-14:"):
            transmit(session, europol, alert.id, recipient="Interpol")
        consent = request_consent(
            session,
            europol,
            alert.id,
            use="transmission",
            recipient="Interpol",
            purpose="Europol analysis project on tobacco",
        )
        assert notes(session, "NL", "consent_requested")[0].body["by"] == "EUROPOL"
        decide_consent(session, nl, consent.id, grant=True, conditions=None)
        transmit(session, europol, alert.id, recipient="Interpol")


def test_cis_16_eurojust_passes_information_on_only_with_the_suppliers_consent(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        eurojust = cis(session, cis_world, "eurojust-member", purpose="prosecution")
        alert = person_alert(session, cis_world, nl)
        with pytest.raises(NotAuthorised, match=r"^CIS-14:"):
            transmit(session, eurojust, alert.id, recipient="Public prosecutor Antwerp")
        consent = request_consent(
            session,
            eurojust,
            alert.id,
            use="transmission",
            recipient="Public prosecutor Antwerp",
            purpose="prosecution of the tobacco ring",
        )
        decide_consent(session, nl, consent.id, grant=True, conditions="court use only")
        assert (
            transmit(session, eurojust, alert.id, recipient="Public prosecutor Antwerp").conditions
            == "court use only"
        )


def test_cis_20_every_earlier_supplier_whose_alert_conflicts_is_notified(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        van_alert(session, cis_world, cis(session, cis_world, "nl-cis"))
        _, agreeing = van_alert(session, cis_world, cis(session, cis_world, "fr-cis"))
        assert agreeing == []
        _, conflicts = van_alert(
            session, cis_world, cis(session, cis_world, "de-cis"), action="specific_checks"
        )
        assert [c.fields for c in conflicts] == [["action"], ["action"]]
        assert recipients(session, "conflicting_entry") == {"NL", "FR"}
