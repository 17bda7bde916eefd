"""Screening declarations against active alerts, and what a hit becomes (CIS-10..CIS-12).

Every new filing version, and every consignment change, is screened: its parties by
name and identifiers, its transport's registration and containers, its goods' codes. A
match is a *hit awaiting review*, never an automatic action: fuzzy name matching makes
mistakes, and a wrong hit on discreet surveillance costs more than a slow one.

A confirmed hit adds the alert's suggested action to the filing's assessment, as a new
assessment. Specific checks become a physical control; the other actions leave the
decision as it was, so that nothing the trader can observe (the release, the control
type, the timing of the outcome) changes — discreet surveillance stays discreet (CIS-11).
Specific checks the checking authority's law does not allow are converted to sighting
and reporting before anyone sees the hit (CIS-12).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import Session

from tollgate.audit.log import record
from tollgate.authorities.roles import Permission
from tollgate.cis.access import CisUser
from tollgate.cis.alerts import content_of, person_names
from tollgate.cis.categories import Action, Category
from tollgate.cis.crypto import Vault
from tollgate.cis.notifications import notify
from tollgate.cis.screening import AlertIndex, Match, Subject
from tollgate.cis.tables import CisAlert, CisDesignation, CisHit, CisHitReport
from tollgate.consignments.service import acknowledge, pending_events
from tollgate.consignments.tables import ConsignmentMember, EventCursor
from tollgate.declarations.models import Filing, FilingAdapter, Party
from tollgate.declarations.tables import FilingRecord, FilingVersion
from tollgate.errors import Conflict, NotAuthorised, NotFound, ValidationFailed
from tollgate.risk.profiles import CONTROL_ORDER, Control
from tollgate.risk.service import assess_versions
from tollgate.risk.tables import Assessment

VERSIONS_CONSUMER = "cis-screening"
CONSIGNMENTS_CONSUMER = "cis-screening-consignments"

#: the categories whose alerts watch for something a declaration can carry
SCREENED = frozenset(
    {Category.PERSONS, Category.BUSINESSES, Category.MEANS_OF_TRANSPORT, Category.COMMODITIES}
)

#: CIS-10: what a checking authority may report to the supplier after a hit
REPORT_ITEMS = (
    "found",
    "place_time_reason",
    "route_and_destination",
    "accompanying_persons",
    "means_of_transport",
    "objects_carried",
    "circumstances",
)


def _now() -> datetime:
    return datetime.now(UTC)


# ----------------------------------------------------------------------------- subjects


def alert_subject(alert: CisAlert, vault: Vault) -> Subject | None:
    """What a declaration would have to present to hit this alert; None for categories
    that are not screened (fraud trends, expertise, retained items)."""
    if Category(alert.category) not in SCREENED:
        return None
    content = content_of(vault, alert)
    subject, person = content.subject, content.person or {}
    names: list[str] = []
    identifiers: list[tuple[str, str]] = []
    registrations = list(subject.get("registrations", []))
    is_person: bool | None = None
    if alert.category == Category.PERSONS:
        names = person_names(person)
        is_person = True
    elif alert.category == Category.BUSINESSES:
        names = [subject[f] for f in ("business_name", "trade_name") if subject.get(f)]
        is_person = False
        for field, kind in (("eori", "eori"), ("vat_number", "vat"), ("excise_number", "excise")):
            if subject.get(field):
                identifiers.append((kind, subject[field]))
    if person.get("identity_document_number"):
        identifiers.append(
            (person.get("identity_document_kind", "passport"), person["identity_document_number"])
        )
    if person.get("registration_number"):
        registrations.append(person["registration_number"])
    return Subject(
        names=tuple(names),
        is_person=is_person,
        date_of_birth=person.get("date_of_birth") if alert.category == Category.PERSONS else None,
        identifiers=tuple(identifiers),
        registrations=tuple(registrations),
        containers=tuple(subject.get("containers", [])),
        commodities=tuple(subject.get("commodity_codes", [])),
    )


def filing_subjects(model: Filing) -> list[tuple[str, Subject]]:
    """What a filing presents: each party, and its transport and goods."""
    out: list[tuple[str, Subject]] = []
    for role in (
        "consignor",
        "consignee",
        "notify_party",
        "carrier",
        "buyer",
        "seller",
        "declarant",
        "representative",
        "importer",
        "exporter",
    ):
        party: Party | None = getattr(model, role, None)
        if party is not None:
            ids = [
                (kind, value)
                for kind, value in (
                    ("eori", party.eori),
                    ("vat", party.vat_number),
                    ("excise", party.excise_number),
                )
                if value
            ]
            out.append(
                (
                    role,
                    # the model's flag defaults to False: only True states anything
                    Subject(
                        names=(party.name,),
                        is_person=True if party.is_person else None,
                        identifiers=tuple(ids),
                    ),
                )
            )
    transport = getattr(model, "transport", None)
    registrations = (
        (transport.means_identity,) if transport is not None and transport.means_identity else ()
    )
    containers: set[str] = set(transport.containers) if transport is not None else set()
    codes: set[str] = set()
    for item in getattr(model, "goods_items", []):
        containers.update(item.containers)
        if item.commodity_code:
            codes.add(item.commodity_code)
    if getattr(model, "kind", None) == "csm":
        containers.add(model.container_number)  # type: ignore[union-attr]
    if registrations or containers or codes:
        out.append(
            (
                "transport and goods",
                Subject(
                    registrations=registrations,
                    containers=tuple(sorted(containers)),
                    commodities=tuple(sorted(codes)),
                ),
            )
        )
    return out


# ----------------------------------------------------------------------------- the index


@dataclass(slots=True)
class _Indexed:
    #: the newest change and the newest id of any alert when the index was last brought
    #: up to date
    marker: tuple[Any, ...]
    index: AlertIndex
    alerts: dict[int, tuple[int, str, str, bool]]  # id -> supplier, action, category, personal


_CACHE: dict[str, _Indexed] = {}
LOOK_BACK = timedelta(minutes=5)
_LOCK = threading.Lock()


def active_index(session: Session, vault: Vault) -> _Indexed:
    """The active alerts as a screening index, per database, kept up to date
    incrementally: every change of an alert (entry, amendment, move, deletion) sets its
    ``updated_at``, so only alerts changed since the last look are read and re-indexed."""
    marker = tuple(
        session.execute(select(func.max(CisAlert.updated_at), func.max(CisAlert.id))).one()
    )
    key = str(session.get_bind().engine.url)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None and cached.marker == marker:
            return cached
        if cached is None or cached.marker[0] is None:
            cached = _CACHE[key] = _Indexed((None, None), AlertIndex(), {})
            query = select(CisAlert).where(CisAlert.status == "active")
        else:
            since, last_id = cached.marker
            # a look back: a transaction that committed after a later one is still read
            # when anything next changes (re-indexing an alert is idempotent)
            query = select(CisAlert).where(
                (CisAlert.updated_at >= since - LOOK_BACK) | (CisAlert.id > last_id)
            )
        _apply_changes(session, vault, cached, query)
        cached.marker = marker
        return cached


def _apply_changes(
    session: Session, vault: Vault, indexed: _Indexed, query: Select[CisAlert]
) -> None:
    last = 0
    while True:
        page = list(
            session.scalars(query.where(CisAlert.id > last).order_by(CisAlert.id).limit(2_000))
        )
        if not page:
            return
        for alert in page:
            subject = alert_subject(alert, vault) if alert.status == "active" else None
            if subject is None:
                indexed.index.remove(alert.id)
                indexed.alerts.pop(alert.id, None)
                continue
            indexed.index.add(alert.id, subject)  # replaces an earlier version
            indexed.alerts[alert.id] = (
                alert.supplier_id,
                alert.action,
                alert.category,
                alert.sealed is not None,
            )
        last = page[-1].id


# ----------------------------------------------------------------------------- screening


def screen_versions(session: Session, vault: Vault, version_ids: Sequence[int]) -> list[CisHit]:
    """Screen these filing versions; store one pending hit per (alert, version) found."""
    if not version_ids:
        return []
    indexed = active_index(session, vault)
    if not indexed.alerts:
        return []
    rows = session.execute(
        select(FilingVersion, FilingRecord)
        .join(FilingRecord, FilingRecord.id == FilingVersion.filing_id)
        .where(FilingVersion.id.in_(list(version_ids)))
    ).all()
    designations = {d.authority_id: d for d in session.scalars(select(CisDesignation))}
    consignment_of = dict(
        session.execute(
            select(ConsignmentMember.filing_id, ConsignmentMember.consignment_id).where(
                ConsignmentMember.filing_id.in_({f.id for _, f in rows})
            )
        ).all()
    )
    existing = {
        (hit.alert_id, hit.filing_version_id): hit
        for hit in session.scalars(
            select(CisHit).where(CisHit.filing_version_id.in_(list(version_ids)))
        )
    }
    out: list[CisHit] = []
    now = _now()
    for version, filing in rows:
        designation = designations.get(filing.authority_id)
        if designation is None:
            continue  # CIS-13: an authority without a designation has no CIS
        model = FilingAdapter.validate_python(version.document)
        parts = filing_subjects(model)
        found: dict[int, tuple[Match, str]] = {}
        for (role, _), matches in zip(
            parts, indexed.index.screen_many([s for _, s in parts]), strict=True
        ):
            for match in matches:
                best = found.get(match.alert_id)
                if best is None or match.score > best[0].score:
                    found[match.alert_id] = (match, role)
        for alert_id, (match, role) in found.items():
            _supplier, action, category, personal = indexed.alerts[alert_id]
            if category not in designation.categories:
                continue  # CIS-46: data of its competence only
            if personal and not designation.data_protection_in_force:
                continue  # CIS-38: receives no personal data
            consignment_id = consignment_of.get(filing.id)
            prior = existing.get((alert_id, version.id))
            if prior is not None:
                if prior.consignment_id != consignment_id:
                    prior.consignment_id = consignment_id
                continue
            effective, converted = convert(action, designation)
            hit = CisHit(
                alert_id=alert_id,
                filing_version_id=version.id,
                consignment_id=consignment_id,
                authority_id=filing.authority_id,
                kind=match.kind,
                score=round(match.score, 4),
                sealed_detail=vault.seal({"role": role, "detail": match.detail}),
                status="pending",
                action=effective,
                converted_from=converted,
                created_at=now,
            )
            session.add(hit)
            existing[(alert_id, version.id)] = hit
            out.append(hit)
    session.flush()
    return out


def convert(action: str, designation: CisDesignation) -> tuple[str, str | None]:
    """CIS-12: specific checks the checking authority's law does not allow become
    sighting and reporting."""
    if action == Action.SPECIFIC_CHECKS and not designation.specific_checks_allowed:
        return Action.SIGHTING_AND_REPORTING.value, action
    return action, None


def _one_run_at_a_time(session: Session) -> None:
    """Serialise screening runs: two at once would read the same cursor and store the same
    hits twice. PostgreSQL: a transaction-scoped advisory lock, so the second run waits and
    then reads the cursor the first one committed. SQLite serialises writers already."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('tollgate-cis-screening'))"))


