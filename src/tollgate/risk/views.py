"""The risk engine over HTTP (issue 3 point 7): profiles and managed lists, assessment of
a filing document (dry run) or of stored filings, and the explanation of an assessment.

Who sees what. A profile applies to an authority's filings when it is the authority's own
or the Commission's (``service`` module docstring); an authority reads exactly those
profiles and lists, and only its own filings' assessments: an assessment of a filing
another authority shared with it stays the owner's (its reasons disclose the owner's
targeting). Anything outside that is answered 404, the same as a missing object, so ids
cannot be probed (the convention of ``declarations.service.get_filing``). Writes into
another authority's profiles or lists are refused with 403 before anything is looked
up, so they reveal nothing either.

The dry run (``POST /risk/assess``) is the real-time path: no transaction, no write, the
compiled engine from ``risk.engines`` (rebuilt only when profiles or lists changed), the
caller's authentication kept for a second (``engines.ActorCache``: a revoked token is
refused there within a second, elsewhere at once), and an answer serialised once with
orjson. It needs ``assess`` (analysts, officers): its
reasons disclose the targeting profiles, so it must never be offered to traders as a
pre-check; a trader-facing pre-check would answer with the data-quality findings only.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tollgate.api.deps import CurrentActor, Purpose, SessionDep, UtcDatetime, get_actor
from tollgate.audit.log import record
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor
from tollgate.authorities.tables import Authority
from tollgate.cis.visibility import visible_instructions, visible_reasons
from tollgate.declarations.models import AnyFiling, FilingAdapter
from tollgate.declarations.service import has_personal_data
from tollgate.declarations.tables import FilingRecord, FilingVersion
from tollgate.errors import NotFound, ValidationFailed
from tollgate.intake.records import Undecodable, decode_json, prepare
from tollgate.intake.views import FILING_BODY, MalformedBody
from tollgate.risk import engines, service
from tollgate.risk.engines import CachedEngine, RealTime, TraderFacts
from tollgate.risk.facts import trader_eori
from tollgate.risk.profiles import Status
from tollgate.risk.selection import RandomSelection
from tollgate.risk.tables import Assessment, ManagedListVersion, RiskProfileVersion

router = APIRouter(prefix="/risk", tags=["risk"])

#: a new list's name: what a profile's ``in_list`` can name, and fits a URL path
ListName = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
PROFILE_SET_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "description": "A profile set: {profiles: [...]} or a bare list of "
                    "profiles, as written in a profile file (see docs/risk-api.md)",
                    "oneOf": [{"type": "object"}, {"type": "array"}],
                }
            }
        },
    }
}
_PARTY_FIELDS = frozenset(
    f"{role}.{attribute}"
    for role in ("consignor", "consignee", "declarant", "trader")
    for attribute in ("name", "eori")
)
REDACTED = "[redacted: personal data]"


# --------------------------------------------------------------------- shared machinery

_state_lock = threading.Lock()


def _caches(request: Request) -> RealTime:
    """The process's caches (``risk.engines``), created on first use; they live in the
    application's state, so each app, and each test, has its own."""
    state = request.app.state
    caches: RealTime | None = getattr(state, "risk_realtime", None)
    if caches is None:
        with _state_lock:
            caches = getattr(state, "risk_realtime", None)
            if caches is None:
                caches = state.risk_realtime = RealTime.of(state.session_factory)
    return caches


async def _realtime_actor(
    request: Request,
    authorization: Annotated[str | None, Header(description="Bearer <token>")] = None,
) -> Actor:
    """``CurrentActor`` for the real-time path: the same authentication (``get_actor``),
    its successes kept for a second (``engines.ActorCache``), and no thread hop when
    the caller is cached."""
    cache = _caches(request).actors
    if authorization:
        actor = cache.get(authorization)
        if actor is not None:
            return actor
    actor = await run_in_threadpool(get_actor, request, authorization)
    if authorization:
        cache.put(authorization, actor)
    return actor


RealTimeActor = Annotated[Actor, Depends(_realtime_actor)]


