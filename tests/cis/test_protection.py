"""Data protection in the CIS (CIS-38..CIS-45): data subjects' requests, copies in national
analysis systems, inspection and anonymous strategic analysis."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tollgate.audit.tables import AuditEntry
from tollgate.authorities import service as authorities
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import SYSTEM, authenticate
from tollgate.cis import subjects
from tollgate.cis.access import CisUser, cleared
from tollgate.cis.alerts import (
    amend_alert,
    content_of,
    delete_alert,
    enter_alert,
    resolve_inaccuracy,
)
from tollgate.cis.copies import (
    copy_alert,
    copy_person,
    list_copies,
    purge_copies,
    review_copy,
)
from tollgate.cis.inspection import inspect
from tollgate.cis.strategic import strategic_analysis
from tollgate.cis.subjects import (
    NEUTRAL_ANSWER,
    answer_of,
    decide_request,
    get_request,
    notes_of,
    positions_asked,
    receive_request,
    state_position,
)
from tollgate.cis.tables import (
    CisAccessRequest,
    CisAlert,
    CisCopy,
    CisInaccuracy,
    CisNotification,
    CisQuery,
)
from tollgate.errors import Conflict, NotAuthorised, NotFound, ValidationFailed

from .conftest import CisWorld

EXTRA_USERS = {
    "de-dpo": ("DE", ["dp_officer"]),
    "be-dpo": ("BE", ["dp_officer"]),
    "europol-analyst": ("EUROPOL", ["cis_analyst"]),
    "eurojust-analyst": ("EUROJUST", ["cis_analyst"]),
    "eu-supervisor": ("EU-COM", ["joint_supervisor"]),
    "europol-supervisor": ("EUROPOL", ["supervisor"]),
}

JUSTIFICATION = "previous seizures of undeclared tobacco at the same border crossing"


@pytest.fixture
def cw(cis_world: CisWorld) -> CisWorld:
    """The CIS world with a German data protection officer and the few users these rules
    need beyond the shared ones."""
    with cis_world.factory() as session, session.begin():
        for username, (code, roles) in EXTRA_USERS.items():
            authorities.create_user(
                session, actor=SYSTEM, authority_code=code, username=username, roles=roles
            )
            cis_world.tokens[username] = authorities.issue_token(
                session, actor=SYSTEM, username=username
            )
    return cis_world


def as_user(
    session: Session,
    cw: CisWorld,
    username: str,
    permission: Permission,
    purpose: str = "prevention",
    **kw: Any,
) -> CisUser:
    return cleared(session, authenticate(session, cw.tokens[username]), permission, purpose, **kw)


def dpo(session: Session, cw: CisWorld, username: str = "nl-dpo") -> CisUser:
    return as_user(session, cw, username, Permission.CIS_DATA_PROTECTION, personal=True)


def officer(session: Session, cw: CisWorld, username: str = "nl-cis") -> CisUser:
    return as_user(session, cw, username, Permission.CIS_ENTER, personal=True)


def analyst(session: Session, cw: CisWorld, username: str = "nl-cis-analyst") -> CisUser:
    return as_user(session, cw, username, Permission.CIS_COPY, "operational_analysis")


def person(surname: str, dob: str = "1975-04-12", **more: Any) -> dict[str, Any]:
    return {"surname": surname, "forenames": "Jan", "date_of_birth": dob, **more}


def alert(
    session: Session,
    cw: CisWorld,
    by: str,
    who: dict[str, Any],
    action: str = "specific_checks",
) -> CisAlert:
    entered, _ = enter_alert(
        session,
        cw.vault,
        officer(session, cw, by),
        category="persons",
        action=action,
        reason="suspected cigarette smuggling",
        person=who,
        justification=JUSTIFICATION,
    )
    return entered


def audit_count(session: Session, action: str) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
        )
        or 0
    )


# --- CIS-42: data subject access -------------------------------------------------------


def test_cis_42_other_supplier_states_its_position_before_the_answer(cw: CisWorld) -> None:
    with cw.factory() as session, session.begin():
        held = alert(session, cw, "de-cis", person("Visser", address="Dorpstraat 1, Ede"))
        request = receive_request(
            session,
            cw.vault,
            dpo(session, cw),
            kind="access",
            subject={"surname": "VISSER", "forenames": "jan", "date_of_birth": "1975-04-12"},
        )
        assert request.status == "awaiting_supplier"
        assert [(p["alert"], p["supplier"], p["stated"]) for p in request.positions] == [
            (held.reference, "DE", False)
        ]
        note = session.scalar(
            select(CisNotification).where(CisNotification.kind == "data_subject_request")
        )
        assert note is not None and note.recipient_id == held.supplier_id
        assert "Visser" not in json.dumps(note.body)  # the notice names the request only

        with pytest.raises(Conflict, match=r"CIS-42: .*DE stated a position"):
            decide_request(session, cw.vault, dpo(session, cw), request.id)
        with pytest.raises(NotAuthorised, match="CIS-42: only the supplier"):
            state_position(session, cw.vault, dpo(session, cw), request.id, alert_id=held.id)

        de_dpo = dpo(session, cw, "de-dpo")
        assert positions_asked(session, de_dpo) == [
            {
                "request": request.id,
                "kind": "access",
                "alert_id": held.id,
                "alert": held.reference,
                "received_by": "NL",
                "received_at": request.received_at,
            }
        ]
        with pytest.raises(NotFound):  # the supplier does not see the request itself
            get_request(session, de_dpo, request.id)
        state_position(session, cw.vault, de_dpo, request.id, alert_id=held.id)
        assert positions_asked(session, de_dpo) == []
        assert get_request(session, dpo(session, cw), request.id).status == "ready"
        back = session.scalar(
            select(CisNotification).where(CisNotification.kind == "data_subject_position")
        )
        assert back is not None and back.recipient_id == request.received_by_id

        before = audit_count(session, "cis_data_subject_answer")
        answer = decide_request(session, cw.vault, dpo(session, cw), request.id)
        assert answer.text != NEUTRAL_ANSWER
        assert answer.data == [
            {
                "supplier": "DE",
                "category": "persons",
                "suggested_action": "specific_checks",
                "reason": "suspected cigarette smuggling",
                "personal_data": {
                    "surname": "Visser",
                    "forenames": "Jan",
                    "date_of_birth": "1975-04-12",
                    "address": "Dorpstraat 1, Ede",
                },
            }
        ]
        assert request.decision == "granted" and request.status == "answered"
        assert audit_count(session, "cis_data_subject_answer") == before + 1
        assert answer_of(cw.vault, request) == answer
        with pytest.raises(Conflict, match=r"CIS-42: .*answered already"):
            decide_request(session, cw.vault, dpo(session, cw), request.id)


def test_cis_42_refusals_read_the_same_as_nothing_held(cw: CisWorld) -> None:
    """Whatever the reason, and whether or not anything is held, the person reads one
    neutral text: the answer cannot betray a discreet surveillance alert."""
    with cw.factory() as session, session.begin():
        cases: dict[str, tuple[dict[str, Any], str]] = {}
        for action in ("discreet_surveillance", "sighting_and_reporting", "operational_analysis"):
            who = person(f"Action-{action}")
            alert(session, cw, "nl-cis", who, action)
            cases[action] = (who, "refused")
        investigated = person("Investigated")
        cases["investigation"] = (investigated, "refused")
        a_investigated = alert(session, cw, "de-cis", investigated)
        objected = person("Objected")
        cases["objection"] = (objected, "refused")
        a_objected = alert(session, cw, "de-cis", objected)
        both = person("Both")
        alert(session, cw, "nl-cis", both)
        alert(session, cw, "nl-cis", both | {"nationality": "NL"}, "discreet_surveillance")
        cases["one of two"] = (both, "refused")
        cases["nothing held"] = (person("Nobody"), "nothing_held")
        cases["namesake"] = (person("Visser", "1990-01-01"), "nothing_held")
        alert(session, cw, "nl-cis", person("Visser"))

        answers = {}
        for name, (who, _) in cases.items():
            request = receive_request(
                session, cw.vault, dpo(session, cw), kind="access", subject=who
            )
            if name == "investigation":
                state_position(
                    session,
                    cw.vault,
                    dpo(session, cw, "de-dpo"),
                    request.id,
                    alert_id=a_investigated.id,
                    investigation_ongoing=True,
                )
            if name == "objection":
                state_position(
                    session,
                    cw.vault,
                    dpo(session, cw, "de-dpo"),
                    request.id,
                    alert_id=a_objected.id,
                    objects=True,
                    note="the person is a witness in a pending case",
                )
            answers[name] = (
                decide_request(session, cw.vault, dpo(session, cw), request.id),
                request,
            )

        for name, (answer, request) in answers.items():
            assert answer.text == NEUTRAL_ANSWER, name
            assert answer.data == [], name
            assert request.decision == cases[name][1], name
        assert any("discreet_surveillance" in r for r in answers["one of two"][1].reasons)
        assert any("investigation ongoing (DE)" in r for r in answers["investigation"][1].reasons)
        assert any("DE objects" in r for r in answers["objection"][1].reasons)
        assert "surveillance" not in NEUTRAL_ANSWER


def test_cis_42_access_refused_where_it_would_undermine_the_action(cw: CisWorld) -> None:
    with cw.factory() as session, session.begin():
        who = person("Mulder")
        alert(session, cw, "nl-cis", who)
        request = receive_request(session, cw.vault, dpo(session, cw), kind="access", subject=who)
        assert request.status == "ready"  # own alert: nobody else to ask
        answer = decide_request(
            session, cw.vault, dpo(session, cw), request.id, undermines_action=True
        )
        assert answer.text == NEUTRAL_ANSWER and request.decision == "refused"
        assert request.reasons == ["access would undermine the suggested action"]


def test_cis_42_a_request_identifies_the_person_beyond_a_name(cw: CisWorld) -> None:
    with cw.factory() as session, session.begin():
        held = alert(
            session,
            cw,
            "nl-cis",
            person(
                "Jansen", identity_document_number="NX-1234567", identity_document_kind="passport"
            ),
        )
        user = dpo(session, cw)
        with pytest.raises(ValidationFailed, match=r"CIS-42: .*date of birth or identity document"):
            receive_request(session, cw.vault, user, kind="access", subject={"surname": "Jansen"})
        with pytest.raises(ValidationFailed, match=r"CIS-42: .*do not identify"):
            receive_request(
                session, cw.vault, user, kind="access", subject=person("Jansen", religion="x")
            )
        by_document = receive_request(
            session,
            cw.vault,
            user,
            kind="access",
            subject={"surname": "Jansen", "identity_document_number": "nx 1234567"},
        )
        assert [p["alert_id"] for p in by_document.positions] == [held.id]


def test_cis_42_only_data_protection_officers_receive_requests(cw: CisWorld) -> None:
    with cw.factory() as session, session.begin():
        cis_officer = as_user(session, cw, "nl-cis", Permission.CIS_QUERY)
        with pytest.raises(NotAuthorised, match="CIS-42"):
            receive_request(session, cw.vault, cis_officer, kind="access", subject=person("X"))


def test_cis_38_no_requests_before_data_protection_is_in_force(cw: CisWorld) -> None:
    with cw.factory() as session, session.begin():
        with pytest.raises(NotAuthorised, match="CIS-38"):
            dpo(session, cw, "be-dpo")
        be = as_user(session, cw, "be-dpo", Permission.CIS_DATA_PROTECTION)
        with pytest.raises(NotAuthorised, match="CIS-38"):
            receive_request(session, cw.vault, be, kind="access", subject=person("X"))


# --- CIS-43: rectification and erasure -------------------------------------------------


def test_cis_43_supplier_corrects_inaccurate_data_on_request(cw: CisWorld) -> None:
    with cw.factory() as session, session.begin():
        who = person("Bakker", "1980-02-13", identity_document_number="DE99887766")
        held = alert(session, cw, "de-cis", who)
        request = receive_request(
            session,
            cw.vault,
            dpo(session, cw),
            kind="rectification",
            subject={"surname": "Bakker", "identity_document_number": "DE99887766"},
            details="my date of birth is 1980-03-13, not 1980-02-13",
        )
        (position,) = request.positions
        report = session.get(CisInaccuracy, position["report"])
        assert report is not None and report.status == "open" and report.ground == "inaccurate"
        assert "Bakker" not in report.evidence
        kinds = set(
            session.scalars(
                select(CisNotification.kind).where(CisNotification.recipient_id == held.supplier_id)
            )
        )
        assert {"inaccuracy_reported", "data_subject_request"} <= kinds

        state_position(session, cw.vault, dpo(session, cw, "de-dpo"), request.id, alert_id=held.id)
        with pytest.raises(Conflict, match=r"CIS-43: .*correct or delete"):
            decide_request(session, cw.vault, dpo(session, cw), request.id)
        resolve_inaccuracy(
            session,
            cw.vault,
            officer(session, cw, "de-cis"),
            report.id,
            outcome="corrected",
            changes={"person": {"date_of_birth": "1980-03-13"}},
        )
        person_now = content_of(cw.vault, held).person
        assert person_now is not None and person_now["date_of_birth"] == "1980-03-13"
        assert held.version == 2

        answer = decide_request(session, cw.vault, dpo(session, cw), request.id)
        assert request.decision == "carried_out"
        assert answer.data == [{"supplier": "DE", "outcome": "corrected"}]


def test_cis_43_unlawful_data_erased_and_the_answer_stays_neutral(cw: CisWorld) -> None:
    with cw.factory() as session, session.begin():
        who = person("de Vries")
        held = alert(session, cw, "nl-cis", who, "discreet_surveillance")
        request = receive_request(
            session,
            cw.vault,
            dpo(session, cw),
            kind="erasure",
            subject=who,
            details="I was never involved in any smuggling",
        )
        (position,) = request.positions
        assert request.status == "awaiting_supplier"  # its own officers must act first
        resolve_inaccuracy(
            session, cw.vault, officer(session, cw), position["report"], outcome="deleted"
        )
        assert held.status == "deleted" and held.sealed is None

        answer = decide_request(session, cw.vault, dpo(session, cw), request.id)
        assert request.decision == "carried_out"
        assert answer.text == NEUTRAL_ANSWER and answer.data == []
        assert f"{held.reference}: deleted by NL" in request.reasons


def test_cis_43_an_alert_deleted_meanwhile_settles_the_request(cw: CisWorld) -> None:
    with cw.factory() as session, session.begin():
        who = person("Hoffmann")
        held = alert(session, cw, "de-cis", who)
        request = receive_request(
            session,
            cw.vault,
            dpo(session, cw),
            kind="erasure",
            subject=who,
            details="the alert is based on a stolen passport",
        )
        state_position(session, cw.vault, dpo(session, cw, "de-dpo"), request.id, alert_id=held.id)
        delete_alert(session, officer(session, cw, "de-cis"), held.id, why="court ruling")
        answer = decide_request(session, cw.vault, dpo(session, cw), request.id)
        assert request.decision == "carried_out"
        assert answer.data == [{"supplier": "DE", "outcome": "deleted"}]


def test_cis_43_a_restricted_alert_is_erased_on_request(cw: CisWorld) -> None:
    """An alert moved to the restricted area still matches, and its supplier must still
    delete it (CIS-43): the request is registered, not refused, and names no alert."""
    with cw.factory() as session, session.begin():
        who = person("Schneider")
        held = alert(session, cw, "de-cis", who)
        held.status = "restricted"  # moved at a missed review (CIS-23)
        session.flush()
        request = receive_request(
            session,
            cw.vault,
            dpo(session, cw),
            kind="erasure",
            subject=who,
            details="the alert confuses me with my late father",
        )
        (position,) = request.positions
        report = session.get(CisInaccuracy, position["report"])
        assert report is not None and report.alert_id == held.id and report.status == "open"
        assert report.ground == "unlawful" and "Schneider" not in report.evidence
        told = session.scalar(
            select(CisNotification).where(
                CisNotification.kind == "inaccuracy_reported",
                CisNotification.recipient_id == held.supplier_id,
            )
        )
        assert told is not None and told.body["report"] == report.id
        state_position(session, cw.vault, dpo(session, cw, "de-dpo"), request.id, alert_id=held.id)
        with pytest.raises(Conflict, match=r"CIS-43: .*correct or delete"):
            decide_request(session, cw.vault, dpo(session, cw), request.id)

        # the supplier resolves it by the usual path, which takes its restricted alert
        resolve_inaccuracy(
            session, cw.vault, officer(session, cw, "de-cis"), report.id, outcome="deleted"
        )
        assert held.status == "deleted" and held.sealed is None
        answer = decide_request(session, cw.vault, dpo(session, cw), request.id)
        assert request.decision == "carried_out"
        assert answer.data == [{"supplier": "DE", "outcome": "deleted"}]


def test_cis_43_a_restricted_alert_is_corrected_in_place_on_request(cw: CisWorld) -> None:
    with cw.factory() as session, session.begin():
        who = person("Richter", "1966-01-30")
        held = alert(session, cw, "nl-cis", who)
        held.status = "restricted"
        session.flush()
        request = receive_request(
            session,
            cw.vault,
            dpo(session, cw),
            kind="rectification",
            subject=who,
            details="my forenames are Jan Willem, not Jan",
        )
        (position,) = request.positions
        resolve_inaccuracy(
            session,
            cw.vault,
            officer(session, cw),
            position["report"],
            outcome="corrected",
            changes={"person": {"forenames": "Jan Willem"}},
        )
        assert held.status == "restricted"  # corrected, still out of the users' reach
        corrected = content_of(cw.vault, held).person
        assert corrected is not None and corrected["forenames"] == "Jan Willem"
        decide_request(session, cw.vault, dpo(session, cw), request.id)
        assert request.decision == "carried_out"


def test_cis_47_a_data_subject_request_is_recorded_as_a_query(cw: CisWorld) -> None:
    """A request searches the CIS by a person's identity: recorded like any query, with
    the keys sealed and the number of alerts found."""
    with cw.factory() as session, session.begin():
        who = person("Keller", address="Lindenweg 3, Bonn")
        alert(session, cw, "de-cis", who)
        alert(session, cw, "nl-cis", who)
        receive_request(session, cw.vault, dpo(session, cw), kind="access", subject=who)
        (logged,) = session.scalars(select(CisQuery).where(CisQuery.kind == "subject_request"))
        assert (logged.actor, logged.authority, logged.results) == ("nl-dpo", "NL", 2)
        assert "Keller" not in logged.sealed_criteria
        criteria = cw.vault.open(logged.sealed_criteria)
        assert criteria["surname"] == "Keller" and criteria["date_of_birth"] == "1975-04-12"
        assert "address" not in criteria  # only what the search used


def test_cis_42_a_positions_note_is_sealed(cw: CisWorld) -> None:
    """Free text may name someone: the note goes into the request's sealed part; the clear
    positions say only that there is one."""
    note = "Her brother Karl Lang is under investigation in Munich"
    with cw.factory() as session, session.begin():
        who = person("Lang")
        held = alert(session, cw, "de-cis", who)
        request = receive_request(session, cw.vault, dpo(session, cw), kind="access", subject=who)
        state_position(
            session,
            cw.vault,
            dpo(session, cw, "de-dpo"),
            request.id,
            alert_id=held.id,
            note=note,
        )
        session.flush()
        stored = session.get(CisAccessRequest, request.id)
        assert stored is not None
        assert "Karl" not in json.dumps(stored.positions)
        assert "Karl" not in stored.sealed_subject
        assert stored.positions[0]["noted"] is True
        assert notes_of(cw.vault, stored) == {held.id: note}
        answer = decide_request(session, cw.vault, dpo(session, cw), request.id)
        assert notes_of(cw.vault, stored) == {held.id: note}  # kept through the answer
        assert answer_of(cw.vault, stored) == answer


def test_cis_42_positions_asked_are_paged_by_request(
    cw: CisWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Filtered and paged in SQL: requests already answered or received by the asked
    authority itself are not read, and a page stops at its limit."""
    monkeypatch.setattr(subjects, "BATCH", 2)  # several queries for one page
    with cw.factory() as session, session.begin():
        requests = []
        for name in ("Adler", "Braun", "Fischer", "Maier"):
            who = person(name)
            alert(session, cw, "de-cis", who)
            if name == "Braun":  # received by DE itself: nothing to ask DE
                alert(session, cw, "nl-cis", who)
                received_by = dpo(session, cw, "de-dpo")
            else:
                received_by = dpo(session, cw)
            requests.append(
                receive_request(session, cw.vault, received_by, kind="access", subject=who).id
            )
        de_dpo = dpo(session, cw, "de-dpo")
        first = positions_asked(session, de_dpo, limit=1)
        assert [p["request"] for p in first] == [requests[0]]
        rest = positions_asked(session, de_dpo, after=first[-1]["request"], limit=5)
        assert [p["request"] for p in rest] == [requests[2], requests[3]]
        assert positions_asked(session, de_dpo, after=requests[3]) == []
        with pytest.raises(ValidationFailed, match="CIS-42"):
            positions_asked(session, de_dpo, limit=0)