@dataclass(frozen=True, slots=True)
class ScreeningRun:
    versions: int
    consignments: int
    hits: int


def screen_pending(session: Session, vault: Vault, *, batch: int = 1_000) -> ScreeningRun:
    """Screen the filing versions and consignment changes since the last run (cursors in
    ``event_cursors``), in one transaction per batch left to the caller's session."""
    versions = consignments = hits = 0
    _one_run_at_a_time(session)
    while True:
        cursor = session.get(EventCursor, VERSIONS_CONSUMER)
        last = cursor.last_event_id if cursor else 0
        ids = list(
            session.scalars(
                select(FilingVersion.id)
                .where(FilingVersion.id > last)
                .order_by(FilingVersion.id)
                .limit(batch)
            )
        )
        if not ids:
            break
        hits += len(screen_versions(session, vault, ids))
        versions += len(ids)
        acknowledge(session, consumer=VERSIONS_CONSUMER, last_event_id=ids[-1])
    while True:
        events = pending_events(session, consumer=CONSIGNMENTS_CONSUMER, limit=batch)
        if not events:
            break
        changed = {c for _, c in events}
        current = list(
            session.scalars(
                select(FilingVersion.id)
                .join(FilingRecord, FilingRecord.id == FilingVersion.filing_id)
                .join(ConsignmentMember, ConsignmentMember.filing_id == FilingRecord.id)
                .where(
                    ConsignmentMember.consignment_id.in_(changed),
                    FilingVersion.version == FilingRecord.current_version,
                )
            )
        )
        hits += len(screen_versions(session, vault, current))
        consignments += len(changed)
        acknowledge(session, consumer=CONSIGNMENTS_CONSUMER, last_event_id=events[-1][0])
    return ScreeningRun(versions, consignments, hits)


