"""Data subjects' rights over the CIS: access (CIS-42), rectification and erasure (CIS-43).

A request is received by one authority's data protection office and handled under that
authority's law. The person's alerts are found by their blind keys (name with date of
birth, identity document), never by opening every alert. Where another authority supplied
a matching alert, the receiving one may answer only once that supplier has stated its
position: the supplier alone knows whether an investigation is ongoing or its action would
be undermined.

The answer never tells the person why nothing is communicated. Refusing because of a
discreet surveillance alert, refusing for any other reason and holding nothing at all all
read the same, so the answer cannot reveal the alert it protects (CIS-11, CIS-42). The
reasons are kept on the request and in the audit trail, for the supervisory authorities.

Rectification and erasure reuse the supplier's correction path (CIS-18/19): each matching
alert gets an inaccuracy report, which the supplier's CIS officers resolve by correcting,
deleting or rejecting (``alerts.resolve_inaccuracy``); the request records what came of it.
An alert in the restricted area gets its report too: CIS-43 binds the supplier for
restricted data as well, and the person cannot be told to wait for the end of the
restricted year. ``alerts.report_inaccuracy`` reaches active alerts only (the restricted
area is out of every user's reach), so the report is written here directly; the supplier
resolves it by the same path, which takes a restricted alert of its own (correcting it in
place, where it stays restricted, or erasing it). Should the supplier not act, the
retention deletion at the end of the year settles the request (``_report_open``).

A request is a search of the CIS by a person's identity, so it is recorded with the
queries (CIS-47, kind ``subject_request``) and may be drawn for the committee's check.

A supplier's note on its position may say something about the person or the case, so it
is sealed with the request (``notes`` in ``sealed_subject``); the positions, which are
clear JSON, say only whether a note was given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tollgate.audit.log import record
from tollgate.authorities.roles import Permission
from tollgate.authorities.tables import Authority
from tollgate.cis.access import CisUser
from tollgate.cis.alerts import (
    alerts_by_keys,
    content_of,
    file_inaccuracy,
    identity_keys,
    report_inaccuracy,
)
from tollgate.cis.categories import NAME_FIELDS, Action, Category
from tollgate.cis.crypto import Vault
from tollgate.cis.notifications import notify
from tollgate.cis.querylog import record_query
from tollgate.cis.tables import CisAccessRequest, CisAlert, CisInaccuracy
from tollgate.errors import Conflict, NotAuthorised, NotFound, ValidationFailed

KINDS = ("access", "rectification", "erasure")
#: the most positions one page of ``positions_asked`` asks for
PAGE = 200
#: requests ``positions_asked`` reads per query: bounded memory whatever the backlog
BATCH = 200

#: CIS-42: access is always refused while an alert serves one of these actions; only
#: specific checks leave the person free to know
NO_ACCESS_ACTIONS = frozenset(
    {
        Action.DISCREET_SURVEILLANCE.value,
        Action.SIGHTING_AND_REPORTING.value,
        Action.OPERATIONAL_ANALYSIS.value,
    }
)

#: the one answer for "refused", whatever the reason, and for "nothing held" (CIS-42)
NEUTRAL_ANSWER = (
    "Your request has been examined under the applicable law and all necessary "
    "verifications have been carried out. No further information can be communicated to you."
)
ACCESS_GRANTED = (
    "Your request has been examined under the applicable law. The personal data concerning "
    "you held in the Customs Information System are listed below."
)
CHANGES_MADE = (
    "Your request has been examined under the applicable law. What was done with the data "
    "concerning you held in the Customs Information System is listed below."
)

#: what identifies the person asking: their names, and what tells them apart from a
#: namesake; an address only so that the answer can reach them
REQUESTER_FIELDS = frozenset(
    {
        *NAME_FIELDS,
        "date_of_birth",
        "identity_document_kind",
        "identity_document_number",
        "address",
    }
)


@dataclass(frozen=True, slots=True)
class Answer:
    """What the person is told. ``data`` is empty whenever ``text`` is the neutral one."""

    request_id: int
    kind: str
    text: str
    data: list[dict[str, Any]] = field(default_factory=list)


def _now() -> datetime:
    return datetime.now(UTC)


def _officer(user: CisUser, rule: str) -> None:
    """Requests carry personal data both ways: only a data protection officer of an
    authority whose data protection is in force handles them (CIS-38)."""
    if not user.actor.can(Permission.CIS_DATA_PROTECTION):
        raise NotAuthorised(
            f"{rule}: user {user.actor.username!r} does not handle data subjects' requests"
        )
    if not user.sees_personal_data:
        raise NotAuthorised(
            f"CIS-38: {user.authority.code} may not receive personal data before its data "
            "protection provisions are in force"
        )


def _requester(subject: dict[str, Any], rule: str) -> dict[str, Any]:
    """The person asking, cleaned. A name alone matches namesakes, and telling one person
    about another's alert harms that other's rights; so a date of birth or an identity
    document must narrow it."""
    unknown = sorted(set(subject) - REQUESTER_FIELDS)
    if unknown:
        raise ValidationFailed(
            f"{rule}: {unknown} do not identify a person; use {sorted(REQUESTER_FIELDS)}"
        )
    out: dict[str, Any] = {}
    for key, value in subject.items():
        if value in (None, "", []):
            continue
        if key in ("former_surnames", "aliases"):
            items = value if isinstance(value, list) else [value]
            if not all(isinstance(v, str) and v.strip() for v in items):
                raise ValidationFailed(f"{rule}: subject.{key} is a list of names")
            out[key] = [v.strip() for v in items]
        elif not isinstance(value, str) or len(value) > 500:
            raise ValidationFailed(f"{rule}: subject.{key} is a text of ≤ 500 characters")
        else:
            out[key] = value.strip()
    if "date_of_birth" in out:
        try:
            out["date_of_birth"] = date.fromisoformat(out["date_of_birth"]).isoformat()
        except ValueError:
            raise ValidationFailed(f"{rule}: subject.date_of_birth is an ISO date") from None
    if not (out.get("surname") or out.get("forenames") or out.get("aliases")):
        raise ValidationFailed(f"{rule}: the request names the person")
    if not (out.get("date_of_birth") or out.get("identity_document_number")):
        raise ValidationFailed(
            f"{rule}: the request gives the person's date of birth or identity document "
            "number, so that a namesake's data are not disclosed"
        )
    return out


def _keys(person: dict[str, Any]) -> set[str]:
    """The blind keys that single the person out: name with date of birth, or document.
    Name-only keys are left out on purpose (namesakes)."""
    keys = identity_keys(Category.PERSONS.value, {}, person)
    if not person.get("date_of_birth"):
        keys = {k for k in keys if not k.startswith("person:")}
    return {k for k in keys if k.startswith(("person:", "document:"))}


def receive_request(
    session: Session,
    vault: Vault,
    user: CisUser,
    *,
    kind: str,
    subject: dict[str, Any],
    details: str = "",
) -> CisAccessRequest:
    """Register a person's request and ask every other supplier of a matching alert for
    its position (CIS-42); for rectification or erasure, also send each supplier an
    inaccuracy report to resolve (CIS-43, through CIS-19)."""
    rule = "CIS-42" if kind == "access" else "CIS-43"
    _officer(user, rule)
    if kind not in KINDS:
        raise ValidationFailed(f"CIS-42: a request is one of {list(KINDS)}, not {kind!r}")
    if kind != "access" and len(details.strip()) < 10:
        raise ValidationFailed(
            "CIS-43: say which data are inaccurate or unlawfully stored (at least 10 characters)"
        )
    person = _requester(subject, rule)
    alerts = alerts_by_keys(session, vault, _keys(person))
    # CIS-47: a search of the CIS by identity, like any query; sealed by record_query
    record_query(
        session,
        vault,
        user,
        kind="subject_request",
        criteria={k: v for k, v in person.items() if k != "address"} | {"request_kind": kind},
        results=len(alerts),
    )
    request = CisAccessRequest(
        received_by_id=user.authority.id,
        kind=kind,
        sealed_subject=vault.seal({"subject": person, "details": details.strip()}),
        status="awaiting_supplier",
        positions=[],
        decision=None,
        reasons=[],
        received_at=_now(),
    )
    session.add(request)
    session.flush()
    codes = _codes(session, {a.supplier_id for a in alerts})
    positions: list[dict[str, Any]] = []
    for alert in alerts:
        own = alert.supplier_id == user.authority.id
        report_id = None
        if kind != "access":
            report_id = _report(session, user, alert, request.id, kind).id
        note_id = None
        if not own:
            note = notify(
                session,
                alert.supplier_id,
                "data_subject_request",
                alert_id=alert.id,
                body={
                    "request": request.id,
                    "alert": alert.reference,
                    "kind": kind,
                    "by": user.authority.code,
                    "rule": rule,
                },
            )
            note_id = note.id
        positions.append(
            {
                "alert_id": alert.id,
                "alert": alert.reference,
                "supplier": codes[alert.supplier_id],
                "supplier_id": alert.supplier_id,
                "own": own,
                # the receiving authority is its own supplier: nobody else to ask
                "stated": own,
                "objects": False,
                "investigation_ongoing": False,
                # whether the supplier left a note; the note itself is sealed
                "noted": False,
                "notification": note_id,
                "report": report_id,
            }
        )
    request.positions = positions
    request.status = _status(session, request)
    record(
        session,
        actor=user.actor,
        action="cis_data_subject_request",
        object_type="cis_access_request",
        object_id=str(request.id),
        purpose=user.purpose,
        detail={
            "kind": kind,
            "matching_alerts": len(alerts),
            "asked": sorted({p["supplier"] for p in positions if not p["own"]}),
        },
    )
    return request


def _report(
    session: Session, user: CisUser, alert: CisAlert, request_id: int, kind: str
) -> CisInaccuracy:
    """The inaccuracy report a rectification or erasure request opens on one alert
    (CIS-43 through CIS-19). The evidence names the request, not the person: the supplier
    reads the person's claim through the request, under its own clearance.

    An active alert goes through ``alerts.report_inaccuracy``. A restricted one is out of
    that function's reach, yet the supplier must still correct or delete it (CIS-43), so
    the report is filed directly (``alerts.file_inaccuracy``), with the same notification
    and audit entry; nothing of the restricted alert's content is read or shown."""
    ground = "inaccurate" if kind == "rectification" else "unlawful"
    evidence = (
        f"CIS-43: data subject request {request_id} ({kind}) received by {user.authority.code}"
    )
    if alert.status == "active":
        return report_inaccuracy(session, user, alert.id, ground=ground, evidence=evidence)
    return file_inaccuracy(session, user, alert, ground=ground, evidence=evidence, rule="CIS-43")


