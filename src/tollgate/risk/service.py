"""Profiles, lists and assessments in storage: who may change what, and assessing stored
filings against the profiles that apply to them.

Which profiles apply to a filing: the EU's common risk criteria and priority-control-area
campaigns (owned by the Commission, applied by every authority) and the national profiles
of the authority that owns the filing. A national profile reads only its own authority's
lists and national data; EU profiles read the Commission's lists.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVarTuple

from sqlalchemy import Select, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from tollgate.audit.log import record
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor, acting_for
from tollgate.authorities.tables import Authority
from tollgate.declarations.models import (
    AnyFiling,
    FilingAdapter,
)
from tollgate.declarations.tables import FilingRecord, FilingVersion
from tollgate.errors import Conflict, NotAuthorised, NotFound, ValidationFailed
from tollgate.quality.tables import QualityFinding
from tollgate.risk.benchmarks import benchmarks_for
from tollgate.risk.credibility import Checks, active_checks, item_numbers, review
from tollgate.risk.evaluator import ManagedLists, ProfileIndex
from tollgate.risk.facts import Context, rows_of, trader_eori
from tollgate.risk.language import Node, ProfileError, normalise_name
from tollgate.risk.profiles import (
    TRANSITIONS,
    Control,
    Owner,
    ProfileSpec,
    Stage,
    Status,
    parse_profile_set,
)
from tollgate.risk.selection import Decision, ProfileHit, RandomSelection, decide
from tollgate.risk.tables import Assessment, AssessmentHit, ManagedListVersion, RiskProfileVersion
from tollgate.scoring.exploration import EXPLORATION_RATE, Exploration
from tollgate.scoring.service import Scorer, active_scorer
from tollgate.scoring.tables import ModelScore
from tollgate.traders.service import as_trader, registered
from tollgate.traders.tables import RegisteredTrader

EU_AUTHORITY = "EU-COM"
_Ts = TypeVarTuple("_Ts")
MAX_LIST_ENTRIES = 100_000


def _now() -> datetime:
    return datetime.now(UTC)


def _authority(session: Session, actor: Actor, code: str | None) -> Authority:
    """The authority an analyst acts for: their own, or (system operator only) any."""
    return acting_for(session, actor, code, "manage the profiles of")


def readable_lists(session: Session, authority: Authority) -> dict[str, str]:
    """List name -> kind, for the lists a profile of ``authority`` may read."""
    ids = {authority.id}
    if authority.code != EU_AUTHORITY:
        eu = session.scalar(select(Authority.id).where(Authority.code == EU_AUTHORITY))
        if eu is not None:
            ids.add(eu)
    rows = session.execute(
        select(ManagedListVersion.name, ManagedListVersion.kind).where(
            ManagedListVersion.authority_id.in_(ids)
        )
    )
    return {name: kind for name, kind in rows}


# ------------------------------------------------------------------------ managed lists


def save_list(
    session: Session,
    *,
    actor: Actor,
    name: str,
    kind: str,
    entries: Sequence[str],
    authority: str | None = None,
) -> ManagedListVersion:
    """Store a new version of a managed list (codes, or party names normalised)."""
    actor.require(Permission.MANAGE_PROFILES)
    owner = _authority(session, actor, authority)
    if kind not in ("codes", "names"):
        raise ValidationFailed(f"list kind must be codes or names, not {kind!r}")
    if not entries or len(entries) > MAX_LIST_ENTRIES:
        raise ValidationFailed(f"a list holds 1 to {MAX_LIST_ENTRIES:,} entries")
    clean = sorted({normalise_name(e) if kind == "names" else e.strip() for e in entries} - {""})
    latest = session.scalar(
        select(func.max(ManagedListVersion.version)).where(
            ManagedListVersion.authority_id == owner.id, ManagedListVersion.name == name
        )
    )
    row = ManagedListVersion(
        authority_id=owner.id,
        name=name,
        version=(latest or 0) + 1,
        kind=kind,
        entries=clean,
        changed_by=actor.username,
        changed_at=_now(),
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        action="save_managed_list",
        object_type="managed_list",
        object_id=f"{owner.code}/{name}/v{row.version}",
        detail={"entries": len(clean), "kind": kind},
    )
    return row


def newest_lists(query: Select[*_Ts], authority_ids: Iterable[int]) -> Select[*_Ts]:
    """``query`` (over ``ManagedListVersion``) narrowed to the newest version of each list
    of these authorities."""
    newest = (
        select(
            ManagedListVersion.authority_id,
            ManagedListVersion.name,
            func.max(ManagedListVersion.version).label("v"),
        )
        .where(ManagedListVersion.authority_id.in_(list(authority_ids)))
        .group_by(ManagedListVersion.authority_id, ManagedListVersion.name)
        .subquery()
    )
    return query.join(
        newest,
        (ManagedListVersion.authority_id == newest.c.authority_id)
        & (ManagedListVersion.name == newest.c.name)
        & (ManagedListVersion.version == newest.c.v),
    )


def _lists_for(session: Session, authority_ids: Iterable[int]) -> ManagedLists:
    """The newest version of every list of these authorities."""
    rows = session.scalars(newest_lists(select(ManagedListVersion), authority_ids))
    codes: dict[str, frozenset[str]] = {}
    names: dict[str, tuple[str, ...]] = {}
    for row in rows:
        if row.kind == "names":
            names[row.name] = tuple(row.entries)
        else:
            codes[row.name] = frozenset(row.entries)
    return ManagedLists(codes=codes, names=names)


# ----------------------------------------------------------------------------- profiles


@dataclass(frozen=True, slots=True)
class ImportResult:
    created: list[tuple[str, int]]
    unchanged: list[str]


def import_profiles(
    session: Session,
    *,
    actor: Actor,
    data: Any,
    authority: str | None = None,
    activate: bool = False,
) -> ImportResult:
    """Import a profile set: each changed profile becomes a new version (draft, or active
    with ``activate``); an identical one is left alone. Invalid files change nothing."""
    actor.require(Permission.MANAGE_PROFILES)
    owner = _authority(session, actor, authority)
    parsed = parse_profiles(session, owner, data)
    for spec, _ in parsed:
        if spec.owner is not Owner.NATIONAL and owner.code != EU_AUTHORITY:
            raise NotAuthorised(
                f"profile {spec.id}: only {EU_AUTHORITY} owns {spec.owner.value} profiles"
            )
    result = ImportResult([], [])
    for spec, _ in parsed:
        current = _current(session, owner.id, spec.id)
        document = spec.model_dump(mode="json")
        status = Status.ACTIVE if activate else Status.DRAFT
        if current is not None and current.spec == document and current.status == status:
            result.unchanged.append(spec.id)
            continue
        if current is not None and current.status == Status.EXPIRED:
            raise Conflict(f"profile {spec.id} has expired; give the new profile a new id")
        row = _append(session, actor, owner, spec.id, document, status, "imported", current)
        result.created.append((spec.id, row.version))
    return result


def parse_profiles(session: Session, owner: Authority, data: Any) -> list[tuple[ProfileSpec, Node]]:
    """A profile set as ``owner`` may write it: its own national data and the lists it may
    read; an invalid set is refused with the path and reason of its first error."""
    try:
        return parse_profile_set(
            data, own_country=owner.country, lists=readable_lists(session, owner)
        )
    except ProfileError as exc:
        raise ValidationFailed(
            f"invalid profile: {exc}", details=[{"path": exc.path, "reason": exc.reason}]
        ) from None


def _current(session: Session, authority_id: int, profile_id: str) -> RiskProfileVersion | None:
    return session.scalar(
        select(RiskProfileVersion)
        .where(
            RiskProfileVersion.authority_id == authority_id,
            RiskProfileVersion.profile_id == profile_id,
        )
        .order_by(RiskProfileVersion.version.desc())
        .limit(1)
    )


def _append(
    session: Session,
    actor: Actor,
    owner: Authority,
    profile_id: str,
    document: dict[str, Any],
    status: Status,
    change: str,
    current: RiskProfileVersion | None,
) -> RiskProfileVersion:
    row = RiskProfileVersion(
        authority_id=owner.id,
        profile_id=profile_id,
        version=(current.version if current else 0) + 1,
        owner=document.get("owner", Owner.NATIONAL.value),
        status=status.value,
        spec=document,
        changed_by=actor.username,
        changed_at=_now(),
        change=change,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        action="profile_version",
        object_type="risk_profile",
        object_id=f"{owner.code}/{profile_id}/v{row.version}",
        detail={"status": status.value, "change": change},
    )
    return row


def set_status(
    session: Session,
    *,
    actor: Actor,
    profile_id: str,
    status: Status,
    authority: str | None = None,
) -> RiskProfileVersion:
    """Move a profile through draft -> active -> suspended / expired, as a new version."""
    actor.require(Permission.MANAGE_PROFILES)
    owner = _authority(session, actor, authority)
    current = _current(session, owner.id, profile_id)
    if current is None:
        raise NotFound(f"no profile {profile_id!r} of {owner.code}")
    if status not in TRANSITIONS[Status(current.status)]:
        raise Conflict(f"profile {profile_id} is {current.status}; it cannot become {status}")
    return _append(
        session, actor, owner, profile_id, current.spec, status, f"status {status}", current
    )


def _newest_profiles(query: Select[*_Ts]) -> Select[*_Ts]:
    """Restrict ``query`` (over RiskProfileVersion) to each profile's newest version."""
    newest = (
        select(
            RiskProfileVersion.authority_id,
            RiskProfileVersion.profile_id,
            func.max(RiskProfileVersion.version).label("v"),
        )
        .group_by(RiskProfileVersion.authority_id, RiskProfileVersion.profile_id)
        .subquery()
    )
    return query.join(
        newest,
        (RiskProfileVersion.authority_id == newest.c.authority_id)
        & (RiskProfileVersion.profile_id == newest.c.profile_id)
        & (RiskProfileVersion.version == newest.c.v),
    )