def _own_authority(actor: Actor) -> int:
    if actor.authority_id is None:  # pragma: no cover - API callers always have one
        raise ValidationFailed("the caller belongs to no authority")
    return actor.authority_id


def _visible_owner(session: Session, actor: Actor, code: str) -> Authority:
    """An authority whose profiles and lists ``actor`` may read: its own or the
    Commission's. Any other is answered as if it did not exist."""
    if actor.authority_code is not None and code not in (
        actor.authority_code,
        service.EU_AUTHORITY,
    ):
        raise NotFound(f"no authority {code!r} among the profile owners you apply")
    found = session.scalar(select(Authority).where(Authority.code == code))
    if found is None:
        raise NotFound(f"no authority {code!r} among the profile owners you apply")
    return found


def _own_filing(session: Session, actor: Actor, filing_id: int) -> FilingRecord:
    """A filing of the caller's own authority (404 for any other: no probing)."""
    filing = session.get(FilingRecord, filing_id)
    if filing is None or (
        actor.authority_id is not None and filing.authority_id != actor.authority_id
    ):
        raise NotFound(f"no filing {filing_id}")
    return filing


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, frozenset | set):
        return sorted(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _json(content: Any, status_code: int = 200) -> Response:
    return Response(
        orjson.dumps(content, default=_json_default),
        status_code=status_code,
        media_type="application/json",
    )


def _decode(body: bytes) -> Any:
    value = decode_json(body)
    if isinstance(value, Undecodable):
        raise MalformedBody(f"request body is {value.message}")
    return value


# ----------------------------------------------------------------------------- profiles


class ProfileVersionOut(BaseModel):
    authority: str
    profile_id: str
    version: int
    owner: str
    status: str
    title: str
    risk_area: str
    risk_level: int
    control: str
    stage: str
    changed_by: str
    changed_at: UtcDatetime
    change: str


class ProfileVersionDetail(ProfileVersionOut):
    spec: dict[str, Any] = Field(description="The profile as written, re-importable.")


class ProfilePage(BaseModel):
    items: list[ProfileVersionOut]
    next_offset: int | None = Field(description="Pass as ``offset`` for the next page.")


class ProfileOut(BaseModel):
    authority: str
    profile_id: str
    current: ProfileVersionDetail
    versions: list[ProfileVersionDetail] = Field(description="Oldest first, every one kept.")


class ImportedOut(BaseModel):
    profile_id: str
    version: int


class ImportOut(BaseModel):
    authority: str
    created: list[ImportedOut]
    unchanged: list[str]


class StatusIn(BaseModel):
    status: Status


class ExportOut(BaseModel):
    authority: str
    exported_at: UtcDatetime
    status: dict[str, str] = Field(description="Each exported profile's current status.")
    profiles: list[dict[str, Any]] = Field(description="Importable as they are.")


def _version_out(code: str, row: RiskProfileVersion) -> ProfileVersionOut:
    spec = row.spec
    return ProfileVersionOut(
        authority=code,
        profile_id=row.profile_id,
        version=row.version,
        owner=row.owner,
        status=row.status,
        title=spec.get("title", ""),
        risk_area=spec.get("risk_area", ""),
        risk_level=spec.get("risk_level", 0),
        control=spec.get("control", ""),
        stage=spec.get("stage", ""),
        changed_by=row.changed_by,
        changed_at=row.changed_at,
        change=row.change,
    )


def _version_detail(code: str, row: RiskProfileVersion) -> ProfileVersionDetail:
    return ProfileVersionDetail(**_version_out(code, row).model_dump(), spec=row.spec)


@router.get("/profiles", response_model=ProfilePage)
def list_profiles(
    actor: CurrentActor,
    session: SessionDep,
    offset: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=1000),
) -> ProfilePage:
    """The newest version of every profile the caller's authority applies (its own and
    the Commission's), whatever its status, ordered by owner and id."""
    rows = service.profile_versions(session, actor, offset=offset, limit=limit)
    return ProfilePage(
        items=[_version_out(code, row) for code, row in rows],
        next_offset=offset + limit if len(rows) == limit else None,
    )


