"""Copies of CIS data in national analysis systems (CIS-39..CIS-41).

CIS-39 needs no code: the platform consults the one central database directly and makes
no copy for technical purposes; there is no export of alerts. The only copy it knows is
the one CIS-40 allows, made here: another supplier's alert, into a national risk
management system that directs customs controls or an operational analysis system that
coordinates actions, by a designated analyst of a service the authority listed.

A copy takes only what the analysis needs (CIS-41): the analyst names the personal fields
needed and the others never enter the copy, so there is nothing to delete afterwards.
With none named the copy is anonymous from the start. Copies are reviewed at least yearly
and live at most ten years; ``purge_copies`` deletes expired copies and copies whose
review was missed. A missed review deletes rather than waits: unlike an alert (CIS-23)
a copy has no restricted area to wait in, and an unreviewed copy is one nobody vouched
for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tollgate.audit.log import record
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import SYSTEM, Actor
from tollgate.cis.access import CisUser, refuse_bulk_copy
from tollgate.cis.alerts import content_of, get_alert
from tollgate.cis.categories import PERSONAL_FIELDS, Category
from tollgate.cis.crypto import Vault
from tollgate.cis.tables import CisCopy
from tollgate.errors import Conflict, NotAuthorised, NotFound, ValidationFailed

SYSTEMS = ("risk_management", "operational_analysis")
REVIEW_EVERY = timedelta(days=365)  # CIS-41: at least yearly
KEEP_YEARS = 10  # CIS-41: at most ten years


def _now() -> datetime:
    return datetime.now(UTC)


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February: the last day of February, never later
        return day.replace(year=day.year + years, day=28)


def _analyst(user: CisUser, service: str | None) -> None:
    refuse_bulk_copy(user)  # CIS-15, CIS-16: Europol and Eurojust never copy
    if not user.actor.can(Permission.CIS_COPY):
        raise NotAuthorised(
            f"CIS-40: user {user.actor.username!r} is not a designated analyst (cis_copy)"
        )
    if service is not None and service not in user.designation.analysis_services:
        raise NotAuthorised(
            f"CIS-40: {service!r} is not a risk management service listed by "
            f"{user.authority.code} (listed: {user.designation.analysis_services})"
        )


def copy_alert(
    session: Session,
    vault: Vault,
    user: CisUser,
    alert_id: int,
    *,
    system: str,
    service: str,
    personal_fields: Iterable[str] = (),
    today: date | None = None,
) -> CisCopy:
    """Copy another supplier's alert into a national analysis system (CIS-40), keeping of
    the personal data only ``personal_fields`` (CIS-41)."""
    _analyst(user, service)
    if system not in SYSTEMS:
        raise ValidationFailed(
            f"CIS-40: copies go only into a {' or '.join(SYSTEMS)} system, not {system!r}"
        )
    alert = get_alert(session, alert_id)
    if alert.status != "active":
        raise NotAuthorised(
            f"CIS-25: alert {alert.reference} is in the restricted area and cannot be copied"
        )
    if alert.supplier_id == user.authority.id:
        raise ValidationFailed(
            f"CIS-40: alert {alert.reference} is {user.authority.code}'s own; own data need no copy"
        )
    if alert.category not in user.designation.categories:
        raise NotAuthorised(f"CIS-46: {user.authority.code} is not designated for {alert.category}")
    needed = sorted(set(personal_fields))
    _, allowed = PERSONAL_FIELDS[Category(alert.category)]
    unknown = [f for f in needed if f not in allowed]
    if unknown:
        raise ValidationFailed(
            f"CIS-41: {unknown} are not personal fields of a {alert.category} alert"
        )
    if needed and not user.sees_personal_data:
        raise NotAuthorised(
            f"CIS-38: {user.authority.code} may not receive personal data before its data "
            "protection provisions are in force"
        )
    person = content_of(vault, alert).person or {}
    kept = {f: person[f] for f in needed if f in person}
    day = today or _now().date()
    expires = _years_after(day, KEEP_YEARS)
    copy = CisCopy(
        alert_id=alert.id,
        authority_id=user.authority.id,
        system=system,
        service=service,
        copied_by=user.actor.username,
        copied_at=_now(),
        review_due=min(day + REVIEW_EVERY, expires),
        expires_on=expires,
        subject=dict(alert.subject),
        sealed=vault.seal({"person": kept}) if kept else None,
        deleted_at=None,
    )
    session.add(copy)
    session.flush()
    record(
        session,
        actor=user.actor,
        action="cis_copy_alert",
        object_type="cis_copy",
        object_id=str(copy.id),
        purpose=user.purpose,
        detail={
            "alert": alert.reference,
            "system": system,
            "service": service,
            "personal_fields": sorted(kept),
            "dropped_fields": sorted(set(person) - set(kept)),
            "expires_on": expires.isoformat(),
        },
    )
    return copy


def _own_copy(session: Session, user: CisUser, copy_id: int) -> CisCopy:
    copy = session.get(CisCopy, copy_id)
    if copy is None or copy.authority_id != user.authority.id or copy.deleted_at is not None:
        raise NotFound(f"no CIS copy {copy_id} held by {user.authority.code}")
    return copy


def copy_person(session: Session, vault: Vault, user: CisUser, copy_id: int) -> dict[str, Any]:
    """The personal fields a copy kept ({} when anonymous), for its own authority's
    analysts."""
    _analyst(user, None)
    copy = _own_copy(session, user, copy_id)
    if copy.sealed is None:
        return {}
    person: dict[str, Any] = vault.open(copy.sealed).get("person", {})
    return person


#: the most copies one call of ``list_copies`` returns
MAX_PAGE = 1_000


def list_copies(
    session: Session,
    user: CisUser,
    *,
    include_deleted: bool = False,
    after: tuple[date, int] | None = None,
    limit: int = 100,
) -> list[CisCopy]:
    """The authority's copies, oldest review first: the review list (CIS-41).

    Paged by key in SQL, like ``retention.review_queue``: pass the last item's
    ``(review_due, id)`` as ``after``. An offset would skip copies whenever a review on
    the previous page moved one further down the list; loading every copy to page them
    here would grow with the ten years a copy may live."""
    _analyst(user, None)
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed(f"CIS-41: a page holds 1 to {MAX_PAGE} copies")
    query = select(CisCopy).where(CisCopy.authority_id == user.authority.id)
    if not include_deleted:
        query = query.where(CisCopy.deleted_at.is_(None))
    if after is not None:
        due, last_id = after
        query = query.where(
            (CisCopy.review_due > due) | ((CisCopy.review_due == due) & (CisCopy.id > last_id))
        )
    return list(session.scalars(query.order_by(CisCopy.review_due, CisCopy.id).limit(limit)))


def review_copy(
    session: Session,
    user: CisUser,
    copy_id: int,
    *,
    decision: str,
    why: str = "",
    today: date | None = None,
) -> CisCopy:
    """The yearly review (CIS-41): keep until the next review (never past the ten years),
    or delete now."""
    _analyst(user, None)
    copy = _own_copy(session, user, copy_id)
    day = today or _now().date()
    if decision == "keep":
        if day >= copy.expires_on:
            raise Conflict(
                f"CIS-41: copy {copy_id} reached its ten years on {copy.expires_on}; "
                "it is deleted, not kept"
            )
        copy.review_due = min(day + REVIEW_EVERY, copy.expires_on)
    elif decision == "delete":
        _wipe(copy)
    else:
        raise ValidationFailed("CIS-41: a review decides 'keep' or 'delete'")
    session.flush()
    record(
        session,
        actor=user.actor,
        action="cis_review_copy",
        object_type="cis_copy",
        object_id=str(copy.id),
        purpose=user.purpose,
        detail={"decision": decision, "why": why[:200], "review_due": copy.review_due.isoformat()},
    )
    return copy


def _wipe(copy: CisCopy) -> None:
    copy.sealed = None
    copy.subject = {}
    copy.deleted_at = _now()


@dataclass(frozen=True, slots=True)
class CopyPurge:
    expired: list[int]
    review_missed: list[int]


def purge_copies(session: Session, *, today: date, actor: Actor = SYSTEM) -> CopyPurge:
    """Delete copies past their ten years and copies whose yearly review was missed
    (CIS-41); run daily. ``today`` is the clock, so the rule can be tested and replayed."""
    rows = session.scalars(
        select(CisCopy)
        .where(
            CisCopy.deleted_at.is_(None),
            or_(CisCopy.expires_on <= today, CisCopy.review_due < today),
        )
        .order_by(CisCopy.id)
    )
    expired: list[int] = []
    missed: list[int] = []
    for copy in rows:
        (expired if copy.expires_on <= today else missed).append(copy.id)
        _wipe(copy)
    session.flush()
    if expired or missed:
        record(
            session,
            actor=actor,
            action="cis_purge_copies",
            object_type="cis_copy",
            detail={"today": today.isoformat(), "expired": expired, "review_missed": missed},
        )
    return CopyPurge(expired, missed)
