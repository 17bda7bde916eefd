"""The CIS over HTTP. Every route is authenticated; each use is cleared against the
caller's role and its authority's designation (``access.cleared``) for the purpose given
in ``X-Purpose``, and refusals name the rule (CIS-n) that refuses."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from tollgate.api.deps import (
    AfterId,
    CurrentActor,
    PathId,
    Purpose,
    SessionDep,
    UtcDatetime,
    VaultDep,
)
from tollgate.authorities.roles import Permission
from tollgate.cis import alerts, hits, notifications, queries, querylog
from tollgate.cis.access import PURPOSES, cleared, designate, designations
from tollgate.cis.queries import AlertView

router = APIRouter(prefix="/cis", tags=["cis"])


# ----------------------------------------------------------------------------- designations


class DesignationIn(BaseModel):
    categories: list[str]
    purposes: list[str] = Field(description=f"Among {sorted(PURPOSES)}.")
    may_enter: bool
    specific_checks_allowed: bool = Field(description="CIS-12: allowed by this authority's law.")
    data_protection_in_force: bool = Field(description="CIS-38.")
    supervisory_authority: str | None = None
    analysis_services: list[str] = Field(default_factory=list, description="CIS-40.")
    transmit_to: list[str] = Field(default_factory=list, description="CIS-48.")


class DesignationOut(DesignationIn):
    authority: str
    updated_at: UtcDatetime


@router.get("/designations", response_model=list[DesignationOut])
def published_designations(actor: CurrentActor, session: SessionDep) -> list[DesignationOut]:
    """The published list of designated authorities, with the data each may access, the
    purposes, and where their data may go (CIS-13, CIS-48)."""
    return [
        DesignationOut(
            authority=a.code,
            categories=d.categories,
            purposes=d.purposes,
            may_enter=d.may_enter,
            specific_checks_allowed=d.specific_checks_allowed,
            data_protection_in_force=d.data_protection_in_force,
            supervisory_authority=d.supervisory_authority,
            analysis_services=d.analysis_services,
            transmit_to=d.transmit_to,
            updated_at=d.updated_at,
        )
        for a, d in designations(session)
    ]


@router.put("/designations/{authority}", response_model=DesignationOut)
def publish_designation(
    authority: str, body: DesignationIn, actor: CurrentActor, session: SessionDep
) -> DesignationOut:
    """Publish the caller's own authority's designation (its administrator)."""
    d = designate(session, actor=actor, authority_code=authority, **body.model_dump())
    return DesignationOut(authority=authority, updated_at=d.updated_at, **body.model_dump())


# ----------------------------------------------------------------------------- alerts


class AlertIn(BaseModel):
    category: str = Field(description="CIS-2: one of the seven categories.")
    action: str | None = Field(default=None, description="CIS-8: the suggested action.")
    reason: str | None = Field(default=None, description="The reason for the entry.")
    subject: dict[str, Any] = Field(default_factory=dict, description="Non-personal data.")
    person: dict[str, Any] | None = Field(default=None, description="CIS-4..6 fields only.")
    justification: str | None = Field(default=None, description="CIS-9, with personal data.")


class AlertOut(BaseModel):
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
    personal_withheld: bool = Field(description="CIS-38: personal data exist but not for you.")
    review_due: date
    created_at: UtcDatetime
    updated_at: UtcDatetime
    match: str | None = None
    score: float | None = None


class EnteredOut(AlertOut):
    held_back: list[str] = Field(
        description="CIS-20: parts conflicting with an earlier alert, awaiting its supplier."
    )


def _out(view: AlertView) -> AlertOut:
    return AlertOut.model_validate(view, from_attributes=True)


@router.post("/alerts", response_model=EnteredOut, status_code=201)
def enter(
    body: AlertIn,
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    purpose: Purpose = None,
) -> EnteredOut:
    user = cleared(session, actor, Permission.CIS_ENTER, purpose, entering=True)
    alert, conflicts = alerts.enter_alert(
        session,
        vault,
        user,
        category=body.category,
        action=body.action or "",
        reason=body.reason or "",
        subject=body.subject,
        person=body.person,
        justification=body.justification,
    )
    view = queries.view_of(session, vault, alert, personal=True)
    return EnteredOut(
        **_out(view).model_dump(), held_back=sorted({f for c in conflicts for f in c.fields})
    )


@router.get("/alerts", response_model=list[AlertOut])
def own(
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    purpose: Purpose = None,
    status: str = Query("active", pattern="^(active|restricted)$"),
    after: AfterId = 0,
    limit: int = Query(100, ge=1, le=1000),
) -> list[AlertOut]:
    """The caller's authority's own alerts, by id."""
    user = cleared(session, actor, Permission.CIS_ENTER, purpose)
    return [
        _out(v)
        for v in queries.own_alerts(session, vault, user, status=status, after=after, limit=limit)
    ]


class SearchIn(BaseModel):
    names: list[str] = Field(default_factory=list)
    is_person: bool | None = None
    date_of_birth: str | None = None
    identifiers: dict[str, str] = Field(
        default_factory=dict, description="kind -> value: eori, vat, excise, passport, ..."
    )
    registrations: list[str] = Field(default_factory=list)
    containers: list[str] = Field(default_factory=list)
    commodities: list[str] = Field(default_factory=list)


@router.post("/alerts/search", response_model=list[AlertOut])
def search(
    body: SearchIn,
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    purpose: Purpose = None,
    limit: int = Query(50, ge=1, le=500),
) -> list[AlertOut]:
    """Active alerts matching what the caller presents (recorded, CIS-47)."""
    user = cleared(session, actor, Permission.CIS_QUERY, purpose)
    criteria = body.model_dump(exclude_defaults=True)
    return [_out(v) for v in queries.search(session, vault, user, criteria, limit=limit)]


@router.get("/alerts/{alert_id}", response_model=AlertOut)
def consult(
    alert_id: PathId,
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    purpose: Purpose = None,
) -> AlertOut:
    user = cleared(session, actor, Permission.CIS_QUERY, purpose)
    return _out(queries.consult(session, vault, user, alert_id))


class AmendIn(BaseModel):
    changes: dict[str, Any] = Field(
        description="action, reason, justification, subject {field: value|null}, person {...}"
    )
    why: str = "amended"


@router.patch("/alerts/{alert_id}", response_model=AlertOut)
def amend(
    alert_id: PathId,
    body: AmendIn,
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    purpose: Purpose = None,
) -> AlertOut:
    """Amend, supplement or correct: the supplier only (CIS-17)."""
    user = cleared(session, actor, Permission.CIS_ENTER, purpose)
    alert = alerts.amend_alert(session, vault, user, alert_id, changes=body.changes, why=body.why)
    return _out(queries.view_of(session, vault, alert, personal=True))


@router.delete("/alerts/{alert_id}", status_code=204)
def delete(
    alert_id: PathId,
    actor: CurrentActor,
    session: SessionDep,
    why: str = Query(..., min_length=3),
    purpose: Purpose = None,
) -> Response:
    """Delete: the supplier only (CIS-17)."""
    user = cleared(session, actor, Permission.CIS_ENTER, purpose)
    alerts.delete_alert(session, user, alert_id, why=why)
    return Response(status_code=204)


class ConflictAnswer(BaseModel):
    agree: bool


@router.post("/conflicts/{conflict_id}/answer")
def answer_conflict(
    conflict_id: PathId,
    body: ConflictAnswer,
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    purpose: Purpose = None,
) -> dict[str, Any]:
    """The earlier supplier agrees or not (CIS-20)."""
    user = cleared(session, actor, Permission.CIS_ENTER, purpose)
    c = alerts.resolve_conflict(session, vault, user, conflict_id, agree=body.agree)
    return {"id": c.id, "status": c.status, "fields": c.fields}


class InaccuracyIn(BaseModel):
    ground: str = Field(description="inaccurate | unlawful")
    evidence: str


@router.post("/alerts/{alert_id}/inaccuracies", status_code=201)
def report_inaccuracy(
    alert_id: PathId,
    body: InaccuracyIn,
    actor: CurrentActor,
    session: SessionDep,
    purpose: Purpose = None,
) -> dict[str, Any]:
    """Evidence that an alert is inaccurate or unlawful, to its supplier (CIS-18, CIS-19)."""
    user = cleared(session, actor, Permission.CIS_QUERY, purpose)
    r = alerts.report_inaccuracy(
        session, user, alert_id, ground=body.ground, evidence=body.evidence
    )
    return {"id": r.id, "status": r.status}


class ResolutionIn(BaseModel):
    outcome: str = Field(description="corrected | deleted | rejected")
    changes: dict[str, Any] | None = None
    note: str | None = None


@router.post("/inaccuracies/{report_id}/resolve")
def resolve_inaccuracy(
    report_id: PathId,
    body: ResolutionIn,
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    purpose: Purpose = None,
) -> dict[str, Any]:
    user = cleared(session, actor, Permission.CIS_ENTER, purpose)
    r = alerts.resolve_inaccuracy(
        session, vault, user, report_id, outcome=body.outcome, changes=body.changes, note=body.note
    )
    return {"id": r.id, "status": r.status}


class CourtIn(BaseModel):
    country: str = Field(min_length=2, max_length=2)
    court_reference: str = Field(min_length=1, max_length=200)
    ruling: str = Field(description="amend | delete")
    decided_on: date
    changes: dict[str, Any] | None = None


@router.post("/alerts/{alert_id}/court-decisions", status_code=201)
def court_decision(
    alert_id: PathId,
    body: CourtIn,
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    purpose: Purpose = None,
) -> dict[str, Any]:
    """A final court decision, applied by the supplier (CIS-21)."""
    user = cleared(session, actor, Permission.CIS_ENTER, purpose)
    d = alerts.apply_court_decision(session, vault, user, alert_id, **body.model_dump())
    return {"id": d.id, "outcome": d.outcome}


class ConsentIn(BaseModel):
    use: str = Field(description="other_purpose | transmission")
    purpose: str
    recipient: str | None = None


@router.post("/alerts/{alert_id}/consents", status_code=201)
def request_consent(
    alert_id: PathId,
    body: ConsentIn,
    actor: CurrentActor,
    session: SessionDep,
    purpose: Purpose = None,
) -> dict[str, Any]:
    """Ask the supplier's prior consent (CIS-14)."""
    user = cleared(session, actor, Permission.CIS_QUERY, purpose)
    c = alerts.request_consent(session, user, alert_id, **body.model_dump())
    return {"id": c.id, "status": c.status}