@router.post("/profiles", response_model=ImportOut, openapi_extra=PROFILE_SET_BODY)
async def import_profiles(
    request: Request,
    actor: CurrentActor,
    session: SessionDep,
    activate: bool = Query(False, description="Store changed profiles as active, not draft."),
) -> ImportOut:
    """Import a profile set into the caller's authority: each changed profile becomes a
    new version (draft, or active with ``activate``), an identical one is left alone. An
    invalid set changes nothing and is answered 422 with the path and reason of its first
    error."""
    actor.require(Permission.MANAGE_PROFILES)
    data = _decode(await request.body())
    result = await run_in_threadpool(
        lambda: service.import_profiles(session, actor=actor, data=data, activate=activate)
    )
    if result.created:
        _caches(request).engines.invalidate()
    return ImportOut(
        authority=actor.authority_code or "",
        created=[ImportedOut(profile_id=p, version=v) for p, v in result.created],
        unchanged=result.unchanged,
    )


@router.get("/profiles/export", response_model=ExportOut)
def export_profiles(
    actor: CurrentActor,
    session: SessionDep,
    authority: str | None = Query(None, description="Default: the caller's own."),
    status: Annotated[
        list[Status] | None,
        Query(description="Statuses to export; default all but expired (refused on import)."),
    ] = None,
) -> ExportOut:
    """An authority's profile set as a profile file: ``POST /risk/profiles`` takes it back
    (into another installation, or after review in version control)."""
    actor.require(Permission.READ_PROFILES)
    code = authority or actor.authority_code
    if code is None:
        raise ValidationFailed("name the authority whose profiles to export")
    owner = _visible_owner(session, actor, code)
    wanted = set(status) if status else {Status.DRAFT, Status.ACTIVE, Status.SUSPENDED}
    rows = session.scalars(
        select(RiskProfileVersion)
        .where(RiskProfileVersion.authority_id == owner.id)
        .order_by(RiskProfileVersion.profile_id, RiskProfileVersion.version)
    )
    newest: dict[str, RiskProfileVersion] = {}
    for row in rows:
        newest[row.profile_id] = row  # ordered by version: the last one wins
    chosen = [r for r in newest.values() if r.status in wanted]
    return ExportOut(
        authority=owner.code,
        exported_at=datetime.now(UTC),
        status={r.profile_id: r.status for r in chosen},
        profiles=[r.spec for r in chosen],
    )


@router.get("/profiles/{authority}/{profile_id}", response_model=ProfileOut)
def get_profile(
    authority: str, profile_id: str, actor: CurrentActor, session: SessionDep
) -> ProfileOut:
    """One profile with every version kept (content and status changes alike)."""
    actor.require(Permission.READ_PROFILES)
    owner = _visible_owner(session, actor, authority)
    rows = session.scalars(
        select(RiskProfileVersion)
        .where(
            RiskProfileVersion.authority_id == owner.id,
            RiskProfileVersion.profile_id == profile_id,
        )
        .order_by(RiskProfileVersion.version)
    ).all()
    if not rows:
        raise NotFound(f"no profile {profile_id!r} of {owner.code}")
    versions = [_version_detail(owner.code, r) for r in rows]
    return ProfileOut(
        authority=owner.code, profile_id=profile_id, current=versions[-1], versions=versions
    )


@router.post("/profiles/{authority}/{profile_id}/status", response_model=ProfileVersionDetail)
def change_status(
    authority: str,
    profile_id: str,
    body: StatusIn,
    request: Request,
    actor: CurrentActor,
    session: SessionDep,
) -> ProfileVersionDetail:
    """Activate, suspend or expire one of the caller's authority's profiles: a new,
    audited version. 409 for a change the life cycle does not allow (expiry is final)."""
    row = service.set_status(
        session, actor=actor, profile_id=profile_id, status=body.status, authority=authority
    )
    _caches(request).engines.invalidate()
    return _version_detail(authority, row)


# ------------------------------------------------------------------------ managed lists


class ListSummary(BaseModel):
    authority: str
    name: str
    kind: str
    version: int
    entries: int
    changed_by: str
    changed_at: UtcDatetime


