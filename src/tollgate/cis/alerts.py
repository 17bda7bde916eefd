"""Alerts: entered by a designated authority for one suggested action, changed only by
their supplier, corrected on evidence, and bound by court decisions (CIS-8..CIS-21).

Personal fields and the CIS-9 justification are sealed in one token; the identifying
values are also kept as blind keys so that conflicting entries (CIS-20) and data-subject
requests (CIS-42) can find an alert without opening every one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tollgate.audit.log import record
from tollgate.authorities.roles import Permission
from tollgate.authorities.tables import Authority
from tollgate.cis.access import EUROJUST, CisUser, designation_of
from tollgate.cis.categories import NAME_FIELDS, check_alert
from tollgate.cis.crypto import Vault
from tollgate.cis.names import normalise
from tollgate.cis.notifications import notify, notify_all
from tollgate.cis.tables import (
    CisAlert,
    CisAlertKey,
    CisConflict,
    CisConsent,
    CisCourtDecision,
    CisHit,
    CisInaccuracy,
)
from tollgate.errors import Conflict, NotAuthorised, NotFound, ValidationFailed

REVIEW_EVERY = timedelta(days=365)  # CIS-22


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Content:
    """An alert's content as entered or as it stands."""

    category: str
    action: str
    reason: str
    subject: dict[str, Any]
    person: dict[str, Any] | None
    justification: str | None


def content_of(vault: Vault, alert: CisAlert) -> Content:
    sealed = vault.open(alert.sealed) if alert.sealed else {}
    return Content(
        alert.category,
        alert.action,
        alert.reason,
        dict(alert.subject),
        sealed.get("person"),
        sealed.get("justification"),
    )


def identity_keys(
    category: str, subject: dict[str, Any], person: dict[str, Any] | None
) -> set[str]:
    """What identifies an alert's object, as plain ``kind:value`` strings (blinded before
    storage): the same person, business, vehicle or container entered twice has a key in
    common."""
    keys: set[str] = set()
    for field in ("eori", "vat_number", "excise_number"):
        if subject.get(field):
            keys.add(f"{field}:{_code(subject[field])}")
    for field in ("business_name", "trade_name"):
        if subject.get(field):
            keys.add(f"business:{_name_key(subject[field])}")
    for value in subject.get("registrations", []):
        keys.add(f"registration:{_code(value)}")
    for value in subject.get("containers", []):
        keys.add(f"container:{_code(value)}")
    if person:
        dob = person.get("date_of_birth", "")
        for name in person_names(person):
            keys.add(f"person:{_name_key(name)}:{dob}")
            keys.add(f"name:{_name_key(name)}")
        if person.get("identity_document_number"):
            keys.add(f"document:{_code(person['identity_document_number'])}")
        if person.get("registration_number"):
            keys.add(f"registration:{_code(person['registration_number'])}")
    return keys


def person_names(person: dict[str, Any]) -> list[str]:
    """Every full name a person is known by: forenames with the surname, the maiden name
    and each former surname, and each alias."""
    forenames = person.get("forenames", "")
    out = []
    for field in ("surname", "maiden_name"):
        if person.get(field):
            out.append(f"{forenames} {person[field]}".strip())
    out += [f"{forenames} {n}".strip() for n in person.get("former_surnames", [])]
    out += list(person.get("aliases", []))
    if not out and forenames:
        out.append(forenames)
    return out


def _code(value: str) -> str:
    return "".join(ch for ch in value.upper() if ch.isalnum())


def _name_key(value: str) -> str:
    return " ".join(sorted(normalise(value).split()))


def _set_keys(session: Session, vault: Vault, alert: CisAlert, content: Content) -> None:
    session.execute(delete(CisAlertKey).where(CisAlertKey.alert_id == alert.id))
    keys = identity_keys(content.category, content.subject, content.person)
    if keys:
        session.add_all(
            CisAlertKey(alert_id=alert.id, key=vault.blind("alert", k)) for k in sorted(keys)
        )


