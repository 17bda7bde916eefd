"""Inspection of the CIS by the supervisory authorities and the committee (CIS-44).

Inspectors read; they never write. This module has no function that changes an alert,
and the write paths elsewhere (``alerts``, ``copies``, ``subjects``) each require a
permission the inspecting roles do not hold (cis_enter, cis_copy, cis_data_protection),
so a supervisor's or the committee's call there is refused.

Who sees what: a national supervisory authority (role ``supervisor``) inspects the alerts
its own authority supplied (its Member State's data, art. 24); the joint supervisory
authority (role ``joint_supervisor``, art. 25) and the committee (art. 23) see every alert.
The wider scope hangs on the role, never on the kind of authority: Europol's or Eurojust's
own data-protection supervisor is a ``supervisor`` at an EU body and oversees that body's
data only, not every Member State's. Restricted
alerts are included: reading them to check accuracy and lawfulness is what the
restricted area exists for (CIS-25). Every inspection is audited, with what was read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tollgate.audit.log import record
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor
from tollgate.authorities.tables import Authority
from tollgate.cis.alerts import content_of
from tollgate.cis.crypto import Vault
from tollgate.cis.tables import CisAlert
from tollgate.errors import NotAuthorised, ValidationFailed

MAX_PAGE = 200
STATUSES = ("active", "restricted", "deleted")


@dataclass(frozen=True, slots=True)
class InspectedAlert:
    """An alert's metadata and, when asked for, its content."""

    id: int
    reference: str
    supplier: str
    category: str
    action: str
    status: str
    version: int
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    review_due: date
    restricted_at: datetime | None
    delete_after: date | None
    deleted_at: datetime | None
    deleted_why: str | None
    reason: str | None = None
    subject: dict[str, Any] | None = None
    person: dict[str, Any] | None = None
    justification: str | None = None


@dataclass(frozen=True, slots=True)
class InspectionPage:
    alerts: list[InspectedAlert]
    #: pass as ``after`` for the next page; None on the last page
    next_after: int | None


#: the joint supervisory authority's role: the one supervisor that sees every supplier
JOINT_SUPERVISOR = "joint_supervisor"


def joint_supervisor(actor: Actor) -> bool:
    """Whether the actor inspects as the joint supervisory authority (CIS-44, art. 25).
    Asked of the role, not of the authority's kind: a ``supervisor`` at Europol is
    Europol's own data-protection supervisor and sees Europol's alerts only."""
    return actor.can(Permission.CIS_INSPECT) and JOINT_SUPERVISOR in actor.roles


def _scope(actor: Actor) -> int | None:
    """The supplier an inspector is limited to, or None for every supplier."""
    if actor.can(Permission.CIS_OVERSIGHT) or actor.authority_id is None:
        return None
    if not actor.can(Permission.CIS_INSPECT):
        raise NotAuthorised(
            f"CIS-44: user {actor.username!r} is neither a supervisory authority nor the committee"
        )
    if joint_supervisor(actor):
        return None
    return actor.authority_id


def inspect(
    session: Session,
    vault: Vault,
    actor: Actor,
    *,
    why: str,
    supplier: str | None = None,
    status: str | None = None,
    after: int = 0,
    limit: int = 50,
    with_content: bool = True,
    check: str | None = None,
) -> InspectionPage:
    """One page of alerts, by id, for inspection; read-only and audited (CIS-44).
    ``status`` None means active and restricted; tombstones only when asked for.

    The content of an alert in the restricted area is shown only for a check of its
    accuracy or lawfulness (``check``), and never to the CLI operator (CIS-25)."""
    if not (actor.can(Permission.CIS_INSPECT) or actor.can(Permission.CIS_OVERSIGHT)):
        raise NotAuthorised(
            f"CIS-44: user {actor.username!r} is neither a supervisory authority nor the committee"
        )
    if len(why.strip()) < 5:
        raise ValidationFailed("CIS-44: state why this inspection is made (at least 5 characters)")
    if status is not None and status not in STATUSES:
        raise ValidationFailed(f"CIS-44: status is one of {list(STATUSES)}")
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed(f"CIS-44: a page holds 1 to {MAX_PAGE} alerts")
    scope = _scope(actor)
    query = (
        select(CisAlert, Authority.code)
        .join(Authority, Authority.id == CisAlert.supplier_id)
        .where(CisAlert.id > after)
    )
    if scope is not None:
        query = query.where(CisAlert.supplier_id == scope)
    if supplier is not None:
        query = query.where(Authority.code == supplier)
    if status is not None:
        query = query.where(CisAlert.status == status)
    else:
        query = query.where(CisAlert.status != "deleted")
    rows = session.execute(query.order_by(CisAlert.id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    if check not in (None, "accuracy", "lawfulness"):
        raise ValidationFailed("CIS-25: a check is of 'accuracy' or 'lawfulness'")
    restricted = check is not None and actor.authority_id is not None
    page = [
        _inspected(
            vault, alert, code, with_content and (alert.status != "restricted" or restricted)
        )
        for alert, code in rows
    ]
    record(
        session,
        actor=actor,
        action="cis_inspect",
        object_type="cis_alert",
        purpose="inspection" if actor.can(Permission.CIS_INSPECT) else "oversight",
        detail={
            "why": why.strip()[:500],
            "supplier": supplier,
            "status": status,
            "after": after,
            "with_content": with_content,
            "check": check,
            "alerts": [a.reference for a in page],
        },
    )
    return InspectionPage(page, page[-1].id if more and page else None)


def _inspected(vault: Vault, alert: CisAlert, supplier: str, with_content: bool) -> InspectedAlert:
    meta: dict[str, Any] = {
        "id": alert.id,
        "reference": alert.reference,
        "supplier": supplier,
        "category": alert.category,
        "action": alert.action,
        "status": alert.status,
        "version": alert.version,
        "created_at": alert.created_at,
        "created_by": alert.created_by,
        "updated_at": alert.updated_at,
        "updated_by": alert.updated_by,
        "review_due": alert.review_due,
        "restricted_at": alert.restricted_at,
        "delete_after": alert.delete_after,
        "deleted_at": alert.deleted_at,
        "deleted_why": alert.deleted_why,
    }
    if not with_content or alert.status == "deleted":
        return InspectedAlert(**meta)
    content = content_of(vault, alert)
    return InspectedAlert(
        **meta,
        reason=content.reason,
        subject=content.subject,
        person=content.person,
        justification=content.justification,
    )