def profile_versions(
    session: Session, actor: Actor, *, offset: int = 0, limit: int = 100
) -> list[tuple[str, RiskProfileVersion]]:
    """The newest version of each profile the actor's authority applies (with the owning
    authority's code), ordered by authority and id."""
    actor.require(Permission.READ_PROFILES)
    query = (
        _newest_profiles(select(Authority.code, RiskProfileVersion))
        .join(Authority, Authority.id == RiskProfileVersion.authority_id)
        .order_by(Authority.code, RiskProfileVersion.profile_id)
        .offset(offset)
        .limit(min(limit, 1000))
    )
    if actor.authority_code is not None:
        query = query.where(Authority.code.in_({actor.authority_code, EU_AUTHORITY}))
    return [(code, row) for code, row in session.execute(query).all()]


def newest_versions(
    session: Session, authority: Authority, profile_ids: Sequence[str]
) -> list[tuple[str, int, ProfileSpec, Node]]:
    """The newest stored version of each of these profiles, whatever its status (a
    draft under review, a suspended one), from the authority's own profiles and the
    Commission's; an id found in neither is refused."""
    if not profile_ids:
        return []
    eu = session.scalar(select(Authority).where(Authority.code == EU_AUTHORITY))
    owners = {authority.id} | ({eu.id} if eu is not None else set())
    rows = session.scalars(
        _newest_profiles(select(RiskProfileVersion)).where(
            RiskProfileVersion.authority_id.in_(owners),
            RiskProfileVersion.profile_id.in_(list(profile_ids)),
        )
    ).all()
    by_id = {}
    for row in rows:  # an authority's own profile wins over a Commission one of that id
        if row.profile_id not in by_id or row.authority_id == authority.id:
            by_id[row.profile_id] = row
    missing = [pid for pid in profile_ids if pid not in by_id]
    if missing:
        raise NotFound(f"no profile {', '.join(map(repr, missing))} for {authority.code}")
    out = []
    for pid in profile_ids:
        row = by_id[pid]
        spec = ProfileSpec.model_validate(row.spec)
        country = authority.country if row.authority_id == authority.id else None
        out.append((pid, row.version, spec, spec.condition(own_country=country)))
    return out