def alerts_by_keys(session: Session, vault: Vault, keys: set[str]) -> list[CisAlert]:
    """Alerts (of any status but deleted) sharing one of these plain keys."""
    blinded = [vault.blind("alert", k) for k in keys]
    if not blinded:
        return []
    return list(
        session.scalars(
            select(CisAlert)
            .where(
                CisAlert.id.in_(select(CisAlertKey.alert_id).where(CisAlertKey.key.in_(blinded))),
                CisAlert.status != "deleted",
            )
            .order_by(CisAlert.id)
        )
    )


def _seal(vault: Vault, content: Content) -> str | None:
    if not content.person:
        return None
    return vault.seal({"person": content.person, "justification": content.justification})


def enter_alert(
    session: Session,
    vault: Vault,
    user: CisUser,
    *,
    category: str,
    action: str,
    reason: str,
    subject: dict[str, Any] | None = None,
    person: dict[str, Any] | None = None,
    justification: str | None = None,
    today: date | None = None,
) -> tuple[CisAlert, list[CisConflict]]:
    """Enter an alert; parts that conflict with an earlier supplier's alert are held back
    and that supplier is notified (CIS-20)."""
    if user.authority.code == EUROJUST:
        raise NotAuthorised("CIS-16: Eurojust may query and consult, not add data")
    if not user.actor.can(Permission.CIS_ENTER) or not user.designation.may_enter:
        raise NotAuthorised(f"CIS-13: {user.authority.code} users may not enter CIS data")
    cat, act, clean_subject, clean_person = check_alert(
        category, action, subject or {}, person, justification, reason
    )
    if cat.value not in user.designation.categories:
        raise NotAuthorised(f"CIS-46: {user.authority.code} is not designated for {cat.value}")
    if clean_person and not user.designation.data_protection_in_force:
        raise NotAuthorised(
            f"CIS-38: {user.authority.code} may not enter personal data before its data "
            "protection provisions are in force"
        )
    content = Content(
        cat.value,
        act.value,
        reason.strip(),
        clean_subject,
        clean_person,
        justification.strip() if justification and clean_person else None,
    )
    earlier = [
        a
        for a in alerts_by_keys(
            session, vault, identity_keys(cat.value, clean_subject, clean_person)
        )
        if a.supplier_id != user.authority.id and a.status == "active"
    ]
    # each earlier alert is compared with the entry as proposed, so that every supplier
    # whose alert it contradicts is asked, not only the first
    held: list[tuple[CisAlert, dict[str, Any]]] = []
    proposed = content
    for other in earlier:
        first = content_of(vault, other)
        parts = _conflicting(proposed, first)
        if parts:
            held.append((other, parts))
            content = _without(content, parts, first)
    now = _now()
    alert = CisAlert(
        reference=f"CIS-{user.authority.code}-{secrets.token_hex(5).upper()}",
        supplier_id=user.authority.id,
        version=1,
        category=content.category,
        action=content.action,
        status="active",
        reason=content.reason[:1000],
        subject=content.subject,
        sealed=_seal(vault, content),
        created_at=now,
        created_by=user.actor.username,
        updated_at=now,
        updated_by=user.actor.username,
        review_due=(today or now.date()) + REVIEW_EVERY,
    )
    session.add(alert)
    session.flush()
    _set_keys(session, vault, alert, content)
    conflicts = []
    for other, parts in held:
        conflict = CisConflict(
            earlier_alert_id=other.id,
            new_alert_id=alert.id,
            new_supplier_id=user.authority.id,
            sealed_parts=vault.seal(parts),
            fields=sorted(parts),
            status="open",
            created_at=now,
        )
        session.add(conflict)
        session.flush()
        notify(
            session,
            other.supplier_id,
            "conflicting_entry",
            alert_id=other.id,
            body={
                "alert": other.reference,
                "new_alert": alert.reference,
                "by": user.authority.code,
                "fields": sorted(parts),
                "conflict": conflict.id,
                "rule": "CIS-20",
            },
        )
        conflicts.append(conflict)
    record(
        session,
        actor=user.actor,
        action="cis_enter_alert",
        object_type="cis_alert",
        object_id=alert.reference,
        purpose=user.purpose,
        detail={
            "category": alert.category,
            "action": alert.action,
            "personal_fields": sorted(content.person or {}),
            "held_back": sorted({f for _, p in held for f in p}),
        },
    )
    return alert, conflicts