def _codes(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Authority.id, Authority.code).where(Authority.id.in_(ids)))
    return {i: c for i, c in rows}


def _status(session: Session, request: CisAccessRequest) -> str:
    """``awaiting_supplier`` while a supplier has not stated its position or not resolved
    the inaccuracy report; ``ready`` once the receiving authority may decide."""
    if request.status == "answered":
        return "answered"
    for p in request.positions:
        if not p["stated"]:
            return "awaiting_supplier"
        if _report_open(session, p):
            return "awaiting_supplier"
    return "ready"


def _report_open(session: Session, position: dict[str, Any]) -> bool:
    """Whether the supplier still has to correct or delete. An alert deleted meanwhile
    by another path (court, retention) settles it: nothing is left to correct."""
    if position["report"] is None:
        return False
    report = session.get(CisInaccuracy, position["report"])
    if report is None or report.status != "open":
        return False
    alert = session.get(CisAlert, position["alert_id"])
    return alert is not None and alert.status != "deleted"


def get_request(session: Session, user: CisUser, request_id: int) -> CisAccessRequest:
    """A request, for the authority that received it only: its positions name every
    supplier holding an alert on the person, which the suppliers need not learn from
    each other (CIS-46). Suppliers see what is asked of them in ``positions_asked``."""
    _officer(user, "CIS-42")
    request = session.get(CisAccessRequest, request_id)
    if request is None or request.received_by_id != user.authority.id:
        raise NotFound(f"no data subject request {request_id} received by {user.authority.code}")
    request.status = _status(session, request)
    return request


