"""Retention and data protection in the CIS over HTTP (CIS-22..CIS-25, CIS-40..CIS-45).

The routes only translate: every decision (who may, on what, until when) stays in the
services (``retention``, ``subjects``, ``copies``, ``inspection``, ``strategic``) so that
the CLI and the API refuse the same things with the same rule. What the routes add:

- **The clock is the server's.** ``today`` for a review or a copy is the server's date,
  never the client's: a client-chosen day would let a supplier keep an alert after its
  deadline (CIS-23) or back-date a copy's ten years (CIS-41).
- **A purpose where none is natural.** Routes that read no personal data, or whose use
  has one evident purpose, default the ``X-Purpose`` header (reviews: ``prevention``;
  copies and strategic analysis: ``operational_analysis``; data subjects' requests:
  ``prevention``, as their officers are cleared in the services' tests); a header given
  still wins and is still checked against the designation (CIS-13). The restricted area
  is the exception: its reader must say ``accuracy`` or ``lawfulness`` (CIS-25), so there
  the header is required.
- **A refusal names its rule.** A caller lacking the permission a route needs is refused
  with the route's rule, not only the permission's name.
- **Ids are bounded** to the database's integer range, so an absurd id is a 422, not a
  driver overflow (500).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from tollgate.api.deps import CurrentActor, Purpose, SessionDep, UtcDatetime, VaultDep
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor
from tollgate.authorities.tables import Authority
from tollgate.cis import copies, inspection, retention, strategic, subjects
from tollgate.cis.access import CisUser, cleared
from tollgate.cis.crypto import Vault
from tollgate.cis.tables import CisAccessRequest, CisAlert, CisCopy
from tollgate.errors import NotAuthorised, ValidationFailed

router = APIRouter(prefix="/cis", tags=["cis"])

#: the largest id an INTEGER primary key holds (PostgreSQL ``integer``)
MAX_ID = 2**31 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
After = Annotated[int, Query(ge=0, le=MAX_ID, description="The last id of the previous page.")]
Limit = Annotated[int, Query(ge=1, le=1000)]
AfterDue = Annotated[
    date | None, Query(description="With after_id: the last item's review_due (key paging).")
]
AfterId = Annotated[
    int | None, Query(ge=0, le=MAX_ID, description="With after_due: the last item's id.")
]


def _today() -> date:
    return datetime.now(UTC).date()


def _user(
    session: Session,
    actor: Actor,
    purpose: str | None,
    rule: str,
    permissions: Iterable[Permission],
    **kw: Any,
) -> CisUser:
    """The caller cleared under the first of ``permissions`` it holds (some uses are open
    to two roles, e.g. analysts and the committee for CIS-45), or a refusal naming
    ``rule``."""
    wanted = list(permissions)
    held = next((p for p in wanted if actor.can(p)), None)
    if held is None:
        names = " or ".join(repr(p.value) for p in wanted)
        raise NotAuthorised(f"{rule}: user {actor.username!r} lacks permission {names}")
    return cleared(session, actor, held, purpose, **kw)


def _key(after_due: date | None, after_id: int | None, rule: str) -> tuple[date, int] | None:
    """The paging key: both halves or neither; one alone would silently restart paging."""
    if after_due is None and after_id is None:
        return None
    if after_due is None or after_id is None:
        raise ValidationFailed(
            f"{rule}: after_due and after_id page together: pass the last item's review_due and id"
        )
    return after_due, after_id


def _codes(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Authority.id, Authority.code).where(Authority.id.in_(ids)))
    return {i: c for i, c in rows}


# ----------------------------------------------------------------------------- retention


class ReviewOut(BaseModel):
    """An alert as its supplier reviews it: metadata only, no content (CIS-22)."""

    id: int
    reference: str
    category: str
    action: str
    status: str
    review_due: date
    notice_sent_at: UtcDatetime | None = Field(description="CIS-24: the month's notice.")
    kept_at: UtcDatetime | None = Field(description="CIS-23: the last keep decision.")
    created_at: UtcDatetime


def _review(alert: CisAlert) -> ReviewOut:
    return ReviewOut.model_validate(alert, from_attributes=True)


@router.get("/reviews", response_model=list[ReviewOut])
def review_queue(
    actor: CurrentActor,
    session: SessionDep,
    purpose: Purpose = None,
    within_days: int = Query(31, le=3650, description="Reviews due within this many days."),
    after_due: AfterDue = None,
    after_id: AfterId = None,
    limit: Limit = 100,
) -> list[ReviewOut]:
    """The caller's authority's active alerts due for review (CIS-22), most urgent first,
    overdue ones included. Paged by (review_due, id) so keeping alerts from one page does
    not make the next page skip any."""
    user = _user(session, actor, purpose or "prevention", "CIS-22", [Permission.CIS_ENTER])
    rows = retention.review_queue(
        session,
        user,
        today=_today(),
        within_days=within_days,
        after=_key(after_due, after_id, "CIS-22"),
        limit=limit,
    )
    return [_review(a) for a in rows]


class KeepIn(BaseModel):
    why: str = Field(description="CIS-23: why the entry is still needed.")


@router.post("/alerts/{alert_id}/keep", response_model=ReviewOut)
def keep(
    alert_id: Id,
    body: KeepIn,
    actor: CurrentActor,
    session: SessionDep,
    purpose: Purpose = None,
) -> ReviewOut:
    """The supplier keeps an alert until the next review, a year from today (CIS-23);
    refused once the deadline has passed."""
    user = _user(session, actor, purpose or "prevention", "CIS-23", [Permission.CIS_ENTER])
    return _review(retention.keep(session, user, alert_id, today=_today(), why=body.why))


class RestrictedOut(BaseModel):
    """A restricted entry as listed: when it moved and when it goes (CIS-25)."""

    alert_id: int
    reference: str
    supplier: str
    category: str
    action: str
    restricted_at: UtcDatetime | None
    delete_after: date | None


class RestrictedReadOut(RestrictedOut):
    """A restricted entry opened for an accuracy or lawfulness check, with its content."""

    reason: str
    subject: dict[str, Any]
    person: dict[str, Any] | None
    justification: str | None


def _restricted(entry: retention.RestrictedEntry, codes: dict[int, str]) -> RestrictedOut:
    return RestrictedOut(
        alert_id=entry.alert_id,
        reference=entry.reference,
        supplier=codes[entry.supplier_id],
        category=entry.category,
        action=entry.action,
        restricted_at=entry.restricted_at,
        delete_after=entry.delete_after,
    )


@router.get("/restricted", response_model=list[RestrictedOut])
def list_restricted(
    actor: CurrentActor,
    session: SessionDep,
    purpose: Purpose = None,
    after: After = 0,
    limit: Limit = 100,
) -> list[RestrictedOut]:
    """The restricted area's index, without content, for the committee's representative
    or a supervisory authority checking accuracy or lawfulness (X-Purpose, CIS-25)."""
    rows = retention.list_restricted(
        session, actor, purpose=purpose or "", after=after, limit=limit
    )
    codes = _codes(session, {e.supplier_id for e in rows})
    return [_restricted(e, codes) for e in rows]


@router.get("/restricted/{alert_id}", response_model=RestrictedReadOut)
def read_restricted(
    alert_id: Id,
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    purpose: Purpose = None,
) -> RestrictedReadOut:
    """Open one restricted entry for an accuracy or lawfulness check (X-Purpose, CIS-25);
    audited with that purpose."""
    read = retention.read_restricted(session, vault, actor, alert_id, purpose or "")
    codes = _codes(session, {read.entry.supplier_id})
    return RestrictedReadOut(
        **_restricted(read.entry, codes).model_dump(),
        reason=read.content.reason,
        subject=read.content.subject,
        person=read.content.person,
        justification=read.content.justification,
    )


# ----------------------------------------------------------------------------- data subjects


def _officer(session: Session, actor: Actor, purpose: str | None, rule: str) -> CisUser:
    """A data protection officer: requests carry personal data both ways (CIS-38)."""
    return _user(
        session,
        actor,
        purpose or "prevention",
        rule,
        [Permission.CIS_DATA_PROTECTION],
        personal=True,
    )


class SubjectRequestIn(BaseModel):
    kind: str = Field(description=f"One of {list(subjects.KINDS)}.")
    subject: dict[str, Any] = Field(
        description=f"The person asking, among {sorted(subjects.REQUESTER_FIELDS)}: a name "
        "and a date of birth or identity document number."
    )
    details: str = Field(default="", description="CIS-43: which data are wrong, and why.")


class PositionOut(BaseModel):
    """A supplier's position on a request, as the receiving authority sees it (CIS-42)."""

    alert_id: int
    alert: str
    supplier: str
    own: bool
    stated: bool
    objects: bool
    investigation_ongoing: bool
    note: str | None
    stated_at: UtcDatetime | None = None