class ConsentDecision(BaseModel):
    grant: bool
    conditions: str | None = None


@router.post("/consents/{consent_id}/decide")
def decide_consent(
    consent_id: PathId,
    body: ConsentDecision,
    actor: CurrentActor,
    session: SessionDep,
    purpose: Purpose = None,
) -> dict[str, Any]:
    user = cleared(session, actor, Permission.CIS_ENTER, purpose)
    c = alerts.decide_consent(
        session, user, consent_id, grant=body.grant, conditions=body.conditions
    )
    return {"id": c.id, "status": c.status, "conditions": c.conditions}


class TransmitIn(BaseModel):
    recipient: str


@router.post("/alerts/{alert_id}/transmissions", status_code=201)
def transmit(
    alert_id: PathId,
    body: TransmitIn,
    actor: CurrentActor,
    session: SessionDep,
    purpose: Purpose = None,
) -> dict[str, Any]:
    """Record passing an alert's data on: only with consent (CIS-14, CIS-48)."""
    user = cleared(session, actor, Permission.CIS_QUERY, purpose)
    c = alerts.transmit(session, user, alert_id, recipient=body.recipient)
    return {"consent": c.id, "recipient": body.recipient, "conditions": c.conditions}


# ----------------------------------------------------------------------------- notifications