def test_cis_43_a_request_states_what_is_wrong(cw: CisWorld) -> None:
    with cw.factory() as session, session.begin(), pytest.raises(ValidationFailed, match="CIS-43"):
        receive_request(session, cw.vault, dpo(session, cw), kind="erasure", subject=person("X"))


# --- CIS-40, CIS-41: copies in national analysis systems -------------------------------


def test_cis_40_analyst_copies_another_suppliers_alert(cw: CisWorld) -> None:
    with cw.factory() as session, session.begin():
        held = alert(
            session, cw, "de-cis", person("Weber", nationality="DE", address="Hauptstr. 5")
        )
        user = analyst(session, cw)
        copy = copy_alert(
            session,
            cw.vault,
            user,
            held.id,
            system="risk_management",
            service="risk analysis centre",
            personal_fields=["nationality", "surname"],
            today=date(2025, 3, 1),
        )
        assert copy_person(session, cw.vault, user, copy.id) == {
            "nationality": "DE",
            "surname": "Weber",
        }
        assert copy.review_due == date(2026, 3, 1)
        assert copy.expires_on == date(2035, 3, 1)
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "cis_copy_alert"))
        assert entry is not None
        assert entry.detail["dropped_fields"] == ["address", "date_of_birth", "forenames"]
        assert [c.id for c in list_copies(session, user)] == [copy.id]