def _conflicting(new: Content, old: Content) -> dict[str, Any]:
    """The parts of ``new`` that contradict ``old`` about the same object: another
    suggested action, or another value of a field both state."""
    parts: dict[str, Any] = {}
    if new.action != old.action:
        parts["action"] = new.action
    for field, value in new.subject.items():
        if field in old.subject and old.subject[field] != value and field != "description":
            parts[f"subject.{field}"] = value
    if new.person and old.person:
        for field, value in new.person.items():
            if field in NAME_FIELDS:
                continue  # names are how the two were found to be one person
            if field in old.person and old.person[field] != value:
                parts[f"person.{field}"] = value
    return parts


def _without(new: Content, parts: dict[str, Any], old: Content) -> Content:
    """``new`` with its conflicting parts replaced by the first entry's (CIS-20: the first
    entry stands)."""
    subject = dict(new.subject)
    person = dict(new.person) if new.person else None
    action = new.action
    for key in parts:
        if key == "action":
            action = old.action
        elif key.startswith("subject."):
            subject.pop(key[len("subject.") :], None)
        elif key.startswith("person.") and person is not None:
            person.pop(key[len("person.") :], None)
    return Content(new.category, action, new.reason, subject, person, new.justification)


def _own(session: Session, user: CisUser, alert_id: int, *, rule: str = "CIS-17") -> CisAlert:
    alert = session.get(CisAlert, alert_id)
    if alert is None or alert.status == "deleted":
        raise NotFound(f"no CIS alert {alert_id}")
    if alert.supplier_id != user.authority.id:
        raise NotAuthorised(f"{rule}: only the supplying authority changes alert {alert.reference}")
    if not user.actor.can(Permission.CIS_ENTER) and user.actor.authority_code is not None:
        raise NotAuthorised(f"{rule}: user {user.actor.username!r} may not change CIS data")
    return alert


def amend_alert(
    session: Session,
    vault: Vault,
    user: CisUser,
    alert_id: int,
    *,
    changes: dict[str, Any],
    why: str = "amended",
) -> CisAlert:
    """Amend, supplement or correct an alert: its supplier only (CIS-17). ``changes`` may
    set action, reason, justification and replace subject or person fields (None removes)."""
    alert = _own(session, user, alert_id)
    if alert.status != "active":
        raise Conflict(f"CIS-25: alert {alert.reference} is in the restricted area")
    return _apply(session, vault, user, alert, changes, why)


def _apply(
    session: Session,
    vault: Vault,
    user: CisUser,
    alert: CisAlert,
    changes: dict[str, Any],
    why: str,
) -> CisAlert:
    _check_changes(changes)
    old = content_of(vault, alert)
    subject = _merge(old.subject, changes.get("subject"))
    person = _merge(old.person or {}, changes.get("person")) or None
    _, act, clean_subject, clean_person = check_alert(
        alert.category,
        changes.get("action", old.action),
        subject,
        person,
        changes.get("justification", old.justification),
        changes.get("reason", old.reason),
    )
    if clean_person:
        supplier = designation_of(session, alert.supplier_id)
        if supplier is None or not supplier.data_protection_in_force:
            raise NotAuthorised(
                "CIS-38: the supplier may not enter personal data before its data protection "
                "provisions are in force"
            )
    new = Content(
        alert.category,
        act.value,
        changes.get("reason", old.reason),
        clean_subject,
        clean_person,
        changes.get("justification", old.justification) if clean_person else None,
    )
    alert.action = new.action
    alert.reason = new.reason[:1000]
    alert.subject = new.subject
    alert.sealed = _seal(vault, new)
    alert.version += 1
    alert.updated_at = _now()
    alert.updated_by = user.actor.username
    session.flush()
    _set_keys(session, vault, alert, new)
    record(
        session,
        actor=user.actor,
        action="cis_amend_alert",
        object_type="cis_alert",
        object_id=alert.reference,
        purpose=user.purpose,
        detail={"version": alert.version, "changed": sorted(changes), "why": why},
    )
    return alert