class AnswerOut(BaseModel):
    """What the person is told; ``data`` is empty whenever ``text`` is the neutral one."""

    request_id: int
    kind: str
    text: str
    data: list[dict[str, Any]]


class SubjectRequestOut(BaseModel):
    """A request for the authority that received it. The person's identity stays sealed
    and the reasons for a refusal stay with the audit trail for the supervisors: the
    officer sends ``answer``, which cannot betray why nothing is communicated."""

    id: int
    kind: str
    status: str = Field(description="awaiting_supplier | ready | answered")
    received_at: UtcDatetime
    decided_at: UtcDatetime | None
    decided_by: str | None
    decision: str | None
    positions: list[PositionOut]
    answer: AnswerOut | None


def _answer(answer: subjects.Answer) -> AnswerOut:
    return AnswerOut.model_validate(answer, from_attributes=True)


def _position(p: dict[str, Any], notes: dict[int, str]) -> PositionOut:
    """A position with its note opened from the request's sealed part (the clear JSON
    says only whether there is one)."""
    return PositionOut.model_validate(p | {"note": notes.get(p["alert_id"])})


def _request(
    request: CisAccessRequest, answer: subjects.Answer | None, vault: Vault
) -> SubjectRequestOut:
    notes = subjects.notes_of(vault, request)
    return SubjectRequestOut(
        id=request.id,
        kind=request.kind,
        status=request.status,
        received_at=request.received_at,
        decided_at=request.decided_at,
        decided_by=request.decided_by,
        decision=request.decision,
        positions=[_position(p, notes) for p in request.positions],
        answer=_answer(answer) if answer is not None else None,
    )