def test_cis_41_the_copy_review_list_is_paged_by_key(cw: CisWorld) -> None:
    """Paged in SQL by (review_due, id), so a page never loads the authority's every copy
    and a review on one page makes the next skip nothing."""
    with cw.factory() as session, session.begin():
        user = analyst(session, cw)
        made = []
        for n, copied_on in enumerate((date(2025, 5, 1), date(2025, 3, 1), date(2025, 3, 1))):
            held = alert(session, cw, "de-cis", person(f"Paged{n}"))
            made.append(
                copy_alert(
                    session,
                    cw.vault,
                    user,
                    held.id,
                    system="risk_management",
                    service="risk analysis centre",
                    today=copied_on,
                )
            )
        order = [made[1].id, made[2].id, made[0].id]
        first = list_copies(session, user, limit=2)
        assert [c.id for c in first] == order[:2]
        last = first[-1]
        rest = list_copies(session, user, after=(last.review_due, last.id), limit=2)
        assert [c.id for c in rest] == order[2:]
        with pytest.raises(ValidationFailed, match="CIS-41"):
            list_copies(session, user, limit=0)


def test_cis_40_who_may_copy_what_and_where(cw: CisWorld) -> None:
    with cw.factory() as session, session.begin():
        theirs = alert(session, cw, "de-cis", person("Schmidt"))
        ours = alert(session, cw, "nl-cis", person("Smit"))
        user = analyst(session, cw)
        kw: dict[str, Any] = {"system": "risk_management", "service": "risk analysis centre"}
        with pytest.raises(ValidationFailed, match=r"CIS-40: .*own data need no copy"):
            copy_alert(session, cw.vault, user, ours.id, **kw)
        with pytest.raises(NotAuthorised, match=r"CIS-40: .*not a risk management service"):
            copy_alert(session, cw.vault, user, theirs.id, system="risk_management", service="x")
        with pytest.raises(ValidationFailed, match="CIS-40: copies go only"):
            copy_alert(
                session, cw.vault, user, theirs.id, system="marketing", service=kw["service"]
            )
        officer_user = as_user(session, cw, "nl-cis", Permission.CIS_QUERY)
        with pytest.raises(NotAuthorised, match=r"CIS-40: .*not a designated analyst"):
            copy_alert(session, cw.vault, officer_user, theirs.id, **kw)
        europol = analyst(session, cw, "europol-analyst")
        with pytest.raises(NotAuthorised, match="CIS-15"):
            copy_alert(session, cw.vault, europol, theirs.id, **kw)
        eurojust = as_user(session, cw, "eurojust-analyst", Permission.CIS_COPY, "investigation")
        with pytest.raises(NotAuthorised, match="CIS-16"):
            copy_alert(session, cw.vault, eurojust, theirs.id, **kw)
        assert session.scalar(select(func.count()).select_from(CisCopy)) == 0