# ----------------------------------------------------------------------------- review


@dataclass(frozen=True, slots=True)
class HitView:
    id: int
    alert_reference: str
    category: str
    action: str
    converted_from: str | None
    filing_id: int
    filing_version_id: int
    consignment_id: int | None
    kind: str
    score: float
    role: str
    detail: str
    status: str
    created_at: datetime
    reviewed_by: str | None
    assessment_id: int | None


def _reviewer(user: CisUser) -> None:
    if not user.actor.can(Permission.CIS_REVIEW):
        raise NotAuthorised(f"user {user.actor.username!r} does not review CIS hits")


def hits_for(
    session: Session,
    vault: Vault,
    user: CisUser,
    *,
    status: str | None = "pending",
    after: int = 0,
    limit: int = 100,
) -> list[HitView]:
    """The hits on this authority's filings, for its reviewers (paginated by id)."""
    _reviewer(user)
    query = (
        select(CisHit, CisAlert.reference, CisAlert.category, FilingVersion.filing_id)
        .join(CisAlert, CisAlert.id == CisHit.alert_id)
        .join(FilingVersion, FilingVersion.id == CisHit.filing_version_id)
        .where(CisHit.authority_id == user.authority.id, CisHit.id > after)
    )
    if status:
        query = query.where(CisHit.status == status)
    rows = session.execute(query.order_by(CisHit.id).limit(limit)).all()
    return [_view(vault, hit, ref, cat, fid) for hit, ref, cat, fid in rows]