class NotificationOut(BaseModel):
    id: int
    kind: str
    alert_id: PathId | None
    body: dict[str, Any]
    created_at: UtcDatetime
    acknowledged_at: UtcDatetime | None
    acknowledged_by: str | None


@router.get("/notifications", response_model=list[NotificationOut])
def inbox(
    actor: CurrentActor,
    session: SessionDep,
    purpose: Purpose = None,
    after: AfterId = 0,
    limit: int = Query(100, ge=1, le=1000),
    unacknowledged: bool = False,
    kind: str | None = None,
) -> list[NotificationOut]:
    """The caller's authority's notifications, oldest first after ``after``."""
    user = cleared(session, actor, Permission.CIS_QUERY, purpose or "prevention")
    rows = notifications.inbox(
        session, user, after=after, limit=limit, unacknowledged=unacknowledged, kind=kind
    )
    return [NotificationOut.model_validate(n, from_attributes=True) for n in rows]


@router.post("/notifications/{note_id}/ack", response_model=NotificationOut)
def ack(
    note_id: PathId, actor: CurrentActor, session: SessionDep, purpose: Purpose = None
) -> NotificationOut:
    user = cleared(session, actor, Permission.CIS_QUERY, purpose or "prevention")
    return NotificationOut.model_validate(
        notifications.acknowledge(session, user, note_id), from_attributes=True
    )


# ----------------------------------------------------------------------------- hits