def positions_asked(
    session: Session, user: CisUser, *, after: int = 0, limit: int = 100
) -> list[dict[str, Any]]:
    """The positions other authorities wait for from this one, oldest request first:
    request, kind, alert and who asked; nothing about the person or the other suppliers.

    Paged by request id: pass the last item's ``request`` as ``after``. A page holds the
    positions of whole requests and stops once it has ``limit`` of them (so it may end a
    few over, with the last request's other alerts), never splitting a request.

    SQL narrows to the requests still waiting (``awaiting_supplier``) and received by
    another authority (the receiving one's own positions are stated on receipt), in id
    order, a bounded batch at a time. Which supplier a position asks is inside the JSON
    ``positions`` column, which SQLite and PostgreSQL query differently; that last filter
    runs here, over at most ``BATCH`` requests per query, and the scan ends as soon as
    the page is full."""
    _officer(user, "CIS-42")
    if not 1 <= limit <= PAGE:
        raise ValidationFailed(f"CIS-42: a page holds 1 to {PAGE} positions")
    out: list[dict[str, Any]] = []
    last = after
    while len(out) < limit:
        rows = session.execute(
            select(CisAccessRequest, Authority.code)
            .join(Authority, Authority.id == CisAccessRequest.received_by_id)
            .where(
                CisAccessRequest.status == "awaiting_supplier",
                CisAccessRequest.received_by_id != user.authority.id,
                CisAccessRequest.id > last,
            )
            .order_by(CisAccessRequest.id)
            .limit(BATCH)
        ).all()
        for request, code in rows:
            out.extend(
                {
                    "request": request.id,
                    "kind": request.kind,
                    "alert_id": p["alert_id"],
                    "alert": p["alert"],
                    "received_by": code,
                    "received_at": request.received_at,
                }
                for p in request.positions
                if p["supplier_id"] == user.authority.id and not p["stated"]
            )
            if len(out) >= limit:
                break
        if len(rows) < BATCH:
            break
        last = rows[-1][0].id
    return out