def test_cis_41_personal_data_not_needed_are_never_copied(cw: CisWorld) -> None:
    with cw.factory() as session, session.begin():
        held = alert(session, cw, "de-cis", person("Fischer"))
        user = analyst(session, cw)
        kw: dict[str, Any] = {"system": "operational_analysis", "service": "risk analysis centre"}
        anonymous = copy_alert(session, cw.vault, user, held.id, **kw)
        assert anonymous.sealed is None
        assert copy_person(session, cw.vault, user, anonymous.id) == {}
        with pytest.raises(ValidationFailed, match="CIS-41"):
            copy_alert(session, cw.vault, user, held.id, personal_fields=["religion"], **kw)


def test_cis_41_copies_reviewed_yearly_and_kept_at_most_ten_years(cw: CisWorld) -> None:
    day0 = date(2024, 2, 29)
    with cw.factory() as session, session.begin():
        held = alert(session, cw, "de-cis", person("Wagner"))
        user = analyst(session, cw)
        kept, missed, dropped = (
            copy_alert(
                session,
                cw.vault,
                user,
                held.id,
                system="risk_management",
                service="risk analysis centre",
                personal_fields=["surname"],
                today=day0,
            )
            for _ in range(3)
        )
        assert kept.expires_on == date(2034, 2, 28)
        review_copy(session, user, kept.id, decision="keep", today=day0 + timedelta(days=300))
        assert kept.review_due == day0 + timedelta(days=665)
        review_copy(session, user, dropped.id, decision="delete", why="analysis closed")
        assert dropped.deleted_at is not None and dropped.sealed is None

        assert purge_copies(session, today=day0 + timedelta(days=365)).review_missed == []
        purged = purge_copies(session, today=day0 + timedelta(days=366))
        assert purged.review_missed == [missed.id] and purged.expired == []
        assert missed.sealed is None and missed.subject == {} and missed.deleted_at is not None
        assert kept.deleted_at is None

        # reviewed every year, it still goes at ten years
        for year in range(1, 10):
            review_copy(session, user, kept.id, decision="keep", today=date(2024 + year, 2, 1))
        assert kept.review_due == date(2034, 2, 1)
        review_copy(session, user, kept.id, decision="keep", today=date(2034, 2, 1))
        assert kept.review_due == date(2034, 2, 28)  # never past the ten years
        with pytest.raises(Conflict, match="CIS-41"):
            review_copy(session, user, kept.id, decision="keep", today=date(2034, 2, 28))
        assert purge_copies(session, today=date(2034, 2, 27)).expired == []
        assert purge_copies(session, today=date(2034, 2, 28)).expired == [kept.id]
        assert kept.sealed is None
        assert audit_count(session, "cis_purge_copies") == 2