def _view(vault: Vault, hit: CisHit, reference: str, category: str, filing_id: int) -> HitView:
    detail = vault.open(hit.sealed_detail) if hit.sealed_detail else {}
    return HitView(
        hit.id,
        reference,
        category,
        hit.action,
        hit.converted_from,
        filing_id,
        hit.filing_version_id,
        hit.consignment_id,
        hit.kind,
        hit.score,
        str(detail.get("role", "")),
        str(detail.get("detail", "")),
        hit.status,
        hit.created_at,
        hit.reviewed_by,
        hit.assessment_id,
    )


def _hit(session: Session, user: CisUser, hit_id: int) -> CisHit:
    # locked: two reviewers confirming at once must not add the action twice
    hit = session.get(CisHit, hit_id, with_for_update=True)
    if hit is None or hit.authority_id != user.authority.id:
        raise NotFound(f"no CIS hit {hit_id} for {user.authority.code}")
    return hit


def review_hit(
    session: Session, vault: Vault, user: CisUser, hit_id: int, *, confirm: bool, note: str = ""
) -> HitView:
    """Confirm or reject a hit. A confirmed hit adds its action to the filing's
    assessment and tells the supplier that its alert was found (CIS-10)."""
    _reviewer(user)
    hit = _hit(session, user, hit_id)
    if hit.status != "pending":
        raise Conflict(f"CIS hit {hit_id} was reviewed already ({hit.status})")
    alert = session.get(CisAlert, hit.alert_id)
    if alert is None or alert.status != "active":
        raise Conflict(f"the alert of CIS hit {hit_id} is no longer active")
    if not confirm and not note.strip():
        raise ValidationFailed("a rejected hit says why (note)")
    hit.status = "confirmed" if confirm else "rejected"
    hit.reviewed_by = user.actor.username
    hit.reviewed_at = _now()
    if confirm:
        hit.assessment_id = _add_to_assessment(session, hit, alert)
        notify(
            session,
            alert.supplier_id,
            "hit",
            alert_id=alert.id,
            body={
                "alert": alert.reference,
                "found_by": user.authority.code,
                "action": hit.action,
                "converted_from": hit.converted_from,
                "hit": hit.id,
                "rule": "CIS-10",
            },
        )
    session.flush()
    record(
        session,
        actor=user.actor,
        action="cis_review_hit",
        object_type="cis_hit",
        object_id=str(hit.id),
        purpose=user.purpose,
        detail={"alert": alert.reference, "confirmed": confirm, "note": note[:200]},
    )
    fid = session.scalar(
        select(FilingVersion.filing_id).where(FilingVersion.id == hit.filing_version_id)
    )
    return _view(vault, hit, alert.reference, alert.category, int(fid or 0))


_INSTRUCTIONS = {
    Action.SPECIFIC_CHECKS: "CIS {ref}: carry out specific checks; report the findings.",
    Action.SIGHTING_AND_REPORTING: "CIS {ref}: record and report the sighting; no control "
    "on its account.",
    Action.DISCREET_SURVEILLANCE: "CIS {ref}: discreet surveillance; nothing may reveal it "
    "to the persons concerned.",
    Action.OPERATIONAL_ANALYSIS: "CIS {ref}: operational analysis; no action towards the "
    "persons concerned.",
}