class ListOut(ListSummary):
    values: list[str] | None = Field(
        description="The entries; null when redacted (names, without read_personal_data)."
    )
    redacted: bool


class ListIn(BaseModel):
    kind: str = Field(pattern="^(codes|names)$")
    entries: list[str] = Field(min_length=1, max_length=service.MAX_LIST_ENTRIES)


def _list_authorities(session: Session, actor: Actor) -> dict[int, str]:
    query = select(Authority.id, Authority.code)
    if actor.authority_code is not None:
        query = query.where(Authority.code.in_({actor.authority_code, service.EU_AUTHORITY}))
    return {aid: code for aid, code in session.execute(query)}


@router.get("/lists", response_model=list[ListSummary])
def list_lists(actor: CurrentActor, session: SessionDep) -> list[ListSummary]:
    """The newest version of every managed list the caller's profiles may read (its own
    authority's and the Commission's)."""
    actor.require(Permission.READ_PROFILES)
    owners = _list_authorities(session, actor)
    rows = session.execute(
        service.newest_lists(
            select(
                ManagedListVersion.authority_id,
                ManagedListVersion.name,
                ManagedListVersion.kind,
                ManagedListVersion.version,
                func.json_array_length(ManagedListVersion.entries),
                ManagedListVersion.changed_by,
                ManagedListVersion.changed_at,
            ),
            owners,
        )
    ).all()
    out = [
        ListSummary(
            authority=owners[aid],
            name=name,
            kind=kind,
            version=version,
            entries=count or 0,
            changed_by=by,
            changed_at=at,
        )
        for aid, name, kind, version, count, by, at in rows
    ]
    return sorted(out, key=lambda s: (s.authority, s.name))


def _list_out(code: str, row: ManagedListVersion, actor: Actor) -> ListOut:
    redacted = row.kind == "names" and not actor.can(Permission.READ_PERSONAL_DATA)
    return ListOut(
        authority=code,
        name=row.name,
        kind=row.kind,
        version=row.version,
        entries=len(row.entries),
        changed_by=row.changed_by,
        changed_at=row.changed_at,
        values=None if redacted else row.entries,
        redacted=redacted,
    )


@router.get("/lists/{authority}/{name}", response_model=ListOut)
def get_list(
    authority: str,
    name: str,
    actor: CurrentActor,
    session: SessionDep,
    version: int | None = Query(None, ge=1, description="Default: the newest version."),
) -> ListOut:
    """One managed list with its entries. Name lists (watched parties) may name natural
    persons: their entries are shown only to callers who may read personal data."""
    actor.require(Permission.READ_PROFILES)
    owner = _visible_owner(session, actor, authority)
    query = select(ManagedListVersion).where(
        ManagedListVersion.authority_id == owner.id, ManagedListVersion.name == name
    )
    if version is None:
        query = query.order_by(ManagedListVersion.version.desc()).limit(1)
    else:
        query = query.where(ManagedListVersion.version == version)
    row = session.scalar(query)
    if row is None:
        which = f" version {version}" if version else ""
        raise NotFound(f"no managed list {name!r}{which} of {owner.code}")
    return _list_out(owner.code, row, actor)


@router.put("/lists/{authority}/{name}", response_model=ListOut)
def replace_list(
    authority: str,
    name: ListName,
    body: ListIn,
    request: Request,
    actor: CurrentActor,
    session: SessionDep,
) -> ListOut:
    """Replace a managed list of the caller's authority: a new, audited version (earlier
    versions stay, so past assessments remain explainable). Codes are kept as sent,
    names normalised as every name operator compares them."""
    row = service.save_list(
        session,
        actor=actor,
        name=name,
        kind=body.kind,
        entries=body.entries,
        authority=authority,
    )
    _caches(request).engines.invalidate()
    return _list_out(authority, row, actor)


# ---------------------------------------------------------------------------- assessment


class AssessmentOut(BaseModel):
    """A dry-run assessment: what the caller's authority would decide now."""

    authority: str
    decision: str
    score: int
    stage: str | None
    reasons: list[dict[str, Any]] = Field(
        description="One per profile that hit, strongest first: profile_id, version, title, "
        "risk_area, financial_risk, risk_level, control (after AEO facilitation), "
        "aeo_facilitated, row (the goods item's index) and matched (the facts it read)."
    )
    instructions: str
    profiles: int = Field(description="Active profiles the filing was assessed against.")
    stored: bool = False