# ---------------------------------------------------------------------------- the engine


@dataclass(slots=True)
class _Loaded:
    profile_id: str
    version: int
    spec: ProfileSpec


class Engine:
    """The active profiles that apply to one authority's filings, compiled and indexed."""

    def __init__(self, session: Session, authority: Authority, on: date | None = None) -> None:
        self.authority = authority
        eu = session.scalar(select(Authority).where(Authority.code == EU_AUTHORITY))
        owner_ids = {authority.id} | ({eu.id} if eu is not None else set())
        on = on or _now().date()
        rows = session.scalars(
            _newest_profiles(select(RiskProfileVersion)).where(
                RiskProfileVersion.authority_id.in_(owner_ids)
            )
        )
        self.index = ProfileIndex(_lists_for(session, owner_ids))
        self.profiles: list[_Loaded] = []
        self.benchmarks = benchmarks_for(session, authority.id)
        #: the authority's active learned model, if it has one (issue 6)
        self.scorer: Scorer | None = active_scorer(session, authority.id)
        self._conditions: list[tuple[_Loaded, Node]] = []
        for row in rows:
            if row.status != Status.ACTIVE.value:
                continue
            spec = ProfileSpec.model_validate(row.spec)
            if (spec.valid_from and on < spec.valid_from) or (spec.valid_to and on > spec.valid_to):
                continue
            if row.authority_id != authority.id and spec.owner is Owner.NATIONAL:
                continue  # the Commission's national-style drafts apply to no one else
            country = authority.country if row.authority_id == authority.id else None
            loaded = _Loaded(row.profile_id, row.version, spec)
            node = spec.condition(own_country=country)
            self.index.add(loaded, node)
            self.profiles.append(loaded)
            self._conditions.append((loaded, node))

    def conditions(self) -> list[tuple[_Loaded, Node]]:
        """The active profiles and their parsed conditions (for set-at-a-time runs)."""
        return list(self._conditions)

    def hits(self, rows: Sequence[dict[str, Any]]) -> list[ProfileHit]:
        out = []
        for hit in self.index.assess(rows):
            loaded: _Loaded = hit.key
            out.append(
                ProfileHit(loaded.profile_id, loaded.version, loaded.spec, hit.row, hit.values)
            )
        return out


