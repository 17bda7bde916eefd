"""How long a CIS alert lives (CIS-22..CIS-25): a yearly review, a keep decision, a month's
notice, one year in the restricted area, then deletion.

The schedule is stored on the alert, so every step of ``run_retention`` is an indexed
range scan and a second run on the same day finds nothing left to do:

- ``review_due`` is a year after entry (``alerts.enter_alert``) or after the last keep
  decision. A keep decision counts from the day it is taken, not from the old deadline:
  the decision *is* the review, and CIS-22 wants one at least every year, so chaining
  deadlines (old due + 1 year) would let nearly two years pass between real reviews.
- The notice (CIS-24) goes one *calendar* month before ``review_due`` (9 March for
  9 April; 28 February for 31 March), not 30 days: "one month" in the Decision's sense,
  and never less notice than that. ``notice_sent_at`` makes it a once-per-cycle event; a
  keep decision clears it so the next cycle is announced again.
- On ``review_due`` without a keep decision the alert moves to the restricted area and
  ``delete_after`` is set a year (365 days, like the review cycle) after the move. The
  deadline is firm: if the job did not run during the notice month, the entry still moves
  on time (keeping data past its review to make up for a missed notice would be the worse
  breach) and the move notification says that no notice went out.
- On ``delete_after`` the content is erased and a tombstone stays (``alerts.erase``).

Dates come from the caller (``today``) so the CLI can catch up on a missed day and tests
can walk a timeline; the ``*_at`` columns record the real moment each step happened.

Restricted entries are read only by the committee's representative (``CIS_OVERSIGHT``)
and supervisory authorities (``CIS_INSPECT``), only to check accuracy or lawfulness, and
every read is audited. A national supervisory authority oversees its own Member State's
data (art. 24 of the Decision), so it reads the restricted entries its authority supplied
(a ``supervisor`` at an EU body included: it oversees that body's data only); the joint
supervisory authority (role ``joint_supervisor``, art. 25) and the committee's
representative read all of them, as in ``inspection``. Unlike there, the platform
operator (``SYSTEM``) is refused: it holds every role but is neither of the two readers
the Decision names.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from tollgate.audit.log import record
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import SYSTEM, Actor
from tollgate.cis.access import CisUser
from tollgate.cis.alerts import REVIEW_EVERY, Content, content_of, erase, withdraw_hits
from tollgate.cis.crypto import Vault
from tollgate.cis.inspection import joint_supervisor
from tollgate.cis.notifications import notify
from tollgate.cis.tables import CisAlert
from tollgate.errors import Conflict, NotAuthorised, NotFound, ValidationFailed

#: CIS-25: how long a moved entry stays in the restricted area
RESTRICTED_FOR = REVIEW_EVERY
#: CIS-25: the only reasons to read a restricted entry
CHECKS = frozenset({"accuracy", "lawfulness"})
#: alerts handled per query by ``run_retention``: bounded memory whatever the backlog
PAGE = 1_000
#: the longest a calendar month before a date can reach back (31 March -> 28 February)
_LONGEST_MONTH = timedelta(days=31)


def _now() -> datetime:
    return datetime.now(UTC)


def month_before(day: date) -> date:
    """The same day of the previous month, or that month's last day if it is shorter:
    when the CIS-24 notice for a move on ``day`` is due."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class RetentionReport:
    """What one run did; all zeros on a second run the same day."""

    today: date
    notices: int = 0
    moved: int = 0
    deleted: int = 0


@dataclass(frozen=True, slots=True)
class RestrictedEntry:
    """A restricted alert as listed for the overseers: when it moved and when it goes,
    without its content (that takes a purpose-bound ``read_restricted``)."""

    alert_id: int
    reference: str
    supplier_id: int
    category: str
    action: str
    restricted_at: datetime | None
    delete_after: date | None


@dataclass(frozen=True, slots=True)
class RestrictedRead:
    """A restricted alert opened for an accuracy or lawfulness check."""

    entry: RestrictedEntry
    content: Content