def _parse_filing(body: bytes) -> AnyFiling:
    """The filing as the intake would read it; its errors exactly as the intake reports
    them (400 for bytes that are not JSON, 422 with field paths for a bad filing)."""
    try:
        return FilingAdapter.validate_json(body)
    except ValidationError:
        pass
    raw = _decode(body)
    errors = prepare(raw, 1, datetime.now(UTC))
    if not isinstance(errors, list):  # pragma: no cover - valid as dict but not as bytes
        return FilingAdapter.validate_python(raw)
    raise ValidationFailed(
        f"filing rejected: {len(errors)} error(s)", details=[e.to_dict() for e in errors]
    )


async def _engine_for(request: Request, authority_id: int) -> CachedEngine:
    cache = _caches(request).engines
    fresh = cache.fresh(authority_id)
    if fresh is not None:
        return fresh
    return await run_in_threadpool(cache.get, authority_id)


async def _trader(request: Request, entry: CachedEngine, filing: AnyFiling) -> TraderFacts:
    traders = _caches(request).traders
    eori, on = trader_eori(filing), filing.lodged_at.date()
    facts = traders.cached(entry.authority_id, eori, on)
    if facts is None:
        facts = await run_in_threadpool(traders.lookup, entry.authority_id, eori, on)
    return facts


@router.post(
    "/assess",
    response_model=AssessmentOut,
    openapi_extra=FILING_BODY,
    responses={422: {"description": "The filing is invalid (the intake's errors)."}},
)
async def assess_document(request: Request, actor: RealTimeActor) -> Response:
    """Assess a filing document (the JSON ``POST /filings`` takes) against the caller's
    authority's active profiles without storing anything: the decision, the risk score,
    each profile that hit with the facts it read, and the instructions. No random
    selection (RM-12) is drawn: a dry run must not reveal it."""
    actor.require(Permission.ASSESS)
    authority_id = _own_authority(actor)
    body = await request.body()
    filing = _parse_filing(body)
    entry = await _engine_for(request, authority_id)
    trader = await _trader(request, entry, filing)
    context = engines.dry_run_context(entry, filing, trader, datetime.now(UTC))
    return _json(engines.assess_document(entry, filing, context))


class HitOut(BaseModel):
    profile_id: str
    version: int
    title: str
    control: str


class AssessmentHead(BaseModel):
    """What every view of a stored assessment starts with."""

    id: int
    filing_id: int
    filing_version: int
    consignment_id: int | None = Field(
        description="Set when the consignment was assessed as a whole on this filing's change."
    )
    trigger: str
    decision: str
    score: int
    random: bool
    stage: str | None
    place: str | None
    assessed_at: UtcDatetime


class StoredAssessmentOut(AssessmentHead):
    hits: list[HitOut] = Field(description="The profiles that hit.")
    findings: list[dict[str, Any]] = Field(
        description="Other reasons, as stored: credibility findings (RM-9, ``kind``: "
        "``credibility``), with their rule, outcome and the value judged."
    )


def _is_hit(reason: dict[str, Any]) -> bool:
    """A profile hit, as opposed to another kind of reason (a credibility finding)."""
    return "profile_id" in reason and "kind" not in reason


class AssessmentPage(BaseModel):
    items: list[StoredAssessmentOut]
    next_after: int | None


class PendingOut(BaseModel):
    assessed: int
    decisions: dict[str, int]
    more: bool = Field(description="Whether pending filings remain: call again.")