def notes_of(vault: Vault, request: CisAccessRequest) -> dict[int, str]:
    """The suppliers' notes on their positions, by alert id, opened from the sealed part
    of the request. A position stored before notes were sealed may still hold its note
    in clear; it is read from there."""
    sealed: dict[str, str] = vault.open(request.sealed_subject).get("notes") or {}
    notes = {int(alert_id): note for alert_id, note in sealed.items()}
    for p in request.positions:
        legacy = p.get("note")
        if isinstance(legacy, str) and p["alert_id"] not in notes:
            notes[p["alert_id"]] = legacy
    return notes


def state_position(
    session: Session,
    vault: Vault,
    user: CisUser,
    request_id: int,
    *,
    alert_id: int,
    objects: bool = False,
    investigation_ongoing: bool = False,
    note: str | None = None,
) -> CisAccessRequest:
    """The supplier's position on a request about one of its alerts (CIS-42): whether it
    objects to the person being told, and whether an investigation is ongoing. ``note``
    is for the receiving authority; it is asked to hold no personal data, but free text
    may, so it is sealed with the request and only whether one was given is in clear."""
    _officer(user, "CIS-42")
    request = session.get(CisAccessRequest, request_id)
    if request is None:
        raise NotFound(f"no data subject request {request_id}")
    if request.status == "answered":
        raise Conflict(f"CIS-42: request {request_id} was answered already")
    positions = [dict(p) for p in request.positions]
    entry = next((p for p in positions if p["alert_id"] == alert_id), None)
    if entry is None:
        raise NotFound(f"CIS-42: request {request_id} does not concern alert {alert_id}")
    if entry["supplier_id"] != user.authority.id:
        raise NotAuthorised(
            f"CIS-42: only the supplier of alert {entry['alert']} states a position on it"
        )
    if entry["stated"] and not entry["own"]:
        raise Conflict(f"CIS-42: the position on alert {entry['alert']} was stated already")
    text = (note or "").strip()[:500]
    entry.pop("note", None)  # a clear note of an older position: sealed below instead
    entry.update(
        stated=True,
        objects=objects,
        investigation_ongoing=investigation_ongoing,
        noted=bool(text),
        stated_by=user.actor.username,
        stated_at=_now().isoformat(),
    )
    sealed = vault.open(request.sealed_subject)
    notes: dict[str, str] = dict(sealed.get("notes") or {})
    if text:
        notes[str(alert_id)] = text
    else:
        notes.pop(str(alert_id), None)
    sealed["notes"] = notes
    request.sealed_subject = vault.seal(sealed)
    request.positions = positions  # a new list, so the JSON column is written
    request.status = _status(session, request)
    if not entry["own"]:
        notify(
            session,
            request.received_by_id,
            "data_subject_position",
            alert_id=alert_id,
            body={
                "request": request.id,
                "alert": entry["alert"],
                "by": user.authority.code,
                "objects": objects,
                "investigation_ongoing": investigation_ongoing,
                "rule": "CIS-42",
            },
        )
    record(
        session,
        actor=user.actor,
        action="cis_data_subject_position",
        object_type="cis_access_request",
        object_id=str(request.id),
        purpose=user.purpose,
        detail={
            "alert": entry["alert"],
            "objects": objects,
            "investigation_ongoing": investigation_ongoing,
        },
    )
    return request


