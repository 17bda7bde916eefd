"""Retention of CIS data (CIS-22..CIS-25), walked along a simulated timeline: the job and
the supplier's decisions are given the day, each step is its own transaction, as the
scheduled job's would be."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from cis.conftest import CisWorld
from factories import container, goods, import_h1
from tollgate.audit.tables import AuditEntry
from tollgate.authorities import service as authorities
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import SYSTEM, Actor, authenticate, get_authority
from tollgate.cis import hits, retention
from tollgate.cis.access import CisUser, cleared
from tollgate.cis.alerts import amend_alert, enter_alert
from tollgate.cis.notifications import inbox
from tollgate.cis.retention import (
    keep,
    list_restricted,
    month_before,
    read_restricted,
    review_queue,
    run_retention,
)
from tollgate.cis.tables import CisAlert, CisAlertKey, CisHit, CisNotification
from tollgate.errors import Conflict, NotAuthorised, NotFound, ValidationFailed
from tollgate.intake.service import submit
from tollgate.risk import service as risk

#: day 0: the review falls on day 365 (2025-01-09), the notice month opens on day 334
DAY0 = date(2024, 1, 10)
SURNAME = "Vermeulen"
#: in every alert's content, so a notification or audit entry carrying content shows
MARKER = "cigarettes in sofa cushions"


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def actor(session: Session, world: CisWorld, username: str) -> Actor:
    return authenticate(session, world.tokens[username])


def officer(session: Session, world: CisWorld, username: str) -> CisUser:
    return cleared(
        session, actor(session, world, username), Permission.CIS_ENTER, "prevention", entering=True
    )


def enter(
    world: CisWorld,
    username: str = "nl-cis",
    *,
    on: date = DAY0,
    n: int = 0,
    personal: bool = True,
) -> int:
    """An alert entered on day ``on``: a person alert whose name is sealed, or without
    ``personal`` a commodity alert (quicker: no identity keys to blind)."""
    if personal:
        parts: dict[str, Any] = {
            "category": "persons",
            "subject": {"description": f"{MARKER} {n}"},
            "person": {"surname": f"{SURNAME}{n}", "forenames": "Piet"},
            "justification": "seized twice with undeclared cigarettes in 2023",
        }
    else:
        parts = {
            "category": "commodities",
            "subject": {"commodity_codes": ["24022090"], "description": f"{MARKER} {n}"},
        }
    with world.factory() as session, session.begin():
        alert, _ = enter_alert(
            session,
            world.vault,
            officer(session, world, username),
            action="discreet_surveillance",
            reason="suspected cigarette smuggling",
            today=on,
            **parts,
        )
        return alert.id


def run(world: CisWorld, on: date) -> retention.RetentionReport:
    with world.factory() as session, session.begin():
        return run_retention(session, today=on)


def alert_row(world: CisWorld, alert_id: int) -> CisAlert:
    with world.factory() as session:
        row = session.get(CisAlert, alert_id)
        assert row is not None
        session.expunge(row)
        return row


def notes(world: CisWorld, kind: str | None = None) -> list[CisNotification]:
    with world.factory() as session:
        query = select(CisNotification).order_by(CisNotification.id)
        if kind:
            query = query.where(CisNotification.kind == kind)
        rows = list(session.scalars(query))
        session.expunge_all()
        return rows


def audit_count(world: CisWorld, action: str | None = None) -> int:
    with world.factory() as session:
        query = select(func.count()).select_from(AuditEntry)
        if action:
            query = query.where(AuditEntry.action == action)
        return int(session.scalar(query) or 0)


def authority_id(world: CisWorld, username: str) -> int:
    with world.factory() as session:
        aid = actor(session, world, username).authority_id
        assert aid is not None
        return aid


# --- CIS-22 -----------------------------------------------------------------------------


def test_cis_22_every_alert_has_a_yearly_review(cis_world: CisWorld) -> None:
    alert_id = enter(cis_world)
    row = alert_row(cis_world, alert_id)
    assert row.status == "active"
    assert row.review_due == day(365)
    assert row.kept_at is None and row.notice_sent_at is None


def test_cis_22_review_queue_lists_the_suppliers_due_alerts_most_urgent_first(
    cis_world: CisWorld,
) -> None:
    late = enter(cis_world, on=day(20), n=1)
    early = enter(cis_world, on=day(0), n=2)
    same_day = enter(cis_world, on=day(0), n=3)
    far = enter(cis_world, on=day(200), n=4)
    theirs = enter(cis_world, "de-cis", on=day(0), n=5)
    with cis_world.factory() as session:
        nl = officer(session, cis_world, "nl-cis")
        due = review_queue(session, nl, today=day(350), within_days=40)
        assert [a.id for a in due] == [early, same_day, late]
        assert far not in [a.id for a in due] and theirs not in [a.id for a in due]
        assert [a.id for a in review_queue(session, nl, today=day(350), within_days=20)] == [
            early,
            same_day,
        ]
        # paged by key: the last item's (review_due, id) opens the next page
        first = review_queue(session, nl, today=day(350), within_days=40, limit=2)
        rest = review_queue(
            session,
            nl,
            today=day(350),
            within_days=40,
            after=(first[-1].review_due, first[-1].id),
            limit=2,
        )
        assert [a.id for a in first + rest] == [early, same_day, late]
        de = officer(session, cis_world, "de-cis")
        assert [a.id for a in review_queue(session, de, today=day(350))] == [theirs]
        with pytest.raises(ValidationFailed, match="CIS-22"):
            review_queue(session, nl, today=day(350), within_days=-1)


def test_cis_22_review_queue_is_for_the_suppliers_cis_staff(cis_world: CisWorld) -> None:
    enter(cis_world)
    with cis_world.factory() as session:
        analyst = cleared(
            session, actor(session, cis_world, "nl-cis-analyst"), Permission.CIS_QUERY, "prevention"
        )
        with pytest.raises(NotAuthorised, match="CIS-22"):
            review_queue(session, analyst, today=day(350))


# --- CIS-24 -----------------------------------------------------------------------------


def test_cis_24_supplier_notified_once_a_calendar_month_before_the_move(
    cis_world: CisWorld,
) -> None:
    alert_id = enter(cis_world)
    assert month_before(day(365)) == day(334)
    assert run(cis_world, day(333)).notices == 0
    assert notes(cis_world, "review_due") == []

    assert run(cis_world, day(334)).notices == 1
    (note,) = notes(cis_world, "review_due")
    reference = alert_row(cis_world, alert_id).reference
    assert note.recipient_id == authority_id(cis_world, "nl-cis")
    assert note.alert_id == alert_id
    # no personal data: the reference, the date and the rule, nothing else
    assert note.body == {"alert": reference, "review_due": "2025-01-09", "rule": "CIS-24"}
    assert MARKER not in str(note.body) and SURNAME not in str(note.body)
    assert alert_row(cis_world, alert_id).notice_sent_at is not None
    with cis_world.factory() as session:
        nl = officer(session, cis_world, "nl-cis")
        assert [n.id for n in inbox(session, nl, kind="review_due")] == [note.id]

    # sent once: the next days' runs add nothing
    assert run(cis_world, day(334)).notices == 0
    assert run(cis_world, day(335)).notices == 0
    assert run(cis_world, day(364)).notices == 0
    assert len(notes(cis_world, "review_due")) == 1


def test_cis_24_the_notice_month_is_a_calendar_month(cis_world: CisWorld) -> None:
    # entered 30 March 2024: review 30 March 2025, notice from 28 February (Feb is short),
    # though 30 March is within 31 days of 27 February already
    alert_id = enter(cis_world, on=date(2024, 3, 30))
    assert alert_row(cis_world, alert_id).review_due == date(2025, 3, 30)
    assert month_before(date(2025, 3, 30)) == date(2025, 2, 28)
    assert month_before(date(2025, 1, 15)) == date(2024, 12, 15)
    assert run(cis_world, date(2025, 2, 27)).notices == 0
    assert run(cis_world, date(2025, 2, 28)).notices == 1


def test_cis_24_a_missed_notice_does_not_postpone_the_move(cis_world: CisWorld) -> None:
    alert_id = enter(cis_world)
    report = run(cis_world, day(366))  # the job did not run during the notice month
    assert (report.notices, report.moved) == (0, 1)
    assert notes(cis_world, "review_due") == []
    (moved,) = notes(cis_world, "moved_to_restricted")
    assert moved.body["notice_sent"] is False
    row = alert_row(cis_world, alert_id)
    assert row.status == "restricted" and row.delete_after == day(366 + 365)


# --- CIS-23 -----------------------------------------------------------------------------


def test_cis_23_keep_before_the_deadline_moves_the_review_a_year_from_the_decision(
    cis_world: CisWorld,
) -> None:
    alert_id = enter(cis_world)
    assert run(cis_world, day(334)).notices == 1
    before = audit_count(cis_world, "cis_keep_alert")
    with cis_world.factory() as session, session.begin():
        kept = keep(
            session,
            officer(session, cis_world, "nl-cis"),
            alert_id,
            today=day(340),
            why="courier still active on the Rotterdam route",
        )
        assert kept.review_due == day(340 + 365)
    row = alert_row(cis_world, alert_id)
    assert row.status == "active"
    assert row.review_due == day(705)
    assert row.kept_at is not None
    assert row.notice_sent_at is None  # the next cycle is announced again
    assert audit_count(cis_world, "cis_keep_alert") == before + 1

    # the old deadline passes without a move
    assert run(cis_world, day(365)).moved == 0
    assert alert_row(cis_world, alert_id).status == "active"
    # the next notice, a month before the new deadline, and the move at it
    assert month_before(day(705)) == day(675)
    assert run(cis_world, day(674)).notices == 0
    assert run(cis_world, day(675)).notices == 1
    assert len(notes(cis_world, "review_due")) == 2
    assert run(cis_world, day(704)).moved == 0
    assert run(cis_world, day(705)).moved == 1
    assert alert_row(cis_world, alert_id).status == "restricted"


def test_cis_23_keep_refused_to_another_supplier_and_after_the_deadline(
    cis_world: CisWorld,
) -> None:
    alert_id = enter(cis_world)
    with cis_world.factory() as session, session.begin():
        de = officer(session, cis_world, "de-cis")
        with pytest.raises(NotAuthorised, match="CIS-17"):
            keep(session, de, alert_id, today=day(300), why="we still need it")
        nl = officer(session, cis_world, "nl-cis")
        with pytest.raises(ValidationFailed, match="CIS-23"):
            keep(session, nl, alert_id, today=day(300), why="  ")
        with pytest.raises(Conflict, match="CIS-23"):
            keep(session, nl, alert_id, today=day(365), why="too late")
        with pytest.raises(NotFound):
            keep(session, nl, 999_999, today=day(300), why="no such alert")
    assert alert_row(cis_world, alert_id).review_due == day(365)
    run(cis_world, day(365))
    with cis_world.factory() as session, session.begin():
        nl = officer(session, cis_world, "nl-cis")
        with pytest.raises(Conflict, match=r"CIS-23: .* restricted area"):
            keep(session, nl, alert_id, today=day(300), why="clock turned back")


def test_cis_23_moved_to_the_restricted_area_at_the_deadline_without_a_keep(
    cis_world: CisWorld,
) -> None:
    alert_id = enter(cis_world)
    run(cis_world, day(334))
    assert run(cis_world, day(364)).moved == 0
    assert alert_row(cis_world, alert_id).status == "active"

    report = run(cis_world, day(365))
    assert (report.notices, report.moved, report.deleted) == (0, 1, 0)
    row = alert_row(cis_world, alert_id)
    assert row.status == "restricted"
    assert row.restricted_at is not None
    assert row.delete_after == day(730)
    assert row.subject["description"] == f"{MARKER} 0"  # kept for the overseers, a year
    (note,) = notes(cis_world, "moved_to_restricted")
    assert note.recipient_id == authority_id(cis_world, "nl-cis")
    assert note.body["alert"] == row.reference
    assert note.body["delete_after"] == "2026-01-09"
    assert note.body["notice_sent"] is True
    assert MARKER not in str(note.body) and SURNAME not in str(note.body)
    assert audit_count(cis_world, "cis_move_to_restricted") == 1

    # its supplier can no longer amend it, nor does the queue offer it for review
    with cis_world.factory() as session, session.begin():
        nl = officer(session, cis_world, "nl-cis")
        with pytest.raises(Conflict, match="CIS-25"):
            amend_alert(session, cis_world.vault, nl, alert_id, changes={"reason": "x" * 20})
        assert review_queue(session, nl, today=day(365), within_days=365) == []


# --- CIS-25 -----------------------------------------------------------------------------


def restricted_pair(world: CisWorld) -> tuple[int, int]:
    """An NL and a DE alert, both moved to the restricted area on day 365."""
    nl_alert = enter(world, "nl-cis", n=1)
    de_alert = enter(world, "de-cis", n=2)
    assert run(world, day(365)).moved == 2
    return nl_alert, de_alert


def test_cis_25_restricted_entries_unreadable_by_users_even_the_supplier(
    cis_world: CisWorld,
) -> None:
    nl_alert, _ = restricted_pair(cis_world)
    with cis_world.factory() as session:
        for username in ("nl-cis", "de-cis", "nl-analyst", "nl-dpo"):
            who = actor(session, cis_world, username)
            with pytest.raises(NotAuthorised, match="CIS-25"):
                read_restricted(session, cis_world.vault, who, nl_alert, "accuracy")
            with pytest.raises(NotAuthorised, match="CIS-25"):
                list_restricted(session, who, purpose="accuracy")
        # the operator holds every role but is neither committee nor supervisory authority
        with pytest.raises(NotAuthorised, match="CIS-25"):
            read_restricted(session, cis_world.vault, SYSTEM, nl_alert, "lawfulness")


def test_cis_25_committee_reads_restricted_entries_only_to_check_accuracy_or_lawfulness(
    cis_world: CisWorld,
) -> None:
    nl_alert, de_alert = restricted_pair(cis_world)
    active = enter(cis_world, n=3, on=day(300))
    before = audit_count(cis_world, "cis_read_restricted")
    with cis_world.factory() as session, session.begin():
        committee = actor(session, cis_world, "committee")
        for purpose in ("prevention", "investigation", ""):
            with pytest.raises(ValidationFailed, match="CIS-25"):
                read_restricted(session, cis_world.vault, committee, nl_alert, purpose)
        with pytest.raises(NotFound):
            read_restricted(session, cis_world.vault, committee, active, "accuracy")
        seen = read_restricted(session, cis_world.vault, committee, nl_alert, "accuracy")
        assert seen.entry.alert_id == nl_alert
        assert seen.entry.delete_after == day(730)
        assert seen.content.subject["description"] == f"{MARKER} 1"
        assert seen.content.person is not None
        assert seen.content.person["surname"] == f"{SURNAME}1"
        other = read_restricted(session, cis_world.vault, committee, de_alert, "lawfulness")
        assert other.content.person is not None
        assert other.content.person["surname"] == f"{SURNAME}2"
        listed = list_restricted(session, committee, purpose="lawfulness")
        assert [e.alert_id for e in listed] == [nl_alert, de_alert]
        assert [
            e.alert_id
            for e in list_restricted(session, committee, purpose="accuracy", after=nl_alert)
        ] == [de_alert]
    with cis_world.factory() as session:
        reads = list(
            session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "cis_read_restricted")
                .order_by(AuditEntry.seq)
            )
        )
        assert len(reads) == before + 2
        assert [(r.actor, r.purpose) for r in reads[-2:]] == [
            ("committee", "accuracy"),
            ("committee", "lawfulness"),
        ]
        assert MARKER not in str([r.detail for r in reads])
        assert SURNAME not in str([r.detail for r in reads])


def test_cis_25_supervisory_authority_reads_its_own_member_states_restricted_entries(
    cis_world: CisWorld,
) -> None:
    nl_alert, de_alert = restricted_pair(cis_world)
    with cis_world.factory() as session, session.begin():
        supervisor = actor(session, cis_world, "nl-supervisor")
        seen = read_restricted(session, cis_world.vault, supervisor, nl_alert, "lawfulness")
        assert seen.content.subject["description"] == f"{MARKER} 1"
        with pytest.raises(NotAuthorised, match="CIS-25"):
            read_restricted(session, cis_world.vault, supervisor, de_alert, "lawfulness")
        with pytest.raises(ValidationFailed, match="CIS-25"):
            read_restricted(session, cis_world.vault, supervisor, nl_alert, "curiosity")
        listed = list_restricted(session, supervisor, purpose="accuracy")
        assert [e.alert_id for e in listed] == [nl_alert]
        # the joint supervisory authority (its role, not its authority) reads every entry
        authorities.create_user(
            session,
            actor=SYSTEM,
            authority_code="EU-COM",
            username="jsa",
            roles=["joint_supervisor"],
        )
        joint = Actor("jsa", committee_id(session), "EU-COM", frozenset({"joint_supervisor"}))
        assert read_restricted(session, cis_world.vault, joint, de_alert, "accuracy").content
        listed = list_restricted(session, joint, purpose="lawfulness")
        assert [e.alert_id for e in listed] == [nl_alert, de_alert]


def test_cis_25_a_supervisor_at_an_eu_body_reads_only_that_bodys_restricted_entries(
    cis_world: CisWorld,
) -> None:
    """Europol's own data-protection supervisor is not the joint supervisory authority:
    being at an EU body gives no view of the Member States' restricted entries."""
    nl_alert, de_alert = restricted_pair(cis_world)
    europol_alert = enter(cis_world, "europol-cis", n=3)
    assert run(cis_world, day(365)).moved == 1
    with cis_world.factory() as session, session.begin():
        authorities.create_user(
            session,
            actor=SYSTEM,
            authority_code="EUROPOL",
            username="europol-supervisor",
            roles=["supervisor"],
        )
        europol = get_authority(session, "EUROPOL").id
        supervisor = Actor("europol-supervisor", europol, "EUROPOL", frozenset({"supervisor"}))
        listed = list_restricted(session, supervisor, purpose="lawfulness")
        assert [e.alert_id for e in listed] == [europol_alert]
        for other in (nl_alert, de_alert):
            with pytest.raises(NotAuthorised, match="CIS-25"):
                read_restricted(session, cis_world.vault, supervisor, other, "accuracy")
        assert read_restricted(session, cis_world.vault, supervisor, europol_alert, "accuracy")