def _stored_out(
    a: Assessment, filing_id: int, version: int, *, cis: bool = False
) -> StoredAssessmentOut:
    """``cis``: whether the reader reviews CIS hits; others never see a CIS reason."""
    return StoredAssessmentOut(
        id=a.id,
        filing_id=filing_id,
        filing_version=version,
        trigger=a.trigger,
        decision=a.decision,
        score=a.score,
        random=a.random,
        stage=a.stage,
        place=a.place,
        consignment_id=a.consignment_id,
        assessed_at=a.assessed_at,
        hits=[
            HitOut(
                profile_id=r["profile_id"],
                version=r.get("version", 0),
                title=r.get("title", ""),
                control=r.get("control", ""),
            )
            for r in a.reasons
            if _is_hit(r)
        ],
        findings=[r for r in visible_reasons(a.reasons, cis=cis) if not _is_hit(r)],
    )


RandomRate = Annotated[
    float, Query(ge=0, le=1, description="Share selected at random (RM-12), as the CLI.")
]


def _randomness(rate: float, seed: str) -> RandomSelection:
    return RandomSelection(rates={"default": rate}, seed=seed)


@router.post("/filings/{filing_id}/assess", response_model=StoredAssessmentOut)
def reassess_filing(
    filing_id: int,
    request: Request,
    actor: CurrentActor,
    session: SessionDep,
    random_rate: RandomRate = 0.01,
    seed: str = Query("tollgate", max_length=100),
) -> StoredAssessmentOut:
    """Assess the current version of one of the caller's authority's stored filings now
    and store the result (trigger ``api``); earlier assessments stay."""
    actor.require(Permission.ASSESS)
    filing = _own_filing(session, actor, filing_id)
    version = session.scalar(
        select(FilingVersion).where(
            FilingVersion.filing_id == filing.id, FilingVersion.version == filing.current_version
        )
    )
    if version is None:  # pragma: no cover - a filing always has its current version
        raise NotFound(f"filing {filing_id} has no version {filing.current_version}")
    entry = _caches(request).engines.get(filing.authority_id)
    (assessment,) = service.assess_versions(
        session,
        [version.id],
        trigger="api",
        randomness=_randomness(random_rate, seed),
        engines={filing.authority_id: entry.engine},
    )
    record(
        session,
        actor=actor,
        action="assess",
        object_type="filing_version",
        object_id=f"{filing.id}/{version.version}",
        detail={"decision": assessment.decision, "trigger": "api"},
    )
    return _stored_out(assessment, filing.id, version.version, cis=actor.can(Permission.CIS_REVIEW))


@router.post("/assess/pending", response_model=PendingOut)
def assess_pending(
    request: Request,
    actor: CurrentActor,
    session: SessionDep,
    limit: int = Query(500, ge=1, le=5000, description="At most this many in this call."),
    random_rate: RandomRate = 0.01,
    seed: str = Query("tollgate", max_length=100),
) -> PendingOut:
    """Assess up to ``limit`` of the caller's authority's filings whose current version
    has no assessment yet, in one transaction; call again while ``more`` is true.
    On PostgreSQL concurrent callers skip the versions another call is assessing."""
    actor.require(Permission.ASSESS)
    authority_id = _own_authority(actor)
    ids = list(
        session.scalars(
            service.unassessed_versions()
            .where(FilingRecord.authority_id == authority_id)
            .limit(limit + 1)
            .with_for_update(of=FilingVersion, skip_locked=True)
        )
    )
    more = len(ids) > limit
    ids = ids[:limit]
    decisions: dict[str, int] = {}
    if ids:
        entry = _caches(request).engines.get(authority_id)
        for a in service.assess_versions(
            session,
            ids,
            trigger="pending",
            randomness=_randomness(random_rate, seed),
            engines={authority_id: entry.engine},
        ):
            decisions[a.decision] = decisions.get(a.decision, 0) + 1
        record(
            session,
            actor=actor,
            action="assess",
            object_type="filing_version",
            object_id=f"{ids[0]}..{ids[-1]}",
            detail={"versions": len(ids), "trigger": "pending"},
        )
    return PendingOut(assessed=len(ids), decisions=decisions, more=more)