# --- CIS-44: inspection ----------------------------------------------------------------


def test_cis_44_inspection_reads_content_and_is_audited(cw: CisWorld) -> None:
    with cw.factory() as session, session.begin():
        nl = [alert(session, cw, "nl-cis", person(f"Inspected{i}")) for i in range(3)]
        de = alert(session, cw, "de-cis", person("Elsewhere"))
        nl[2].status = "restricted"  # moved at a missed review: still inspected (CIS-25)
        supervisor = authenticate(session, cw.tokens["nl-supervisor"])

        first = inspect(session, cw.vault, supervisor, why="annual audit", limit=2)
        assert [a.reference for a in first.alerts] == [nl[0].reference, nl[1].reference]
        assert first.alerts[0].person is not None
        assert first.alerts[0].person["surname"] == "Inspected0"
        assert first.alerts[0].justification == JUSTIFICATION
        second = inspect(
            session, cw.vault, supervisor, why="annual audit", limit=2, after=first.next_after or 0
        )
        assert [(a.reference, a.status) for a in second.alerts] == [(nl[2].reference, "restricted")]
        assert second.next_after is None  # a national supervisor sees its own data only
        # CIS-25: a moved entry's content only for an accuracy or lawfulness check
        assert second.alerts[0].person is None
        checked = inspect(
            session,
            cw.vault,
            supervisor,
            why="lawfulness of a moved entry",
            after=first.next_after or 0,
            check="lawfulness",
        )
        assert checked.alerts[0].person is not None

        committee = authenticate(session, cw.tokens["committee"])
        seen = inspect(session, cw.vault, committee, why="oversight", with_content=False)
        assert de.reference in {a.reference for a in seen.alerts}
        assert all(a.person is None for a in seen.alerts)
        joint = authenticate(session, cw.tokens["eu-supervisor"])
        assert len(inspect(session, cw.vault, joint, why="joint review").alerts) == 4

        entries = list(
            session.scalars(select(AuditEntry).where(AuditEntry.action == "cis_inspect"))
        )
        assert len(entries) == 5
        assert entries[0].actor == "nl-supervisor"
        assert entries[0].detail["alerts"] == [nl[0].reference, nl[1].reference]

        with pytest.raises(NotAuthorised, match="CIS-44"):
            inspect(session, cw.vault, authenticate(session, cw.tokens["nl-cis"]), why="curious")


