"""The FIDE API (CIS-26..CIS-37): investigation services enter, manage and query records.

Every route is authenticated; the record routes also want the purpose (``X-Purpose``:
investigation or prosecution, CIS-33). A query's answer carries no record identifier:
identifiers are shown only to the supplier, on its own records.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response
from pydantic import BaseModel

from tollgate.api.deps import CurrentActor, Purpose, SessionDep, UtcDatetime, VaultDep
from tollgate.cis.protection_views import MAX_ID, Id
from tollgate.fide import contraventions, service
from tollgate.fide.tables import FideContravention

router = APIRouter(prefix="/fide", tags=["fide"])


class RecordOut(BaseModel):
    """A record as its supplier sees it."""

    id: int
    authority: str
    subject_type: str
    subject: dict[str, Any]
    reason: str
    field: str
    contravention: str
    handling_authority: str
    authority_nationality: str
    contact: str
    file_number: str
    entered_on: date
    last_investigative_act: date
    expires_on: date
    updated_at: UtcDatetime


class Withheld(BaseModel):
    """The answer to a withheld entry (CIS-32): checked, and not entered."""

    entered: bool = False
    withheld: bool = True


class RecordPage(BaseModel):
    total: int
    offset: int
    items: list[RecordOut]


class MatchOut(BaseModel):
    """Which authority to ask, through mutual assistance, about a matching file (CIS-28)."""

    authority: str
    handling_authority: str
    authority_nationality: str
    contact: str
    file_number: str
    reason: str
    field: str


class QueryOut(BaseModel):
    count: int
    matches: list[MatchOut]


class ContraventionOut(BaseModel):
    code: str
    description: str
    max_imprisonment_months: int | None
    max_fine_eur: int | None


def _record(view: service.RecordView) -> RecordOut:
    return RecordOut.model_validate(view, from_attributes=True)


def _contravention(row: FideContravention) -> ContraventionOut:
    return ContraventionOut.model_validate(row, from_attributes=True)


_ENTRY_EXAMPLE = {
    "subject_type": "person",
    "subject": {"surname": "Jansen", "forenames": "Pieter", "date_of_birth": "1970-05-01"},
    "reason": "suspected",
    "field": "cigarette smuggling",
    "contravention": "AWR-10",
    "contact": "fiod-fide@example.nl",
    "file_number": "F-2026-0001",
    "last_investigative_act": "2026-11-02",
}


@router.post(
    "/records",
    response_model=RecordOut | Withheld,
    status_code=201,
    responses={200: {"description": "withheld (CIS-32): checked, not entered"}},
)
def enter(
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    response: Response,
    body: Annotated[dict[str, Any], Body(examples=[_ENTRY_EXAMPLE])],
    purpose: Purpose = None,
) -> RecordOut | Withheld:
    """Enter one person or business investigated (CIS-29..CIS-31). With ``"withheld":
    true`` the entry is checked and not entered (CIS-32)."""
    user = service.clear(session, actor, purpose, entering=True)
    view = service.enter(session, vault, user, body)
    if view is None:
        response.status_code = 200
        return Withheld()
    return _record(view)


@router.get("/records", response_model=RecordPage)
def own_records(
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    # bounded like the ids: past MAX_ID nothing is there, and a larger number overflows
    # the database's integer (a 500 instead of an empty page)
    offset: int = Query(0, ge=0, le=MAX_ID),
    limit: int = Query(100, ge=1, le=500),
    purpose: Purpose = None,
) -> RecordPage:
    """The caller's authority's own records, newest first (for its own management)."""
    user = service.clear(session, actor, purpose)
    page = service.own_records(session, vault, user, offset=offset, limit=limit)
    return RecordPage(total=page.total, offset=offset, items=[_record(v) for v in page.items])


@router.get("/records/{record_id}", response_model=RecordOut)
def own_record(
    record_id: Id,
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    purpose: Purpose = None,
) -> RecordOut:
    """One of the caller's authority's own records."""
    user = service.clear(session, actor, purpose)
    return _record(service.own_record(session, vault, user, record_id))


@router.patch("/records/{record_id}", response_model=RecordOut)
def amend(
    record_id: Id,
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    body: Annotated[
        dict[str, Any],
        Body(
            examples=[
                {"reason": "contravention_established"},
                {"last_investigative_act": "2026-11-20"},
            ]
        ),
    ],
    purpose: Purpose = None,
) -> RecordOut:
    """Amend an own record: reason, last investigative act, subject fields, contact...
    (CIS-17). Retention is recomputed from the date of entry (CIS-35)."""
    user = service.clear(session, actor, purpose, entering=True)
    return _record(service.amend(session, vault, user, record_id, body))


@router.delete("/records/{record_id}", status_code=204)
def delete(
    record_id: Id,
    actor: CurrentActor,
    session: SessionDep,
    why: str = Query(..., max_length=20, description="eliminated | inaccurate | unlawful | closed"),
    purpose: Purpose = None,
) -> Response:
    """Delete an own record at once; ``why=eliminated`` when the subject was eliminated
    from the inquiry (CIS-36)."""
    user = service.clear(session, actor, purpose, personal=False)
    service.delete_record(session, user, record_id, why=why)
    return Response(status_code=204)


@router.post("/queries", response_model=QueryOut)
def query(
    actor: CurrentActor,
    session: SessionDep,
    vault: VaultDep,
    body: Annotated[
        dict[str, Any],
        Body(
            examples=[{"surname": "Jansen", "date_of_birth": "1970-05-01"}, {"vat_number": "NL123"}]
        ),
    ],
    purpose: Purpose = None,
) -> QueryOut:
    """Which authorities investigate the person or business the keys name (CIS-34);
    the details are asked of them through mutual assistance (CIS-28). Recorded (CIS-47)."""
    user = service.clear(session, actor, purpose)
    matches = service.query(session, vault, user, body)
    return QueryOut(
        count=len(matches),
        matches=[MatchOut.model_validate(m, from_attributes=True) for m in matches],
    )


@router.get("/contraventions", response_model=list[ContraventionOut])
def published(
    actor: CurrentActor,
    session: SessionDep,
    authority: str | None = Query(None, max_length=32),
) -> list[ContraventionOut]:
    """An authority's published list of serious contraventions (CIS-27); one's own by
    default."""
    rows = contraventions.published(session, actor=actor, authority_code=authority)
    return [_contravention(r) for r in rows]


@router.put("/contraventions", response_model=list[ContraventionOut])
def publish(
    actor: CurrentActor,
    session: SessionDep,
    body: Annotated[
        list[dict[str, Any]],
        Body(
            examples=[
                [{"code": "AWR-10", "description": "smuggling", "max_imprisonment_months": 48}]
            ]
        ),
    ],
    authority: str | None = Query(None, max_length=32),
) -> list[ContraventionOut]:
    """Publish (replace) one's authority's list (CIS-27): each item punishable by at least
    12 months' deprivation of liberty or a fine of at least EUR 15,000."""
    rows = contraventions.publish(session, actor=actor, authority_code=authority, items=body)
    return [_contravention(r) for r in rows]