@router.get("/filings/{filing_id}/assessments", response_model=AssessmentPage)
def filing_assessments(
    filing_id: int,
    actor: CurrentActor,
    session: SessionDep,
    after: int = Query(0, ge=0, description="Return assessments with id greater than this."),
    limit: int = Query(100, ge=1, le=1000),
) -> AssessmentPage:
    """Every assessment of every version of one of the caller's authority's filings,
    oldest first (re-assessments add, never replace)."""
    actor.require(Permission.READ_FILINGS)
    actor.require(Permission.READ_PROFILES)
    filing = _own_filing(session, actor, filing_id)
    rows = session.execute(
        select(Assessment, FilingVersion.version)
        .join(FilingVersion, FilingVersion.id == Assessment.filing_version_id)
        .where(FilingVersion.filing_id == filing.id, Assessment.id > after)
        .order_by(Assessment.id)
        .limit(limit + 1)
    ).all()
    cis = actor.can(Permission.CIS_REVIEW)
    items = [_stored_out(a, filing.id, v, cis=cis) for a, v in rows[:limit]]
    return AssessmentPage(items=items, next_after=items[-1].id if len(rows) > limit else None)


# --------------------------------------------------------------------------- explanation


class ReasonOut(BaseModel):
    profile_id: str
    version: int
    authority: str = Field(description="The profile's owner.")
    title: str
    rationale: str
    risk_area: str
    financial_risk: str | None
    risk_level: int
    suggested_control: str
    control: str = Field(description="The control applied, after AEO facilitation.")
    aeo_facilitated: bool
    stage: str
    condition: dict[str, Any] = Field(description="The version's ``when``, as written.")
    row: int = Field(description="Index of the goods item whose facts matched.")
    matched: dict[str, Any] = Field(description="The facts the condition read there.")
    filing: dict[str, Any] | None = Field(
        description="For a consignment assessed as a whole: the filing the hit was found in."
    )
    status_now: str | None = Field(description="The profile's status today.")
    version_now: int | None


class ExplanationOut(AssessmentHead):
    authority: str
    instructions: str
    reasons: list[ReasonOut] = Field(description="The profiles that hit, explained.")
    findings: list[dict[str, Any]] = Field(
        description="Other reasons, as stored (credibility findings, RM-9)."
    )
    redacted: bool = Field(
        description="Party names and EORIs of a filing with natural persons were withheld "
        "(without read_personal_data, or without an X-Purpose header)."
    )


Stored = tuple[str, RiskProfileVersion]  # (owner's code, version)


def _versions_hit(session: Session, assessment: Assessment) -> dict[str, list[Stored]]:
    """Every stored version of the profiles the reasons name, by profile id, from the
    assessing authority and the Commission (a reason does not record the owner, and both
    may use the same id)."""
    ids = {r["profile_id"] for r in assessment.reasons if _is_hit(r)}
    if not ids:
        return {}
    owners = {assessment.authority_id}
    eu = session.scalar(select(Authority.id).where(Authority.code == service.EU_AUTHORITY))
    if eu is not None:
        owners.add(eu)
    found: dict[str, list[Stored]] = {}
    for code, row in session.execute(
        select(Authority.code, RiskProfileVersion)
        .join(Authority, Authority.id == RiskProfileVersion.authority_id)
        .where(
            RiskProfileVersion.authority_id.in_(owners),
            RiskProfileVersion.profile_id.in_(ids),
        )
    ).all():
        found.setdefault(row.profile_id, []).append((code, row))
    return found


def _pick(versions: list[Stored], reason: dict[str, Any], own: int) -> Stored | None:
    """The stored version a reason names: of its version number, the one whose title and
    risk area match the reason, the assessing authority's own first."""
    candidates = [c for c in versions if c[1].version == reason.get("version")]
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda c: (
            c[1].spec.get("title") != reason.get("title")
            or c[1].spec.get("risk_area") != reason.get("risk_area"),
            c[1].authority_id != own,
        ),
    )


def _holds_personal_data(session: Session, version: FilingVersion, assessment: Assessment) -> bool:
    """Whether the facts an assessment matched may come from a natural person's data: the
    version assessed, and for a consignment assessed as a whole the current versions of
    the other filings its hits were found in."""
    if has_personal_data(version.document):
        return True
    sources = {
        int(r["filing"]["filing_id"])
        for r in assessment.reasons
        if isinstance(r.get("filing"), dict) and "filing_id" in r["filing"]
    } - {version.filing_id}
    if not sources:
        return False
    documents = session.scalars(
        select(FilingVersion.document)
        .join(FilingRecord, FilingRecord.id == FilingVersion.filing_id)
        .where(
            FilingRecord.id.in_(sources),
            FilingVersion.version == FilingRecord.current_version,
        )
    )
    return any(has_personal_data(d) for d in documents)