def _check_changes(changes: Any) -> None:
    """The shape of an amendment, checked before anything reads it: a client's malformed
    change is a 422 naming the field, never a crash."""
    if not isinstance(changes, dict):
        raise ValidationFailed("CIS-17: changes are an object of fields to change")
    unknown = set(changes) - {"action", "reason", "justification", "subject", "person"}
    if unknown:
        raise ValidationFailed(
            f"CIS-17: {sorted(unknown)} cannot be changed; change action, reason, "
            "justification, subject or person"
        )
    for key in ("action", "reason", "justification"):
        if key in changes and not isinstance(changes[key], str | None):
            raise ValidationFailed(f"CIS-17: changes.{key} is a text")
    for key in ("subject", "person"):
        if key in changes and not isinstance(changes[key], dict | None):
            raise ValidationFailed(f"CIS-17: changes.{key} is an object of fields")


def _merge(base: dict[str, Any], changes: dict[str, Any] | None) -> dict[str, Any]:
    out = dict(base)
    for key, value in (changes or {}).items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def withdraw_hits(session: Session, alert_id: int) -> int:
    """An alert leaves the active database (moved or deleted): its pending hits are
    withdrawn and what they said the alert matched is wiped, so no reviewer keeps seeing
    data the alert no longer shows (CIS-25). Confirmed hits keep their record of what was
    done, without the matched values."""
    hits = list(session.scalars(select(CisHit).where(CisHit.alert_id == alert_id)))
    for hit in hits:
        if hit.status == "pending":
            hit.status = "withdrawn"
        hit.sealed_detail = ""
    return len(hits)


def erase(session: Session, alert: CisAlert, *, actor: str, why: str) -> None:
    """Delete an alert's content for good — with what its hits, held-back conflicting
    parts and court decisions recorded of it; the tombstone keeps its reference only."""
    alert.status = "deleted"
    alert.subject = {}
    alert.sealed = None
    alert.reason = ""
    alert.deleted_at = _now()
    alert.deleted_why = why[:200]
    alert.updated_at = alert.deleted_at
    alert.updated_by = actor
    session.execute(delete(CisAlertKey).where(CisAlertKey.alert_id == alert.id))
    withdraw_hits(session, alert.id)
    for conflict in session.scalars(
        select(CisConflict).where(
            (CisConflict.earlier_alert_id == alert.id) | (CisConflict.new_alert_id == alert.id)
        )
    ):
        conflict.sealed_parts = ""
        if conflict.status == "open":
            conflict.status = "closed"  # one side is gone: nothing left to agree
    for decision in session.scalars(
        select(CisCourtDecision).where(CisCourtDecision.alert_id == alert.id)
    ):
        decision.sealed_changes = None
    session.flush()


def delete_alert(session: Session, user: CisUser, alert_id: int, *, why: str) -> CisAlert:
    """Delete an alert: its supplier only (CIS-17)."""
    alert = _own(session, user, alert_id)
    if not why.strip():
        raise ValidationFailed("CIS-17: a deletion says why")
    erase(session, alert, actor=user.actor.username, why=why)
    record(
        session,
        actor=user.actor,
        action="cis_delete_alert",
        object_type="cis_alert",
        object_id=alert.reference,
        purpose=user.purpose,
        detail={"why": why},
    )
    return alert


def get_alert(session: Session, alert_id: int) -> CisAlert:
    """An active alert: moved ones are out of reach of every user but the committee and
    the supervisors, who read them through ``retention.read_restricted`` (CIS-25)."""
    alert = session.get(CisAlert, alert_id)
    if alert is None or alert.status != "active":
        raise NotFound(f"no CIS alert {alert_id}")
    return alert


def visible_alert(session: Session, user: CisUser, alert_id: int) -> CisAlert:
    """An active alert the caller's authority may see: its own, or of a category it is
    designated for (CIS-46); anything else is "not found", so ids cannot be probed."""
    alert = session.get(CisAlert, alert_id)
    if (
        alert is None
        or alert.status != "active"
        or (
            alert.supplier_id != user.authority.id
            and alert.category not in user.designation.categories
        )
    ):
        raise NotFound(f"no CIS alert {alert_id}")
    return alert