class HitOut(BaseModel):
    id: int
    alert_reference: str
    category: str
    action: str
    converted_from: str | None = Field(description="CIS-12: the supplier's action, if converted.")
    filing_id: int
    filing_version_id: int
    consignment_id: int | None
    kind: str
    score: float
    role: str
    detail: str
    status: str
    created_at: UtcDatetime
    reviewed_by: str | None
    assessment_id: int | None


@router.get("/hits", response_model=list[HitOut])
def list_hits(
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    purpose: Purpose = None,
    status: str | None = Query("pending", pattern="^(pending|confirmed|rejected)$"),
    after: AfterId = 0,
    limit: int = Query(100, ge=1, le=1000),
) -> list[HitOut]:
    """Screening hits on the caller's authority's filings, for review."""
    user = cleared(session, actor, Permission.CIS_REVIEW, purpose, personal=True)
    rows = hits.hits_for(session, vault, user, status=status, after=after, limit=limit)
    return [HitOut.model_validate(h, from_attributes=True) for h in rows]


class ReviewIn(BaseModel):
    confirm: bool
    note: str = ""


@router.post("/hits/{hit_id}/review", response_model=HitOut)
def review(
    hit_id: PathId,
    body: ReviewIn,
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    purpose: Purpose = None,
) -> HitOut:
    """Confirm (the action joins the filing's assessment) or reject a hit."""
    user = cleared(session, actor, Permission.CIS_REVIEW, purpose, personal=True)
    view = hits.review_hit(session, vault, user, hit_id, confirm=body.confirm, note=body.note)
    return HitOut.model_validate(view, from_attributes=True)


class HitReportIn(BaseModel):
    items: dict[str, str] = Field(description=f"CIS-10 items among {list(hits.REPORT_ITEMS)}.")


@router.post("/hits/{hit_id}/reports", status_code=201)
def hit_report(
    hit_id: PathId,
    body: HitReportIn,
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    purpose: Purpose = None,
) -> dict[str, Any]:
    """Send the supplier what was found (CIS-10)."""
    user = cleared(session, actor, Permission.CIS_REVIEW, purpose, personal=True)
    r = hits.send_hit_report(session, vault, user, hit_id, items=body.items)
    return {"id": r.id, "to_authority_id": r.to_authority_id, "items": r.items}


@router.get("/hit-reports/{report_id}")
def read_hit_report(
    report_id: PathId,
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    purpose: Purpose = None,
) -> dict[str, Any]:
    user = cleared(session, actor, Permission.CIS_QUERY, purpose, personal=True)
    return hits.read_hit_report(session, vault, user, report_id)


@router.post("/screening/run")
def run_screening(
    actor: CurrentActor, session: SessionDep, vault: VaultDep, purpose: Purpose = None
) -> dict[str, int]:
    """Screen the filings received since the last run now (the CLI's ``tollgate cis
    screen``; a scheduler normally does this)."""
    cleared(session, actor, Permission.CIS_REVIEW, purpose)
    run = hits.screen_pending(session, vault)
    return {"versions": run.versions, "consignments": run.consignments, "hits": run.hits}


# ----------------------------------------------------------------------------- oversight


class QueryOut(BaseModel):
    id: int
    at: UtcDatetime
    actor: str
    authority: str | None
    kind: str
    purpose: str | None
    criteria: dict[str, Any]
    results: int
    sampled: bool


@router.get("/oversight/queries", response_model=list[QueryOut])
def review_queue(
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    after: AfterId = 0,
    limit: int = Query(100, ge=1, le=1000),
) -> list[QueryOut]:
    """The sampled queries awaiting the committee's lawfulness check (CIS-49)."""
    rows = querylog.review_queue(session, vault, actor, after=after, limit=limit)
    return [QueryOut.model_validate(q, from_attributes=True) for q in rows]


class CheckIn(BaseModel):
    lawful: bool
    note: str | None = None


@router.post("/oversight/queries/{query_id}/check", status_code=201)
def check(
    query_id: PathId, body: CheckIn, actor: CurrentActor, session: SessionDep
) -> dict[str, Any]:
    c = querylog.check_query(session, actor, query_id, lawful=body.lawful, note=body.note)
    return {"query_id": c.query_id, "lawful": c.lawful}


@router.get("/oversight/coverage")
def coverage(actor: CurrentActor, session: SessionDep) -> dict[str, Any]:
    """Queries recorded, sampled and checked: the 1% of CIS-49."""
    c = querylog.coverage(session, actor)
    return {
        "queries": c.queries,
        "sampled": c.sampled,
        "checked": c.checked,
        "sampled_share": round(c.sampled_share, 4),
    }