@router.get("/assessments/{assessment_id}/explain", response_model=ExplanationOut)
def explain(
    assessment_id: int,
    actor: CurrentActor,
    session: SessionDep,
    purpose: Purpose = None,
) -> ExplanationOut:
    """Why an assessment decided what it did: each profile that hit, with the exact
    version's title, rationale and condition and the facts it matched.

    Matched party names and EORIs of a filing holding personal data are shown to callers
    who may read personal data and state ``X-Purpose`` (the read is audited); otherwise
    they are withheld and ``redacted`` is true."""
    actor.require(Permission.READ_FILINGS)
    actor.require(Permission.READ_PROFILES)
    cis = actor.can(Permission.CIS_REVIEW)
    row = session.execute(
        select(Assessment, FilingVersion, FilingRecord, Authority.code)
        .join(FilingVersion, FilingVersion.id == Assessment.filing_version_id)
        .join(FilingRecord, FilingRecord.id == FilingVersion.filing_id)
        .join(Authority, Authority.id == Assessment.authority_id)
        .where(Assessment.id == assessment_id)
    ).first()
    if row is None or (
        actor.authority_id is not None and row[2].authority_id != actor.authority_id
    ):
        raise NotFound(f"no assessment {assessment_id}")
    assessment, version, filing, code = row
    redacted = False
    if _holds_personal_data(session, version, assessment):
        if actor.can(Permission.READ_PERSONAL_DATA) and purpose and purpose.strip():
            record(
                session,
                actor=actor,
                action="read_personal_data",
                object_type="assessment",
                object_id=str(assessment.id),
                purpose=purpose.strip()[:500],
                detail={"filing": filing.id, "version": version.version},
            )
        else:
            redacted = True
    stored = _versions_hit(session, assessment)
    reasons = []
    for reason in filter(_is_hit, assessment.reasons):
        versions = stored.get(reason["profile_id"], [])
        picked = _pick(versions, reason, assessment.authority_id)
        spec = picked[1].spec if picked else {}
        owner = picked[0] if picked else ""
        newest = max((r for c, r in versions if c == owner), key=lambda r: r.version, default=None)
        matched = dict(reason.get("matched") or {})
        if redacted:
            matched = {k: REDACTED if k in _PARTY_FIELDS else v for k, v in matched.items()}
        reasons.append(
            ReasonOut(
                profile_id=reason["profile_id"],
                version=reason.get("version", 0),
                authority=owner,
                title=spec.get("title", reason.get("title", "")),
                rationale=spec.get("rationale", ""),
                risk_area=spec.get("risk_area", reason.get("risk_area", "")),
                financial_risk=spec.get("financial_risk"),
                risk_level=spec.get("risk_level", reason.get("risk_level", 0)),
                suggested_control=spec.get("control", ""),
                control=reason.get("control", ""),
                aeo_facilitated=bool(reason.get("aeo_facilitated")),
                stage=spec.get("stage", ""),
                condition=spec.get("when", {}),
                row=reason.get("row", 0),
                matched=matched,
                filing=reason.get("filing"),
                status_now=newest.status if newest else None,
                version_now=newest.version if newest else None,
            )
        )
    return ExplanationOut(
        id=assessment.id,
        filing_id=filing.id,
        filing_version=version.version,
        consignment_id=assessment.consignment_id,
        authority=code,
        trigger=assessment.trigger,
        decision=assessment.decision,
        score=assessment.score,
        random=assessment.random,
        stage=assessment.stage,
        place=assessment.place,
        assessed_at=assessment.assessed_at,
        instructions=visible_instructions(assessment.instructions, cis=cis),
        reasons=reasons,
        findings=[r for r in visible_reasons(assessment.reasons, cis=cis) if not _is_hit(r)],
        redacted=redacted,
    )