@router.post("/subject-requests", response_model=SubjectRequestOut, status_code=201)
def receive_request(
    body: SubjectRequestIn,
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    purpose: Purpose = None,
) -> SubjectRequestOut:
    """Register a person's request for access (CIS-42), rectification or erasure (CIS-43);
    every other supplier of a matching alert is asked for its position."""
    rule = "CIS-42" if body.kind == "access" else "CIS-43"
    user = _officer(session, actor, purpose, rule)
    request = subjects.receive_request(
        session, vault, user, kind=body.kind, subject=body.subject, details=body.details
    )
    return _request(request, None, vault)


class AskedOut(BaseModel):
    """A position another authority waits for: nothing about the person or the other
    suppliers (CIS-46)."""

    request: int
    kind: str
    alert_id: int
    alert: str
    received_by: str
    received_at: UtcDatetime


# registered before /subject-requests/{request_id}, which would otherwise take "positions"
@router.get("/subject-requests/positions", response_model=list[AskedOut])
def positions_asked(
    actor: CurrentActor,
    session: SessionDep,
    purpose: Purpose = None,
    after: After = 0,
    limit: Annotated[int, Query(ge=1, le=subjects.PAGE)] = 100,
) -> list[AskedOut]:
    """The positions other authorities wait for from the caller's authority, oldest
    request first (CIS-42); paged by request (``after`` the last item's ``request``)."""
    user = _officer(session, actor, purpose, "CIS-42")
    asked = subjects.positions_asked(session, user, after=after, limit=limit)
    return [AskedOut.model_validate(p) for p in asked]


@router.get("/subject-requests/{request_id}", response_model=SubjectRequestOut)
def get_request(
    request_id: Id,
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    purpose: Purpose = None,
) -> SubjectRequestOut:
    """A request, for the authority that received it only (CIS-46), with its answer once
    given."""
    user = _officer(session, actor, purpose, "CIS-42")
    request = subjects.get_request(session, user, request_id)
    return _request(request, subjects.answer_of(vault, request), vault)


class PositionIn(BaseModel):
    alert_id: int = Field(ge=1, le=MAX_ID)
    objects: bool = Field(default=False, description="Objects to the person being told.")
    investigation_ongoing: bool = False
    note: str | None = Field(default=None, description="For the receiving authority; no names.")


class PositionStatedOut(BaseModel):
    """The supplier's own position as recorded; the rest of the request is not its to
    see (CIS-46)."""

    request: int
    alert_id: int
    alert: str
    objects: bool
    investigation_ongoing: bool
    note: str | None
    stated_at: UtcDatetime | None