def committee_id(session: Session) -> int:
    return get_authority(session, "EU-COM").id


def test_cis_25_deleted_one_year_after_the_move(cis_world: CisWorld) -> None:
    alert_id = enter(cis_world)
    run(cis_world, day(334))
    run(cis_world, day(365))
    reference = alert_row(cis_world, alert_id).reference
    assert run(cis_world, day(729)).deleted == 0
    assert alert_row(cis_world, alert_id).status == "restricted"

    report = run(cis_world, day(730))
    assert (report.notices, report.moved, report.deleted) == (0, 0, 1)
    row = alert_row(cis_world, alert_id)
    assert row.status == "deleted"
    assert row.deleted_at is not None and row.deleted_why is not None
    assert "CIS-25" in row.deleted_why
    # the content is gone; the tombstone keeps the reference
    assert row.sealed is None and row.subject == {} and row.reason == ""
    assert row.reference == reference
    with cis_world.factory() as session:
        committee = actor(session, cis_world, "committee")
        with pytest.raises(NotFound):
            read_restricted(session, cis_world.vault, committee, alert_id, "accuracy")
        assert list_restricted(session, committee, purpose="accuracy") == []
    (note,) = notes(cis_world, "deleted_after_retention")
    assert note.recipient_id == authority_id(cis_world, "nl-cis")
    assert note.body == {
        "alert": reference,
        "restricted_until": "2026-01-09",
        "deleted_on": "2026-01-09",
        "rule": "CIS-25",
    }
    assert audit_count(cis_world, "cis_delete_after_retention") == 1
    # the whole life: one notice, one move, one deletion
    assert [n.kind for n in notes(cis_world)] == [
        "review_due",
        "moved_to_restricted",
        "deleted_after_retention",
    ]