def assess_versions(
    session: Session,
    version_ids: Sequence[int],
    *,
    trigger: str,
    randomness: RandomSelection | None = None,
    engines: dict[int, Engine] | None = None,
    exploration: Exploration | None = None,
) -> list[Assessment]:
    """Assess these filing versions, each against the profiles of its owning authority
    and its credibility checks (RM-9), and store one assessment per version (earlier
    assessments stay). With an active learned model each version is scored first, the
    score is the fact ``model.score`` for the profiles, and ``exploration`` (default: the
    default uncertainty rate) may control a declaration the rules release (issue 6)."""
    engines = engines if engines is not None else {}
    exploration = exploration if exploration is not None else Exploration(EXPLORATION_RATE)
    if not version_ids:
        return []
    rows = session.execute(
        select(FilingVersion, FilingRecord, Authority)
        .join(FilingRecord, FilingRecord.id == FilingVersion.filing_id)
        .join(Authority, Authority.id == FilingRecord.authority_id)
        .where(FilingVersion.id.in_(list(version_ids)))
    ).all()
    findings: dict[int, list[str]] = defaultdict(list)
    for vid, code in session.execute(
        select(QualityFinding.filing_version_id, QualityFinding.code).where(
            QualityFinding.filing_version_id.in_(list(version_ids))
        )
    ):
        findings[vid].append(code)
    out: list[Assessment] = []
    scored: list[tuple[Assessment, Scorer, float, int]] = []
    now = _now()
    checks: dict[int, Checks] = {}  # credibility checks (RM-9), loaded once per batch
    models = {version.id: FilingAdapter.validate_python(version.document) for version, _, _ in rows}
    eoris: dict[int, set[str]] = defaultdict(set)
    for version, filing, _ in rows:
        eoris[filing.authority_id].add(trader_eori(models[version.id]))
    # the trader register, read once per batch and authority rather than per filing
    register = {aid: registered(session, aid, found) for aid, found in eoris.items()}
    for version, filing, authority in rows:
        engine = engines.get(authority.id)
        if engine is None:
            engine = engines[authority.id] = Engine(session, authority)
        if authority.id not in checks:
            checks[authority.id] = active_checks(session, authority)
        model = models[version.id]
        facts = filing_facts(
            session,
            version,
            filing,
            authority,
            findings.get(version.id, ()),
            engine,
            model,
            register[authority.id],
        )
        score = engine.scorer.score(facts) if engine.scorer is not None else None
        if score is not None:
            for row in facts:
                row["model.score"] = score
        hits = engine.hits(facts)
        decision = select_decision(hits, facts, filing, version, randomness)
        explored = "random" if decision.random else None
        if score is not None and engine.scorer is not None:
            decision, explored = explore(
                decision, score, engine.scorer.version, exploration, decision_key(filing, version)
            )
        # a block finding makes the decision "blocked"; flags add reasons and instructions
        reviewed = review(decision, checks[authority.id].check(facts, item_numbers(model)))
        assessment = Assessment(
            filing_version_id=version.id,
            consignment_id=None,
            authority_id=authority.id,
            trigger=trigger,
            decision=reviewed.decision,
            score=decision.score,
            random=decision.random,
            exploration=explored,
            stage=reviewed.stage,
            place=filing.office,
            reasons=reviewed.reasons,
            instructions=reviewed.instructions[:8000],
            assessed_at=now,
        )
        session.add(assessment)
        out.append(assessment)
        if score is not None and engine.scorer is not None:
            scored.append((assessment, engine.scorer, score, filing.id))
    session.flush()
    store_hits(session, out)
    _store_scores(session, scored, now)
    return out