def resolve_conflict(
    session: Session, vault: Vault, user: CisUser, conflict_id: int, *, agree: bool
) -> CisConflict:
    """The earlier supplier's answer (CIS-20): agreeing enters the held-back parts into
    the new alert; refusing leaves the first entry standing and the new one without them."""
    conflict = session.get(CisConflict, conflict_id, with_for_update=True)
    if conflict is None:
        raise NotFound(f"no CIS conflict {conflict_id}")
    earlier = session.get(CisAlert, conflict.earlier_alert_id)
    if earlier is None or earlier.supplier_id != user.authority.id:
        raise NotAuthorised("CIS-20: only the earlier alert's supplier answers a conflict")
    if conflict.status != "open":
        raise Conflict(f"CIS-20: conflict {conflict_id} was answered already")
    conflict.status = "agreed" if agree else "refused"
    conflict.decided_at = _now()
    new = session.get(CisAlert, conflict.new_alert_id) if conflict.new_alert_id else None
    if agree and new is not None and new.status == "active":
        parts = vault.open(conflict.sealed_parts)
        # a part another earlier supplier has not agreed to stays held back
        others = session.scalars(
            select(CisConflict).where(
                CisConflict.new_alert_id == new.id,
                CisConflict.id != conflict.id,
                CisConflict.status != "agreed",
            )
        )
        blocked = {f for other in others for f in other.fields}
        changes: dict[str, Any] = {}
        for key, value in parts.items():
            if key in blocked:
                continue
            if key == "action":
                changes["action"] = value
            else:
                part, field = key.split(".", 1)
                changes.setdefault(part, {})[field] = value
        if changes:
            _apply(session, vault, user, new, changes, f"conflict {conflict_id} agreed")
    if new is not None:
        notify(
            session,
            new.supplier_id,
            "conflict_answered",
            alert_id=new.id,
            body={"conflict": conflict.id, "agreed": agree, "rule": "CIS-20"},
        )
    record(
        session,
        actor=user.actor,
        action="cis_resolve_conflict",
        object_type="cis_conflict",
        object_id=str(conflict.id),
        detail={"agreed": agree},
    )
    return conflict


def report_inaccuracy(
    session: Session, user: CisUser, alert_id: int, *, ground: str, evidence: str
) -> CisInaccuracy:
    """Evidence that an alert is inaccurate or unlawfully stored. From another authority
    it goes to the supplier as soon as possible (CIS-19); the supplier's own finding
    (CIS-18) is recorded the same way and resolved at once by ``resolve_inaccuracy``."""
    alert = visible_alert(session, user, alert_id)
    if ground not in ("inaccurate", "unlawful"):
        raise ValidationFailed("CIS-19: the ground is 'inaccurate' or 'unlawful'")
    if len(evidence.strip()) < 10:
        raise ValidationFailed("CIS-19: state the evidence (at least 10 characters)")
    return file_inaccuracy(session, user, alert, ground=ground, evidence=evidence.strip())


def file_inaccuracy(
    session: Session,
    user: CisUser,
    alert: CisAlert,
    *,
    ground: str,
    evidence: str,
    rule: str = "CIS-19",
) -> CisInaccuracy:
    """Store an inaccuracy report on an alert already judged reachable, tell its supplier
    (unless the supplier reports itself) and audit it. A restricted alert is marked as
    such in the notification and the audit entry (data-subject requests reach those too,
    CIS-43)."""
    restricted = alert.status == "restricted"
    report = CisInaccuracy(
        alert_id=alert.id,
        reporter_id=user.authority.id,
        ground=ground,
        evidence=evidence[:2000],
        status="open",
        reported_at=_now(),
    )
    session.add(report)
    session.flush()
    if alert.supplier_id != user.authority.id:
        body: dict[str, Any] = {
            "alert": alert.reference,
            "report": report.id,
            "ground": ground,
            "by": user.authority.code,
        }
        if restricted:
            body["restricted"] = True
        body["rule"] = rule
        notify(session, alert.supplier_id, "inaccuracy_reported", alert_id=alert.id, body=body)
    detail: dict[str, Any] = {"ground": ground, "report": report.id}
    if restricted:
        detail["restricted"] = True
    record(
        session,
        actor=user.actor,
        action="cis_report_inaccuracy",
        object_type="cis_alert",
        object_id=alert.reference,
        detail=detail,
    )
    return report