@router.post(
    "/subject-requests/{request_id}/positions", response_model=PositionStatedOut, status_code=201
)
def state_position(
    request_id: Id,
    body: PositionIn,
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    purpose: Purpose = None,
) -> PositionStatedOut:
    """The supplier states whether it objects and whether an investigation is ongoing
    (CIS-42); the receiving authority may answer only once every supplier did."""
    user = _officer(session, actor, purpose, "CIS-42")
    request = subjects.state_position(
        session,
        vault,
        user,
        request_id,
        alert_id=body.alert_id,
        objects=body.objects,
        investigation_ongoing=body.investigation_ongoing,
        note=body.note,
    )
    entry = next(p for p in request.positions if p["alert_id"] == body.alert_id)
    return PositionStatedOut(
        request=request.id,
        alert_id=entry["alert_id"],
        alert=entry["alert"],
        objects=entry["objects"],
        investigation_ongoing=entry["investigation_ongoing"],
        note=subjects.notes_of(vault, request).get(body.alert_id),
        stated_at=entry.get("stated_at"),
    )


class DecisionIn(BaseModel):
    undermines_action: bool = Field(default=False, description="CIS-42: refuse access.")
    others_rights: bool = Field(default=False, description="CIS-42: refuse access.")
    investigation_ongoing: bool = Field(
        default=False, description="CIS-42: for the receiving authority's own alerts."
    )


@router.post("/subject-requests/{request_id}/decision", response_model=AnswerOut)
def decide_request(
    request_id: Id,
    body: DecisionIn,
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    purpose: Purpose = None,
) -> AnswerOut:
    """Answer the person once every supplier could state its position (CIS-42, CIS-43).
    Refusals and "nothing held" read the same."""
    user = _officer(session, actor, purpose, "CIS-42")
    answer = subjects.decide_request(
        session,
        vault,
        user,
        request_id,
        undermines_action=body.undermines_action,
        others_rights=body.others_rights,
        investigation_ongoing=body.investigation_ongoing,
    )
    return _answer(answer)


# ----------------------------------------------------------------------------- copies


def _analyst(session: Session, actor: Actor, purpose: str | None, **kw: Any) -> CisUser:
    return _user(
        session, actor, purpose or "operational_analysis", "CIS-40", [Permission.CIS_COPY], **kw
    )


class CopyIn(BaseModel):
    system: str = Field(description=f"One of {list(copies.SYSTEMS)}.")
    service: str = Field(description="CIS-40: a service the authority's designation lists.")
    personal_fields: list[str] = Field(
        default_factory=list, description="CIS-41: only what the analysis needs; none: anonymous."
    )


class CopyOut(BaseModel):
    """A copy's record. Its personal fields, if any, only through ``/person``."""

    id: int
    alert_id: int
    system: str
    service: str
    copied_by: str
    copied_at: UtcDatetime
    review_due: date
    expires_on: date
    subject: dict[str, Any]
    personal: bool = Field(description="Whether personal fields were kept (CIS-41).")
    deleted_at: UtcDatetime | None


def _copy(copy: CisCopy) -> CopyOut:
    return CopyOut(
        id=copy.id,
        alert_id=copy.alert_id,
        system=copy.system,
        service=copy.service,
        copied_by=copy.copied_by,
        copied_at=copy.copied_at,
        review_due=copy.review_due,
        expires_on=copy.expires_on,
        subject=copy.subject,
        personal=copy.sealed is not None,
        deleted_at=copy.deleted_at,
    )


@router.post("/alerts/{alert_id}/copies", response_model=CopyOut, status_code=201)
def copy_alert(
    alert_id: Id,
    body: CopyIn,
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    purpose: Purpose = None,
) -> CopyOut:
    """Copy another supplier's alert into a national analysis system (CIS-40), keeping
    only the personal fields named (CIS-41)."""
    user = _analyst(session, actor, purpose)
    copy = copies.copy_alert(
        session,
        vault,
        user,
        alert_id,
        system=body.system,
        service=body.service,
        personal_fields=body.personal_fields,
        today=_today(),
    )
    return _copy(copy)


@router.get("/copies", response_model=list[CopyOut])
def list_copies(
    actor: CurrentActor,
    session: SessionDep,
    purpose: Purpose = None,
    include_deleted: bool = False,
    after_due: AfterDue = None,
    after_id: AfterId = None,
    limit: Limit = 100,
) -> list[CopyOut]:
    """The caller's authority's copies, oldest review first: the CIS-41 review list,
    paged by (review_due, id) like ``/reviews``."""
    user = _analyst(session, actor, purpose)
    key = _key(after_due, after_id, "CIS-41")
    rows = copies.list_copies(
        session, user, include_deleted=include_deleted, after=key, limit=limit
    )
    return [_copy(c) for c in rows]