def _add_to_assessment(session: Session, hit: CisHit, alert: CisAlert) -> int:
    """A new assessment: the newest one of the filing version (or of its consignment) with
    the alert's action added. Only specific checks change the decision."""
    base = session.scalar(
        select(Assessment)
        .where(
            (Assessment.filing_version_id == hit.filing_version_id)
            | (
                (Assessment.consignment_id == hit.consignment_id)
                if hit.consignment_id is not None
                else (Assessment.id < 0)
            )
        )
        .order_by(Assessment.id.desc())
        .limit(1)
    )
    if base is None:
        # screening ran before the risk engine: assess first, so that the hit adds to a
        # real decision and never releases a filing nobody assessed
        (base,) = assess_versions(session, [hit.filing_version_id], trigger="pending")
    decision = base.decision
    stage = base.stage
    if hit.action == Action.SPECIFIC_CHECKS:
        decision = _stronger(decision, Control.PHYSICAL.value)
    reason = {
        "source": "cis",
        "alert": alert.reference,
        "action": hit.action,
        "hit": hit.id,
        "internal": True,
    }
    instruction = _INSTRUCTIONS[Action(hit.action)].format(ref=alert.reference)
    filing = session.scalar(
        select(FilingRecord)
        .join(FilingVersion, FilingVersion.filing_id == FilingRecord.id)
        .where(FilingVersion.id == hit.filing_version_id)
    )
    assert filing is not None
    assessment = Assessment(
        filing_version_id=hit.filing_version_id,
        consignment_id=base.consignment_id,
        authority_id=hit.authority_id,
        # the trigger stays the base's: "cis_hit" would tell every reader of assessments
        # that the CIS was involved (CIS-11); the CIS reason marks it for those who may know
        trigger=base.trigger,
        decision=decision,
        score=base.score,
        random=base.random,
        stage=stage,
        place=base.place or filing.office,
        reasons=[*base.reasons, reason],
        instructions="\n".join(x for x in (base.instructions, instruction) if x)[:8000],
        assessed_at=base.assessed_at,
    )
    session.add(assessment)
    session.flush()
    return assessment.id


def _stronger(a: str, b: str) -> str:
    order = [c.value for c in CONTROL_ORDER]
    if a not in order:  # e.g. "blocked": stronger than any control
        return a
    return a if order.index(a) >= order.index(b) else b


# ----------------------------------------------------------------------------- reports


def send_hit_report(
    session: Session, vault: Vault, user: CisUser, hit_id: int, *, items: dict[str, str]
) -> CisHitReport:
    """Send the supplier what was found, in whole or in part (CIS-10): only the items the
    Decision lists, sealed, as a durable notification."""
    _reviewer(user)
    hit = _hit(session, user, hit_id)
    if hit.status != "confirmed":
        raise Conflict(f"CIS-10: hit {hit_id} is {hit.status}; only a confirmed hit is reported")
    unknown = sorted(set(items) - set(REPORT_ITEMS))
    if unknown:
        raise ValidationFailed(
            f"CIS-10: {unknown} are not items of a hit report; allowed: {list(REPORT_ITEMS)}"
        )
    given = {k: v.strip() for k, v in items.items() if isinstance(v, str) and v.strip()}
    if not given:
        raise ValidationFailed("CIS-10: a hit report carries at least one item")
    alert = session.get(CisAlert, hit.alert_id)
    assert alert is not None
    report = CisHitReport(
        hit_id=hit.id,
        from_authority_id=user.authority.id,
        to_authority_id=alert.supplier_id,
        items=sorted(given),
        sealed=vault.seal(given),
        created_at=_now(),
        created_by=user.actor.username,
    )
    session.add(report)
    session.flush()
    notify(
        session,
        alert.supplier_id,
        "hit_report",
        alert_id=alert.id,
        body={
            "alert": alert.reference,
            "report": report.id,
            "from": user.authority.code,
            "items": sorted(given),
            "rule": "CIS-10",
        },
    )
    record(
        session,
        actor=user.actor,
        action="cis_hit_report",
        object_type="cis_hit",
        object_id=str(hit.id),
        detail={"items": sorted(given), "to": alert.supplier_id},
    )
    return report


def read_hit_report(
    session: Session, vault: Vault, user: CisUser, report_id: int
) -> dict[str, Any]:
    """A hit report, for its sender or its recipient (the supplier)."""
    report = session.get(CisHitReport, report_id)
    if report is None or user.authority.id not in (
        report.to_authority_id,
        report.from_authority_id,
    ):
        raise NotFound(f"no hit report {report_id} for {user.authority.code}")
    alert = session.scalar(
        select(CisAlert)
        .join(CisHit, CisHit.alert_id == CisAlert.id)
        .where(CisHit.id == report.hit_id)
    )
    record(
        session,
        actor=user.actor,
        action="cis_read_hit_report",
        object_type="cis_hit_report",
        object_id=str(report.id),
        purpose=user.purpose,
    )
    return {
        "id": report.id,
        "alert": alert.reference if alert is not None else None,
        "items": vault.open(report.sealed),
        "created_at": report.created_at,
    }