def resolve_inaccuracy(
    session: Session,
    vault: Vault,
    user: CisUser,
    report_id: int,
    *,
    outcome: str,
    changes: dict[str, Any] | None = None,
    note: str | None = None,
) -> CisInaccuracy:
    """The supplier checks and corrects, deletes or rejects without delay, and notifies
    the others (CIS-18, CIS-19)."""
    report = session.get(CisInaccuracy, report_id)
    if report is None:
        raise NotFound(f"no inaccuracy report {report_id}")
    if report.status != "open":
        raise Conflict(f"inaccuracy report {report_id} was resolved already")
    alert = _own(session, user, report.alert_id, rule="CIS-18")
    if outcome == "corrected":
        if not changes:
            raise ValidationFailed("CIS-18: a correction states the changes")
        _apply(session, vault, user, alert, changes, f"inaccuracy report {report_id}")
    elif outcome == "deleted":
        erase(session, alert, actor=user.actor.username, why=f"inaccuracy report {report_id}")
    elif outcome == "rejected":
        if not (note or "").strip():
            raise ValidationFailed("CIS-19: a rejected report says why (note)")
    else:
        raise ValidationFailed("CIS-18: outcome is corrected, deleted or rejected")
    report.status = outcome
    report.resolved_at = _now()
    report.resolution = (note or outcome)[:1000]
    if outcome != "rejected":
        notify_all(
            session,
            f"alert_{outcome}",
            alert_id=alert.id,
            body={"alert": alert.reference, "report": report.id, "rule": "CIS-18"},
            except_ids=[user.authority.id],
        )
    elif report.reporter_id != user.authority.id:
        notify(
            session,
            report.reporter_id,
            "inaccuracy_rejected",
            alert_id=alert.id,
            body={"alert": alert.reference, "report": report.id, "note": note},
        )
    record(
        session,
        actor=user.actor,
        action="cis_resolve_inaccuracy",
        object_type="cis_alert",
        object_id=alert.reference,
        detail={"report": report.id, "outcome": outcome},
    )
    return report


def apply_court_decision(
    session: Session,
    vault: Vault,
    user: CisUser,
    alert_id: int,
    *,
    country: str,
    court_reference: str,
    ruling: str,
    decided_on: date,
    changes: dict[str, Any] | None = None,
) -> CisCourtDecision:
    """Apply a final court decision on amending or deleting an alert (CIS-21). If the
    courts of different countries have ruled differently on it, the supplier deletes it."""
    alert = _own(session, user, alert_id, rule="CIS-21")
    if ruling not in ("amend", "delete"):
        raise ValidationFailed("CIS-21: a ruling is 'amend' or 'delete'")
    if ruling == "amend" and not changes:
        raise ValidationFailed("CIS-21: an amending ruling states the changes")
    earlier = list(
        session.scalars(select(CisCourtDecision).where(CisCourtDecision.alert_id == alert.id))
    )
    sealed = vault.seal(changes) if changes else None
    conflicting = [
        d
        for d in earlier
        if d.country != country
        and (
            d.ruling != ruling
            or (changes and d.sealed_changes and vault.open(d.sealed_changes) != changes)
        )
    ]
    if conflicting or ruling == "delete":
        outcome = (
            "deleted: conflicts with the decision of "
            + ", ".join(sorted({d.country for d in conflicting}))
            if conflicting
            else "deleted"
        )
        erase(session, alert, actor=user.actor.username, why=f"court {court_reference}")
    else:
        _apply(session, vault, user, alert, changes or {}, f"court {court_reference}")
        outcome = "amended"
    decision = CisCourtDecision(
        alert_id=alert.id,
        country=country,
        court_reference=court_reference,
        ruling=ruling,
        sealed_changes=sealed,
        decided_on=decided_on,
        recorded_at=_now(),
        recorded_by=user.actor.username,
        outcome=outcome,
    )
    session.add(decision)
    session.flush()
    record(
        session,
        actor=user.actor,
        action="cis_court_decision",
        object_type="cis_alert",
        object_id=alert.reference,
        detail={"country": country, "ruling": ruling, "outcome": outcome},
    )
    return decision