class CopyPersonOut(BaseModel):
    copy_id: int
    person: dict[str, Any] = Field(description="The personal fields kept; {} when anonymous.")


@router.get("/copies/{copy_id}/person", response_model=CopyPersonOut)
def copy_person(
    copy_id: Id,
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    purpose: Purpose = None,
) -> CopyPersonOut:
    """The personal fields a copy kept, for its own authority's analysts; only while
    that authority may receive personal data (CIS-38)."""
    user = _analyst(session, actor, purpose, personal=True)
    return CopyPersonOut(copy_id=copy_id, person=copies.copy_person(session, vault, user, copy_id))


class CopyReviewIn(BaseModel):
    decision: str = Field(description="keep | delete")
    why: str = ""


@router.post("/copies/{copy_id}/review", response_model=CopyOut)
def review_copy(
    copy_id: Id,
    body: CopyReviewIn,
    actor: CurrentActor,
    session: SessionDep,
    purpose: Purpose = None,
) -> CopyOut:
    """The yearly review (CIS-41): keep until the next one (never past ten years) or
    delete now."""
    user = _analyst(session, actor, purpose)
    copy = copies.review_copy(
        session, user, copy_id, decision=body.decision, why=body.why, today=_today()
    )
    return _copy(copy)


# ----------------------------------------------------------------------------- inspection


class InspectedOut(BaseModel):
    id: int
    reference: str
    supplier: str
    category: str
    action: str
    status: str
    version: int
    created_at: UtcDatetime
    created_by: str
    updated_at: UtcDatetime
    updated_by: str
    review_due: date
    restricted_at: UtcDatetime | None
    delete_after: date | None
    deleted_at: UtcDatetime | None
    deleted_why: str | None
    reason: str | None
    subject: dict[str, Any] | None
    person: dict[str, Any] | None
    justification: str | None


class InspectionOut(BaseModel):
    alerts: list[InspectedOut]
    next_after: int | None = Field(description="Pass as ``after`` for the next page.")


@router.get("/inspection", response_model=InspectionOut)
def inspect(
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    why: str = Query("", description="CIS-44: why this inspection is made (audited)."),
    supplier: str | None = None,
    status: str | None = Query(None, description=f"One of {list(inspection.STATUSES)}."),
    after: After = 0,
    limit: int = Query(50, description=f"1 to {inspection.MAX_PAGE}."),
    with_content: bool = True,
    check: str | None = Query(
        None, description="CIS-25: accuracy | lawfulness, to see restricted entries' content."
    ),
) -> InspectionOut:
    """One page of alerts for a supervisory authority or the committee (CIS-44):
    read-only and audited. ``why``, ``status``, ``limit`` and ``check`` are checked by
    the service so that a mistake names its rule."""
    page = inspection.inspect(
        session,
        vault,
        actor,
        why=why,
        supplier=supplier,
        status=status,
        after=after,
        limit=limit,
        with_content=with_content,
        check=check,
    )
    return InspectionOut(
        alerts=[InspectedOut.model_validate(a, from_attributes=True) for a in page.alerts],
        next_after=page.next_after,
    )


# ----------------------------------------------------------------------------- strategic


class StrategicOut(BaseModel):
    """Counts only (CIS-45): every mapping is label to count."""

    total: int
    by_category: dict[str, int]
    by_action: dict[str, int]
    by_supplier: dict[str, int]
    by_month: dict[str, int]
    by_nationality: dict[str, int]
    nationality_suppressed: int
    min_cell: int
    generated_at: UtcDatetime


@router.get("/strategic-analysis", response_model=StrategicOut)
def strategic_analysis(
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    purpose: Purpose = None,
    min_cell: int = Query(strategic.MIN_CELL, description="Smallest nationality count shown."),
) -> StrategicOut:
    """Anonymous figures on the active alerts the caller's authority is designated for
    (CIS-45), for designated analysts and the committee."""
    user = _user(
        session,
        actor,
        purpose or "operational_analysis",
        "CIS-45",
        [Permission.CIS_COPY, Permission.CIS_OVERSIGHT],
    )
    figures = strategic.strategic_analysis(session, vault, user, min_cell=min_cell)
    return StrategicOut.model_validate(figures, from_attributes=True)