# --- the supplier's review (CIS-22, CIS-23) -------------------------------------------


def _require_supplier_staff(user: CisUser, rule: str) -> None:
    """Reviewing is changing one's data: CIS-enter staff, or the operator acting for them."""
    if not user.actor.can(Permission.CIS_ENTER) and user.actor.authority_code is not None:
        raise NotAuthorised(f"{rule}: user {user.actor.username!r} may not review CIS data")


def review_queue(
    session: Session,
    user: CisUser,
    *,
    today: date,
    within_days: int = 31,
    after: tuple[date, int] | None = None,
    limit: int = 100,
) -> list[CisAlert]:
    """The supplier's active alerts whose review falls within ``within_days`` (CIS-22),
    the most urgent first. Overdue ones are included: they have not moved yet only because
    the retention job has not run today.

    Paged by key, not offset: pass the last item's ``(review_due, id)`` as ``after``, so
    that keeping alerts from one page does not make the next page skip any."""
    _require_supplier_staff(user, "CIS-22")
    if within_days < 0:
        raise ValidationFailed("CIS-22: within_days is not negative")
    query = select(CisAlert).where(
        CisAlert.supplier_id == user.authority.id,
        CisAlert.status == "active",
        CisAlert.review_due <= today + timedelta(days=within_days),
    )
    if after is not None:
        due, last_id = after
        query = query.where(
            (CisAlert.review_due > due) | ((CisAlert.review_due == due) & (CisAlert.id > last_id))
        )
    query = query.order_by(CisAlert.review_due, CisAlert.id).limit(max(1, min(limit, PAGE)))
    return list(session.scalars(query))


def keep(session: Session, user: CisUser, alert_id: int, *, today: date, why: str) -> CisAlert:
    """The supplier decides, before the deadline, to keep an alert until the next review
    (CIS-23): the next review is a year from today (see the module docstring for why not
    a year from the old deadline). Only the supplier decides (CIS-17); after the deadline
    the entry has moved or is about to, and keeping it is no longer an option."""
    alert = session.get(CisAlert, alert_id)
    if alert is None or alert.status == "deleted":
        raise NotFound(f"no CIS alert {alert_id}")
    if alert.supplier_id != user.authority.id:
        raise NotAuthorised(
            f"CIS-17: only the supplying authority reviews and keeps alert {alert.reference} "
            "(CIS-23)"
        )
    _require_supplier_staff(user, "CIS-23")
    if not why.strip():
        raise ValidationFailed("CIS-23: a keep decision says why the entry is still needed")
    if alert.status != "active":
        raise Conflict(
            f"CIS-23: alert {alert.reference} was moved to the restricted area; "
            "it can no longer be kept"
        )
    if today >= alert.review_due:
        raise Conflict(
            f"CIS-23: the review deadline of alert {alert.reference} was "
            f"{alert.review_due.isoformat()}; without a decision before it the entry moves "
            "to the restricted area"
        )
    was = alert.review_due
    now = _now()
    alert.review_due = today + REVIEW_EVERY
    alert.kept_at = now
    alert.notice_sent_at = None
    alert.updated_at = now
    alert.updated_by = user.actor.username
    session.flush()
    record(
        session,
        actor=user.actor,
        action="cis_keep_alert",
        object_type="cis_alert",
        object_id=alert.reference,
        purpose=user.purpose,
        detail={
            "rule": "CIS-23",
            "decided_on": today.isoformat(),
            "review_due_was": was.isoformat(),
            "review_due": alert.review_due.isoformat(),
            "why": why.strip()[:500],
        },
    )
    return alert


# --- the scheduled job (CIS-23, CIS-24, CIS-25) ---------------------------------------


def _pages(session: Session, query: Select[CisAlert]) -> Iterator[list[CisAlert]]:
    """Rows of ``query`` a page at a time, keyed on id: rows a page leaves untouched are
    not fetched again, and concurrent runs skip each other's locked rows instead of
    notifying twice (PostgreSQL; SQLite has one writer anyway)."""
    last = 0
    while True:
        page = list(
            session.scalars(
                query.where(CisAlert.id > last)
                .order_by(CisAlert.id)
                .limit(PAGE)
                .with_for_update(skip_locked=True)
            )
        )
        if not page:
            return
        yield page
        session.flush()
        last = page[-1].id