def request_consent(
    session: Session,
    user: CisUser,
    alert_id: int,
    *,
    use: str,
    purpose: str,
    recipient: str | None = None,
) -> CisConsent:
    """Ask the supplier's prior consent to use an alert's data for another purpose, or to
    pass them on (CIS-14; Europol and Eurojust likewise, CIS-15/16)."""
    alert = visible_alert(session, user, alert_id)
    if use not in ("other_purpose", "transmission"):
        raise ValidationFailed("CIS-14: use is 'other_purpose' or 'transmission'")
    if use == "transmission" and not (recipient or "").strip():
        raise ValidationFailed("CIS-14: name the body the data would be passed to")
    if len(purpose.strip()) < 10:
        raise ValidationFailed("CIS-14: state the purpose (at least 10 characters)")
    consent = CisConsent(
        alert_id=alert.id,
        requester_id=user.authority.id,
        supplier_id=alert.supplier_id,
        use=use,
        recipient=recipient,
        purpose=purpose.strip()[:1000],
        status="pending",
        requested_at=_now(),
        requested_by=user.actor.username,
    )
    session.add(consent)
    session.flush()
    notify(
        session,
        alert.supplier_id,
        "consent_requested",
        alert_id=alert.id,
        body={
            "alert": alert.reference,
            "consent": consent.id,
            "by": user.authority.code,
            "use": use,
            "recipient": recipient,
            "rule": "CIS-14",
        },
    )
    record(
        session,
        actor=user.actor,
        action="cis_request_consent",
        object_type="cis_alert",
        object_id=alert.reference,
        detail={"use": use, "recipient": recipient},
    )
    return consent


def decide_consent(
    session: Session, user: CisUser, consent_id: int, *, grant: bool, conditions: str | None
) -> CisConsent:
    consent = session.get(CisConsent, consent_id, with_for_update=True)
    if consent is None:
        raise NotFound(f"no consent request {consent_id}")
    if consent.supplier_id != user.authority.id:
        raise NotAuthorised("CIS-14: only the supplying authority grants consent")
    if consent.status != "pending":
        raise Conflict(f"consent request {consent_id} was decided already")
    consent.status = "granted" if grant else "refused"
    consent.conditions = conditions
    consent.decided_at = _now()
    consent.decided_by = user.actor.username
    notify(
        session,
        consent.requester_id,
        "consent_decided",
        alert_id=consent.alert_id,
        body={"consent": consent.id, "granted": grant, "conditions": conditions},
    )
    record(
        session,
        actor=user.actor,
        action="cis_decide_consent",
        object_type="cis_consent",
        object_id=str(consent.id),
        detail={"granted": grant},
    )
    return consent


def transmit(session: Session, user: CisUser, alert_id: int, *, recipient: str) -> CisConsent:
    """Pass an alert's data to another body: only with the supplier's granted consent for
    that recipient (CIS-14); a recipient that is a platform authority must also be on the
    supplier's published list of authorities its data may go to (CIS-48)."""
    alert = visible_alert(session, user, alert_id)
    # an authority is recognised however its code is written ("fr" is FR)
    target = session.scalar(select(Authority).where(Authority.code == recipient.strip().upper()))
    if target is not None:
        supplier = designation_of(session, alert.supplier_id)
        if supplier is None or target.code not in supplier.transmit_to:
            raise NotAuthorised(
                f"CIS-48: the supplier of {alert.reference} does not list {recipient} among "
                "the authorities its data may be transmitted to"
            )
    consent = session.scalar(
        select(CisConsent).where(
            CisConsent.alert_id == alert.id,
            CisConsent.requester_id == user.authority.id,
            CisConsent.use == "transmission",
            CisConsent.recipient == recipient,
            CisConsent.status == "granted",
        )
    )
    if consent is None:
        raise NotAuthorised(
            f"CIS-14: passing alert {alert.reference} to {recipient} needs the supplier's "
            "prior consent"
        )
    record(
        session,
        actor=user.actor,
        action="cis_transmit",
        object_type="cis_alert",
        object_id=alert.reference,
        detail={"recipient": recipient, "consent": consent.id, "conditions": consent.conditions},
    )
    return consent