def test_cis_25_sealed_personal_data_readable_in_the_restricted_area_then_gone(
    cis_world: CisWorld,
) -> None:
    alert_id = enter(cis_world, personal=True, n=1)
    with cis_world.factory() as session:
        assert (session.scalar(_key_count(alert_id)) or 0) > 0
    run(cis_world, day(365))
    with cis_world.factory() as session, session.begin():
        committee = actor(session, cis_world, "committee")
        seen = read_restricted(session, cis_world.vault, committee, alert_id, "accuracy")
        assert seen.content.person == {"surname": f"{SURNAME}1", "forenames": "Piet"}
        assert seen.content.justification is not None
    assert SURNAME not in str([n.body for n in notes(cis_world)])
    run(cis_world, day(730))
    row = alert_row(cis_world, alert_id)
    assert row.status == "deleted" and row.sealed is None
    with cis_world.factory() as session:
        assert session.scalar(_key_count(alert_id)) == 0  # nothing left to find it by


def _key_count(alert_id: int) -> Select[int]:
    return select(func.count()).select_from(CisAlertKey).where(CisAlertKey.alert_id == alert_id)


# --- the job: idempotent, paged ---------------------------------------------------------


def test_cis_22_to_25_retention_run_is_idempotent(cis_world: CisWorld) -> None:
    enter(cis_world, n=1)
    enter(cis_world, "de-cis", n=2)
    for n, expected in ((334, (2, 0, 0)), (365, (0, 2, 0)), (730, (0, 0, 2))):
        first = run(cis_world, day(n))
        assert (first.notices, first.moved, first.deleted) == expected
        notes_after, audit_after = len(notes(cis_world)), audit_count(cis_world)
        again = run(cis_world, day(n))
        assert (again.notices, again.moved, again.deleted) == (0, 0, 0)
        assert len(notes(cis_world)) == notes_after
        assert audit_count(cis_world) == audit_after  # a run with nothing to do writes nothing


