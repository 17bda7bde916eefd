"""Consulting the CIS: one alert by reference, or a search by what an officer has in front
of them (names, date of birth, documents, identifiers, vehicles, containers, goods).

Every query is recorded for the committee (CIS-47, CIS-49) with its purpose. A caller
sees the categories its authority is designated for (CIS-46), personal data only if its
data protection is in force (CIS-38), and only active alerts: moved ones are for the
committee and the supervisors (CIS-25). When Europol or Eurojust find an alert, its
supplier is told (CIS-15, CIS-16).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tollgate.authorities.roles import Permission
from tollgate.authorities.tables import Authority
from tollgate.cis.access import EUROJUST, EUROPOL, CisUser
from tollgate.cis.alerts import content_of
from tollgate.cis.crypto import Vault
from tollgate.cis.hits import active_index
from tollgate.cis.notifications import notify
from tollgate.cis.querylog import record_query
from tollgate.cis.screening import Subject
from tollgate.cis.tables import CisAlert
from tollgate.errors import NotAuthorised, NotFound, ValidationFailed


@dataclass(frozen=True, slots=True)
class AlertView:
    id: int
    reference: str
    supplier: str
    version: int
    category: str
    action: str
    status: str
    reason: str
    subject: dict[str, Any]
    person: dict[str, Any] | None
    personal_withheld: bool
    review_due: date
    created_at: datetime
    updated_at: datetime
    match: str | None = None
    score: float | None = None


def view_of(
    session: Session,
    vault: Vault,
    alert: CisAlert,
    *,
    personal: bool,
    match: str | None = None,
    score: float | None = None,
) -> AlertView:
    content = content_of(vault, alert) if alert.sealed and personal else None
    supplier = session.get(Authority, alert.supplier_id)
    return AlertView(
        alert.id,
        alert.reference,
        supplier.code if supplier else "?",
        alert.version,
        alert.category,
        alert.action,
        alert.status,
        alert.reason,
        dict(alert.subject),
        content.person if content else None,
        alert.sealed is not None and not personal,
        alert.review_due,
        alert.created_at,
        alert.updated_at,
        match,
        score,
    )


def consult(session: Session, vault: Vault, user: CisUser, alert_id: int) -> AlertView:
    """One alert, as the caller may see it; the consultation is recorded."""
    user.actor.require(Permission.CIS_QUERY)
    alert = session.get(CisAlert, alert_id)
    visible = (
        alert is not None
        and alert.status == "active"
        and (
            alert.category in user.designation.categories or alert.supplier_id == user.authority.id
        )
    )
    record_query(
        session,
        vault,
        user,
        kind="consult",
        criteria={"alert_id": alert_id},
        results=1 if visible else 0,
        # a refused consultation is recorded too, though the request rolls back: probing
        # ids must leave a trace for the committee (CIS-47, CIS-49)
        durable=not visible,
    )
    if not visible or alert is None:
        raise NotFound(f"no CIS alert {alert_id}")
    _inform_supplier(session, user, [alert])
    return view_of(session, vault, alert, personal=user.sees_personal_data)


def own_alerts(
    session: Session,
    vault: Vault,
    user: CisUser,
    *,
    status: str = "active",
    after: int = 0,
    limit: int = 100,
) -> list[AlertView]:
    """The caller's authority's own alerts (its management list), paginated by id."""
    if not (user.actor.can(Permission.CIS_ENTER) or user.actor.authority_code is None):
        raise NotAuthorised(f"user {user.actor.username!r} does not manage CIS alerts")
    rows = session.scalars(
        select(CisAlert)
        .where(
            CisAlert.supplier_id == user.authority.id,
            CisAlert.status == status,
            CisAlert.id > after,
        )
        .order_by(CisAlert.id)
        .limit(limit)
    )
    return [view_of(session, vault, a, personal=user.sees_personal_data) for a in rows]


SEARCH_KEYS = frozenset(
    {
        "names",
        "is_person",
        "date_of_birth",
        "identifiers",
        "registrations",
        "containers",
        "commodities",
    }
)


def search(
    session: Session, vault: Vault, user: CisUser, criteria: dict[str, Any], *, limit: int = 50
) -> list[AlertView]:
    """Active alerts matching what the caller presents, best first; recorded (CIS-47)."""
    user.actor.require(Permission.CIS_QUERY)
    unknown = sorted(set(criteria) - SEARCH_KEYS)
    if unknown:
        raise ValidationFailed(f"CIS-47: unknown search keys {unknown}; use {sorted(SEARCH_KEYS)}")
    subject = _subject(criteria)
    if subject == Subject(is_person=subject.is_person):
        raise ValidationFailed("name at least one search key with a value")
    indexed = active_index(session, vault)
    matches = indexed.index.screen(subject)
    rows = {
        a.id: a
        for a in session.scalars(
            select(CisAlert).where(
                CisAlert.id.in_([m.alert_id for m in matches[:2_000]]),
                CisAlert.status == "active",
                CisAlert.category.in_(user.designation.categories),  # CIS-46
            )
        )
    }
    found: list[tuple[CisAlert, str, float]] = []
    for match in matches:
        alert = rows.get(match.alert_id)
        if alert is None:
            continue
        # the match text quotes the alert's stored name: personal data (CIS-38)
        detail = match.detail if user.sees_personal_data else f"{match.kind} match"
        found.append((alert, detail, match.score))
        if len(found) >= limit:
            break
    record_query(session, vault, user, kind="search", criteria=criteria, results=len(found))
    _inform_supplier(session, user, [a for a, _, _ in found])
    return [
        view_of(session, vault, a, personal=user.sees_personal_data, match=d, score=s)
        for a, d, s in found
    ]


def _subject(criteria: dict[str, Any]) -> Subject:
    def texts(key: str) -> tuple[str, ...]:
        value = criteria.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationFailed(f"{key}: a list of texts")
        return tuple(v for v in value if v.strip())

    identifiers = criteria.get("identifiers") or {}
    if not isinstance(identifiers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in identifiers.items()
    ):
        raise ValidationFailed("identifiers: an object of kind -> value (eori, vat, passport ...)")
    dob = criteria.get("date_of_birth")
    if dob is not None:
        try:
            dob = date.fromisoformat(str(dob)).isoformat()
        except ValueError:
            raise ValidationFailed("date_of_birth: an ISO date (YYYY-MM-DD)") from None
    is_person = criteria.get("is_person")
    return Subject(
        names=texts("names"),
        is_person=is_person if isinstance(is_person, bool) else None,
        date_of_birth=dob,
        identifiers=tuple(sorted(identifiers.items())),
        registrations=texts("registrations"),
        containers=texts("containers"),
        commodities=texts("commodities"),
    )


def _inform_supplier(session: Session, user: CisUser, alerts: list[CisAlert]) -> None:
    """CIS-15, CIS-16: a hit by Europol or Eurojust is reported to the supplier."""
    if user.authority.code not in (EUROPOL, EUROJUST):
        return
    rule = "CIS-15" if user.authority.code == EUROPOL else "CIS-16"
    for alert in alerts:
        if alert.supplier_id != user.authority.id:
            notify(
                session,
                alert.supplier_id,
                "found_by_" + user.authority.code.lower(),
                alert_id=alert.id,
                body={"alert": alert.reference, "by": user.authority.code, "rule": rule},
            )