def decide_request(
    session: Session,
    vault: Vault,
    user: CisUser,
    request_id: int,
    *,
    undermines_action: bool = False,
    others_rights: bool = False,
    investigation_ongoing: bool = False,
) -> Answer:
    """Answer the person, once every supplier could state its position (CIS-42).

    Access is refused where the receiving authority finds it would undermine the
    suggested action or others' rights, and always while a matching alert is for
    discreet surveillance, sighting and reporting or operational analysis, or an
    investigation is ongoing (the supplier's flag, or ``investigation_ongoing`` for the
    receiving authority's own alerts). One refusal refuses the whole answer: a partial
    list would let the person infer what was left out. Refusals and "nothing held" give
    the same neutral text; only specific checks alerts are ever disclosed."""
    _officer(user, "CIS-42")
    request = session.get(CisAccessRequest, request_id)
    if request is None or request.received_by_id != user.authority.id:
        raise NotFound(f"no data subject request {request_id} received by {user.authority.code}")
    if request.status == "answered":
        raise Conflict(f"CIS-42: request {request_id} was answered already")
    request.status = _status(session, request)
    if request.status != "ready":
        silent = sorted({p["supplier"] for p in request.positions if not p["stated"]})
        if silent:
            raise Conflict(
                f"CIS-42: request {request_id} cannot be answered before {', '.join(silent)} "
                "stated a position"
            )
        raise Conflict(
            f"CIS-43: request {request_id} waits for the supplier to correct or delete the data"
        )
    held: list[tuple[dict[str, Any], CisAlert]] = []
    for p in request.positions:
        alert = session.get(CisAlert, p["alert_id"])
        if alert is not None:
            held.append((p, alert))
    reasons = _refusals(held, undermines_action, others_rights, investigation_ongoing)
    live = [(p, a) for p, a in held if a.status != "deleted"]
    if request.kind == "access":
        if not live:
            decision, answer = "nothing_held", Answer(request.id, request.kind, NEUTRAL_ANSWER)
        elif reasons:
            decision, answer = "refused", Answer(request.id, request.kind, NEUTRAL_ANSWER)
        else:
            decision = "granted"
            answer = Answer(request.id, request.kind, ACCESS_GRANTED, _disclosed(vault, live))
    else:
        decision, answer = _changes(session, request, held, reasons)
    request.decision = decision
    request.reasons = reasons
    request.status = "answered"
    request.decided_at = _now()
    request.decided_by = user.actor.username
    sealed = vault.open(request.sealed_subject)
    sealed["answer"] = {"text": answer.text, "data": answer.data}
    request.sealed_subject = vault.seal(sealed)
    session.flush()
    record(
        session,
        actor=user.actor,
        action="cis_data_subject_answer",
        object_type="cis_access_request",
        object_id=str(request.id),
        purpose=user.purpose,
        detail={
            "kind": request.kind,
            "decision": decision,
            "reasons": reasons,
            "neutral": answer.text == NEUTRAL_ANSWER,
            "disclosed_fields": sorted(
                {f for item in answer.data for f in item.get("personal_data", {})}
            ),
        },
    )
    return answer