def test_cis_44_a_supervisor_at_an_eu_body_inspects_only_that_bodys_alerts(
    cw: CisWorld,
) -> None:
    """Europol's own data-protection supervisor is a national-style ``supervisor`` at an
    EU body, not the joint supervisory authority: it sees Europol's alerts, no Member
    State's; the joint one is a role (``joint_supervisor``), wherever it sits."""
    with cw.factory() as session, session.begin():
        nl = alert(session, cw, "nl-cis", person("Dutch"))
        de = alert(session, cw, "de-cis", person("German"))
        europol = alert(session, cw, "europol-cis", person("Europol"))
        supervisor = authenticate(session, cw.tokens["europol-supervisor"])
        page = inspect(session, cw.vault, supervisor, why="Europol's own audit")
        assert [a.reference for a in page.alerts] == [europol.reference]
        assert page.next_after is None
        with pytest.raises(NotAuthorised, match="CIS-44"):
            inspect(
                session, cw.vault, authenticate(session, cw.tokens["europol-cis"]), why="curious"
            )
        joint = authenticate(session, cw.tokens["eu-supervisor"])
        seen = {a.reference for a in inspect(session, cw.vault, joint, why="joint review").alerts}
        assert {nl.reference, de.reference, europol.reference} <= seen


def test_cis_44_inspectors_cannot_write(cw: CisWorld) -> None:
    with cw.factory() as session, session.begin():
        held = alert(session, cw, "nl-cis", person("Untouched"))
        for username, permission in (
            ("nl-supervisor", Permission.CIS_INSPECT),
            ("committee", Permission.CIS_OVERSIGHT),
        ):
            with pytest.raises(NotAuthorised):
                as_user(session, cw, username, Permission.CIS_ENTER)
            user = as_user(session, cw, username, permission)
            with pytest.raises(NotAuthorised, match="CIS-17"):
                amend_alert(session, cw.vault, user, held.id, changes={"reason": "changed"})
            with pytest.raises(NotAuthorised, match="CIS-17"):
                delete_alert(session, user, held.id, why="inspected")
            with pytest.raises(NotAuthorised, match="CIS-13"):
                enter_alert(
                    session,
                    cw.vault,
                    user,
                    category="persons",
                    action="specific_checks",
                    reason="x",
                    person=person("New"),
                    justification=JUSTIFICATION,
                )
            with pytest.raises(NotAuthorised, match="CIS-40"):
                copy_alert(
                    session,
                    cw.vault,
                    user,
                    held.id,
                    system="risk_management",
                    service="risk analysis centre",
                )
            with pytest.raises(NotAuthorised, match="CIS-42"):
                receive_request(session, cw.vault, user, kind="access", subject=person("X"))
        assert held.version == 1 and held.status == "active" and held.reason != "changed"