def test_cis_22_to_25_retention_run_works_in_pages(
    cis_world: CisWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More alerts than a page: every one is handled, and no query returns more than a page
    (the page is shrunk to 4 so a dozen alerts make several; a real run uses 1,000)."""
    monkeypatch.setattr(retention, "PAGE", 4)
    pages: list[int] = []
    real = retention._pages

    def spy(session: Session, query: Any) -> Iterator[list[CisAlert]]:
        for page in real(session, query):
            pages.append(len(page))
            yield page

    monkeypatch.setattr(retention, "_pages", spy)
    # 10 due on day 365; 3 entered on day 1 whose notice month only opens on day 335
    ids = [enter(cis_world, n=n, personal=False) for n in range(10)]
    later = [enter(cis_world, "de-cis", on=day(1), n=10 + n, personal=False) for n in range(3)]
    report = run(cis_world, day(334))
    assert report.notices == 10
    assert pages == [4, 4, 2]
    assert all(alert_row(cis_world, i).notice_sent_at is None for i in later)
    assert run(cis_world, day(335)).notices == 3
    pages.clear()
    assert run(cis_world, day(365)).moved == 10
    assert pages == [4, 4, 2]
    assert run(cis_world, day(366)).moved == 3
    assert run(cis_world, day(730)).deleted == 10
    assert run(cis_world, day(731)).deleted == 3
    assert {alert_row(cis_world, i).status for i in ids + later} == {"deleted"}


def test_cis_25_the_move_withdraws_the_alerts_pending_hits(cis_world: CisWorld) -> None:
    """A moved alert is out of every user's reach, so the hit a reviewer has yet to look
    at goes with it: withdrawn, and what it said the alert matched wiped."""
    box = container("RET", 5)
    with cis_world.factory() as session, session.begin():
        moved, _ = enter_alert(
            session,
            cis_world.vault,
            officer(session, cis_world, "nl-cis"),
            category="means_of_transport",
            action="sighting_and_reporting",
            reason="container used for counterfeit shoes",
            subject={"containers": [box]},
            today=DAY0,
        )
        records = [
            import_h1(
                lrn="MOVED-BOX",
                htd=None,
                goods_items=[goods(commodity_code="64039900", containers=[box])],
            )
        ]
        results = submit(session, actor=SYSTEM, records=records)
        assert all(r.outcome.filing_id for r in results), [r.outcome.errors for r in results]
    risk.assess_pending(cis_world.factory, actor=SYSTEM)
    with cis_world.factory() as session, session.begin():
        hits.screen_pending(session, cis_world.vault)

    def pending() -> list[str]:
        with cis_world.factory() as session:
            reviewer = cleared(
                session, actor(session, cis_world, "nl-cis"), Permission.CIS_REVIEW, "prevention"
            )
            return [h.alert_reference for h in hits.hits_for(session, cis_world.vault, reviewer)]

    assert pending() == [moved.reference]
    assert run(cis_world, day(365)).moved == 1
    assert pending() == []
    with cis_world.factory() as session:
        (hit,) = session.scalars(select(CisHit).where(CisHit.alert_id == moved.id))
        assert hit.status == "withdrawn"
        assert hit.sealed_detail == ""