def _send_notices(session: Session, today: date) -> int:
    """CIS-24: a month before the move, once per review cycle."""
    query = select(CisAlert).where(
        CisAlert.status == "active",
        CisAlert.notice_sent_at.is_(None),
        CisAlert.review_due > today,
        CisAlert.review_due <= today + _LONGEST_MONTH,
    )
    sent = 0
    for page in _pages(session, query):
        for alert in page:
            if month_before(alert.review_due) > today:
                continue  # inside 31 days but not yet inside its calendar month
            notify(
                session,
                alert.supplier_id,
                "review_due",
                alert_id=alert.id,
                body={
                    "alert": alert.reference,
                    "review_due": alert.review_due.isoformat(),
                    "rule": "CIS-24",
                },
            )
            alert.notice_sent_at = _now()
            sent += 1
    return sent


def _move(session: Session, today: date) -> int:
    """CIS-23/25: at the deadline without a keep decision, into the restricted area.

    The alert's pending hits are withdrawn with it (``alerts.withdraw_hits``): a moved
    entry is out of reach of every user, so a reviewer must not go on seeing, in a hit,
    the data the alert no longer shows, nor act on an alert that no longer stands."""
    query = select(CisAlert).where(CisAlert.status == "active", CisAlert.review_due <= today)
    moved = 0
    for page in _pages(session, query):
        for alert in page:
            now = _now()
            alert.status = "restricted"
            alert.restricted_at = now
            alert.delete_after = today + RESTRICTED_FOR
            alert.updated_at = now
            alert.updated_by = SYSTEM.username
            withdrawn = withdraw_hits(session, alert.id)
            detail = {
                "alert": alert.reference,
                "review_due": alert.review_due.isoformat(),
                "moved_on": today.isoformat(),
                "delete_after": alert.delete_after.isoformat(),
                "notice_sent": alert.notice_sent_at is not None,
                "rule": "CIS-23",
            }
            notify(
                session, alert.supplier_id, "moved_to_restricted", alert_id=alert.id, body=detail
            )
            record(
                session,
                actor=SYSTEM,
                action="cis_move_to_restricted",
                object_type="cis_alert",
                object_id=alert.reference,
                detail=detail | {"hits": withdrawn},
            )
            moved += 1
    return moved


def _delete(session: Session, today: date) -> int:
    """CIS-25: a year after the move, the content goes; the tombstone keeps the reference
    so hits and notifications about it still resolve."""
    query = select(CisAlert).where(CisAlert.status == "restricted", CisAlert.delete_after <= today)
    deleted = 0
    for page in _pages(session, query):
        for alert in page:
            detail = {
                "alert": alert.reference,
                "restricted_until": (alert.delete_after or today).isoformat(),
                "deleted_on": today.isoformat(),
                "rule": "CIS-25",
            }
            erase(
                session, alert, actor=SYSTEM.username, why="CIS-25: a year in the restricted area"
            )
            notify(
                session,
                alert.supplier_id,
                "deleted_after_retention",
                alert_id=alert.id,
                body=detail,
            )
            record(
                session,
                actor=SYSTEM,
                action="cis_delete_after_retention",
                object_type="cis_alert",
                object_id=alert.reference,
                detail=detail,
            )
            deleted += 1
    return deleted


def run_retention(session: Session, *, today: date) -> RetentionReport:
    """Everything the retention schedule asks of ``today``: delete what has served its
    year in the restricted area, move what missed its review, announce what moves within a
    month. Idempotent (each step selects only what it has not done yet), so a scheduler
    may run it as often as it likes and a failed run is simply run again. The caller owns
    the transaction."""
    deleted = _delete(session, today)
    moved = _move(session, today)
    notices = _send_notices(session, today)
    report = RetentionReport(today=today, notices=notices, moved=moved, deleted=deleted)
    if notices or moved or deleted:
        record(
            session,
            actor=SYSTEM,
            action="cis_retention_run",
            object_type="cis_retention",
            object_id=today.isoformat(),
            detail={"notices": notices, "moved": moved, "deleted": deleted},
        )
    return report