# --- CIS-45: strategic analysis --------------------------------------------------------


def test_cis_45_strategic_analysis_holds_no_personal_values(cw: CisWorld) -> None:
    with cw.factory() as session, session.begin():
        seeded = []
        for i in range(6):
            seeded.append(
                alert(
                    session,
                    cw,
                    "nl-cis" if i % 2 else "de-cis",
                    person(
                        f"Surname{i}q",
                        f"19{60 + i}-0{i + 1}-1{i}",
                        nationality="MA",
                        address=f"{i} Rue Secrète, Tanger",
                        identity_document_number=f"PX{i}77123",
                        aliases=[f"Alias{i}z"],
                    ),
                    "discreet_surveillance" if i < 2 else "specific_checks",
                )
            )
        for i in range(2):
            seeded.append(alert(session, cw, "nl-cis", person(f"Rare{i}w", nationality="XK")))
        gone = alert(session, cw, "nl-cis", person("Deleted", nationality="MA"))
        delete_alert(session, officer(session, cw), gone.id, why="entered by mistake")

        user = analyst(session, cw)
        figures = strategic_analysis(session, cw.vault, user)
        assert figures.total == 8
        assert figures.by_category == {"persons": 8}
        assert figures.by_action == {"discreet_surveillance": 2, "specific_checks": 6}
        assert figures.by_supplier == {"DE": 3, "NL": 5}
        assert sum(figures.by_month.values()) == 8
        assert figures.by_nationality == {"MA": 6}
        assert figures.nationality_suppressed == 2

        text = json.dumps(dataclasses.asdict(figures), default=str)
        for a in seeded:
            assert a.reference not in text
            who = content_of(cw.vault, a).person or {}
            for field in ("surname", "date_of_birth", "address", "identity_document_number"):
                if field in who:
                    assert who[field] not in text, field
            for alias in who.get("aliases", []):
                assert alias not in text
        assert "XK" not in text

        with pytest.raises(NotAuthorised, match="CIS-45"):
            strategic_analysis(
                session, cw.vault, as_user(session, cw, "nl-cis", Permission.CIS_QUERY)
            )
        with pytest.raises(ValidationFailed, match="CIS-45"):
            strategic_analysis(session, cw.vault, user, min_cell=1)