def _refusals(
    held: list[tuple[dict[str, Any], CisAlert]],
    undermines_action: bool,
    others_rights: bool,
    investigation_ongoing: bool,
) -> list[str]:
    """Every reason to refuse, named for the record (never for the person)."""
    reasons: list[str] = []
    for p, alert in held:
        if alert.action in NO_ACCESS_ACTIONS:
            reasons.append(f"{p['alert']}: suggested action {alert.action}")
        if p["investigation_ongoing"]:
            reasons.append(f"{p['alert']}: investigation ongoing ({p['supplier']})")
        if p["objects"]:
            reasons.append(f"{p['alert']}: the supplier {p['supplier']} objects")
    if held and investigation_ongoing:
        reasons.append("investigation ongoing (receiving authority)")
    if held and undermines_action:
        reasons.append("access would undermine the suggested action")
    if held and others_rights:
        reasons.append("access would harm the rights and freedoms of others")
    return reasons


def _disclosed(vault: Vault, live: list[tuple[dict[str, Any], CisAlert]]) -> list[dict[str, Any]]:
    """The personal data held, per alert: the CIS-4 items about the person (names,
    identity, reason, suggested action, warning) and who to turn to; not the supplier's
    justification nor the alert's reference, which are the authorities' working data."""
    out = []
    for p, alert in live:
        content = content_of(vault, alert)
        out.append(
            {
                "supplier": p["supplier"],
                "category": content.category,
                "suggested_action": content.action,
                "reason": content.reason,
                "personal_data": dict(content.person or {}),
            }
        )
    return out


def _changes(
    session: Session,
    request: CisAccessRequest,
    held: list[tuple[dict[str, Any], CisAlert]],
    reasons: list[str],
) -> tuple[str, Answer]:
    """Rectification or erasure: the outcome of each supplier's correction (CIS-43). The
    person learns the outcomes only where access would have been granted; otherwise the
    neutral text, for the same reason as for access."""
    outcomes: list[tuple[dict[str, Any], str]] = []
    for p, alert in held:
        report = session.get(CisInaccuracy, p["report"]) if p["report"] is not None else None
        if report is not None:
            settled = report.status == "open" and alert.status == "deleted"
            outcomes.append((p, "deleted" if settled else report.status))
    if not outcomes:
        return "nothing_held", Answer(request.id, request.kind, NEUTRAL_ANSWER)
    done = [o for _, o in outcomes if o in ("corrected", "deleted")]
    if len(done) == len(outcomes):
        decision = "carried_out"
    elif done:
        decision = "partly_carried_out"
    else:
        decision = "rejected"
    withheld = bool(reasons)
    reasons.extend(f"{p['alert']}: {outcome} by {p['supplier']}" for p, outcome in outcomes)
    if withheld:
        return decision, Answer(request.id, request.kind, NEUTRAL_ANSWER)
    data = [{"supplier": p["supplier"], "outcome": outcome} for p, outcome in outcomes]
    return decision, Answer(request.id, request.kind, CHANGES_MADE, data)


def answer_of(vault: Vault, request: CisAccessRequest) -> Answer | None:
    """The answer as given, for the receiving authority to send or show again."""
    if request.status != "answered":
        return None
    given = vault.open(request.sealed_subject).get("answer") or {}
    return Answer(request.id, request.kind, given.get("text", ""), list(given.get("data", [])))