def explore(
    decision: Decision, score: float, version: int, exploration: Exploration, key: str
) -> tuple[Decision, str | None]:
    """The decision with the model's score among its reasons, and an uncertainty control
    when the rules release the declaration and the exploration draw picks it (issue 6
    point 4). Returns how the declaration was explored: random (RM-12), uncertainty or
    not at all."""
    reason: dict[str, Any] = {"model_version": version, "model_score": round(score, 4)}
    if decision.random:
        return replace(decision, reasons=[*decision.reasons, reason]), "random"
    if decision.decision is not Control.RELEASE or not exploration.uncertain(key, score):
        return replace(decision, reasons=[*decision.reasons, reason]), None
    reason["exploration"] = "uncertainty"
    note = (
        "Exploration control (the model is unsure of this declaration): "
        "record the result whatever is found."
    )
    return (
        replace(
            decision,
            decision=exploration.control,
            stage=decision.stage or Stage.CLEARANCE,
            reasons=[*decision.reasons, reason],
            instructions="\n".join(filter(None, [decision.instructions, note])),
        ),
        "uncertainty",
    )


def _store_scores(
    session: Session,
    scored: Sequence[tuple[Assessment, Scorer, float, int]],
    now: datetime,
) -> None:
    """One ``ModelScore`` per model and filing version; a re-assessment keeps the first."""
    if not scored:
        return
    have: set[tuple[int, int]] = set(
        session.execute(
            select(ModelScore.model_id, ModelScore.filing_version_id).where(
                ModelScore.filing_version_id.in_({a.filing_version_id for a, *_ in scored})
            )
        ).all()
    )
    for assessment, scorer, score, filing_id in scored:
        key = (scorer.model_id, assessment.filing_version_id)
        if key in have:
            continue
        have.add(key)
        session.add(
            ModelScore(
                model_id=scorer.model_id,
                authority_id=assessment.authority_id,
                filing_version_id=assessment.filing_version_id,
                filing_id=filing_id,
                score=score,
                scored_at=now,
            )
        )
    session.flush()


def store_hits(session: Session, assessments: Sequence[Assessment]) -> None:
    """The profile hits of stored assessments as ``AssessmentHit`` rows (credibility
    findings and random selection are not profile hits)."""
    rows = [
        {"assessment_id": a.id, "profile_id": r["profile_id"], "version": r["version"]}
        for a in assessments
        for r in a.reasons
        if "profile_id" in r
    ]
    if rows:
        session.execute(insert(AssessmentHit), rows)