# --- the restricted area (CIS-25) -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Overseer:
    role: str
    #: the only supplier whose entries it reads, or None for all of them
    scope: int | None


def _overseer(actor: Actor, purpose: str) -> _Overseer:
    """In which capacity, and over whose entries, the actor reads the restricted area;
    or a refusal naming CIS-25. Scopes follow ``inspection``: a national supervisory
    authority its own Member State's entries, the joint one (``joint_supervisor``) and
    the committee all of them."""
    if actor.authority_id is None:
        raise NotAuthorised(
            "CIS-25: restricted entries are read by the committee's representative or a "
            "supervisory authority, not by the platform operator"
        )
    if actor.can(Permission.CIS_OVERSIGHT):
        who = _Overseer("committee", None)
    elif actor.can(Permission.CIS_INSPECT):
        joint = joint_supervisor(actor)
        who = _Overseer(
            "joint_supervisory_authority" if joint else "supervisory_authority",
            None if joint else actor.authority_id,
        )
    else:
        raise NotAuthorised(
            f"CIS-25: user {actor.username!r} may not read the restricted area; only the "
            "committee's representative and supervisory authorities may"
        )
    if purpose not in CHECKS:
        raise ValidationFailed(
            f"CIS-25: restricted entries are read only to check {' or '.join(sorted(CHECKS))}, "
            f"not for {purpose!r}"
        )
    return who


def _entry(alert: CisAlert) -> RestrictedEntry:
    return RestrictedEntry(
        alert.id,
        alert.reference,
        alert.supplier_id,
        alert.category,
        alert.action,
        alert.restricted_at,
        alert.delete_after,
    )


def list_restricted(
    session: Session, actor: Actor, *, purpose: str, after: int = 0, limit: int = 100
) -> list[RestrictedEntry]:
    """The restricted area's index for an accuracy or lawfulness check (CIS-25): what is
    there and until when, without content. A supervisory authority sees its own
    authority's entries. Paged by id (``after`` the last one seen); audited."""
    who = _overseer(actor, purpose)
    query = select(CisAlert).where(CisAlert.status == "restricted", CisAlert.id > after)
    if who.scope is not None:
        query = query.where(CisAlert.supplier_id == who.scope)
    rows = list(session.scalars(query.order_by(CisAlert.id).limit(max(1, min(limit, PAGE)))))
    record(
        session,
        actor=actor,
        action="cis_list_restricted",
        object_type="cis_alert",
        purpose=purpose,
        detail={"role": who.role, "after": after, "results": len(rows), "rule": "CIS-25"},
    )
    return [_entry(a) for a in rows]


def read_restricted(
    session: Session, vault: Vault, actor: Actor, alert_id: int, purpose: str
) -> RestrictedRead:
    """Open a restricted entry to check its accuracy or lawfulness (CIS-25): the
    committee's representative, or the supervisory authority of the supplier; nobody
    else, not even the supplier. Each read is audited with its purpose."""
    who = _overseer(actor, purpose)
    alert = session.get(CisAlert, alert_id)
    if alert is None or alert.status != "restricted":
        raise NotFound(f"no restricted CIS alert {alert_id}")
    if who.scope is not None and alert.supplier_id != who.scope:
        raise NotAuthorised(
            f"CIS-25: a supervisory authority checks its own Member State's entries; "
            f"{alert.reference} was supplied by another authority (CIS-46)"
        )
    record(
        session,
        actor=actor,
        action="cis_read_restricted",
        object_type="cis_alert",
        object_id=alert.reference,
        purpose=purpose,
        detail={"role": who.role, "rule": "CIS-25"},
    )
    return RestrictedRead(_entry(alert), content_of(vault, alert))