def filing_facts(
    session: Session,
    version: FilingVersion,
    filing: FilingRecord,
    authority: Authority,
    quality_codes: Sequence[str],
    engine: Engine,
    model: AnyFiling | None = None,
    register: Mapping[str, RegisteredTrader] | None = None,
) -> list[dict[str, Any]]:
    """The fact rows of a stored filing version as its authority assesses it: with the
    trader as the register knows it (RM-23, RM-24; ``register`` when the caller read it
    for a whole batch), whether the trader filed before, the authority's unit-value
    benchmarks (RM-15) and the version's quality findings."""
    model = model or FilingAdapter.validate_python(version.document)
    eori = trader_eori(model)
    if register is None:
        register = registered(session, authority.id, [eori])
    row = register.get(eori)
    context = Context(
        benchmarks=engine.benchmarks,
        traders={eori: as_trader(row, version.lodged_at.date())} if row is not None else {},
        known_traders=_known(session, filing, eori),
        quality_codes=tuple(quality_codes),
        quality_score=version.quality_score,
    )
    return rows_of(model, authority.country or filing.office[:2], context)


def select_decision(
    hits: list[ProfileHit],
    facts: list[dict[str, Any]],
    filing: FilingRecord,
    version: FilingVersion,
    randomness: RandomSelection | None,
) -> Decision:
    return decide(
        hits,
        aeo=bool(facts[0].get("trader.aeo")),
        declaration_key=decision_key(filing, version),
        stratum=filing.kind,
        randomness=randomness,
    )


def decision_key(filing: FilingRecord, version: FilingVersion) -> str:
    """What seeds a declaration's random and exploration draws: the same on re-assessment."""
    return f"{filing.kind}:{filing.filer}:{filing.lrn}:{version.version}"


def _known(session: Session, filing: FilingRecord, eori: str) -> frozenset[str]:
    """The trader, if it filed with this authority before this filing (else it is a
    first-time trader). Known by its own filings: a trader register would know more."""
    earlier = session.scalar(
        select(FilingRecord.id)
        .where(
            FilingRecord.authority_id == filing.authority_id,
            FilingRecord.filer == eori,
            FilingRecord.first_received_at < filing.first_received_at,
        )
        .limit(1)
    )
    return frozenset({eori}) if earlier is not None else frozenset()


def starter_criteria() -> Any:
    """The starter common risk criteria shipped with Tollgate (one per risk area)."""
    import yaml

    path = Path(__file__).parent / "starter" / "eu-common-risk-criteria.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def unassessed_versions() -> Select[int]:
    """The ids of current filing versions without an assessment yet, in id order; callers
    narrow and limit it."""
    return (
        select(FilingVersion.id)
        .join(
            FilingRecord,
            (FilingRecord.id == FilingVersion.filing_id)
            & (FilingRecord.current_version == FilingVersion.version),
        )
        .where(FilingVersion.id.not_in(select(Assessment.filing_version_id)))
        .order_by(FilingVersion.id)
    )


def assess_pending(
    factory: sessionmaker[Session],
    *,
    actor: Actor,
    batch_size: int = 1000,
    randomness: RandomSelection | None = None,
    progress: Callable[[int], None] | None = None,
    exploration: Exploration | None = None,
) -> dict[str, int]:
    """Assess every current filing version that has no assessment yet, in committed
    batches (safe to interrupt and run again); returns the count per decision."""
    actor.require(Permission.ASSESS)
    counts: dict[str, int] = defaultdict(int)
    engines: dict[int, Engine] = {}
    last = 0
    while True:
        with factory() as session, session.begin():
            ids = list(
                session.scalars(
                    unassessed_versions().where(FilingVersion.id > last).limit(batch_size)
                )
            )
            if not ids:
                break
            for a in assess_versions(
                session,
                ids,
                trigger="pending",
                randomness=randomness,
                engines=engines,
                exploration=exploration,
            ):
                counts[a.decision] += 1
            record(
                session,
                actor=actor,
                action="assess",
                object_type="filing_version",
                object_id=f"{ids[0]}..{ids[-1]}",
                detail={"versions": len(ids)},
            )
            last = ids[-1]
        if progress is not None:
            progress(len(ids))
    return dict(counts)
