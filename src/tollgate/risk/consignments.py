"""Assessing a consignment as a whole, again each time it changes (issue 3 point 5).

ICS2 data arrive in layers: the carrier's master filing, a forwarder's house filing, the
postal item, then container status messages; no single filing holds the whole picture. A
risk is often only visible when the layers meet (a consignee in one filing, the goods in
another), and a decision to load, scan or inspect is about the consignment. So each
change of a consignment — a filing joins it, a filing is amended — is an event in its
outbox (``consignments.tables.ConsignmentEvent``), and consuming those events assesses the
consignment afresh: the hits of every current filing in it, combined into one decision.
Earlier assessments stay; the newest one is the consignment's decision.

A profile that hits on two filings of the consignment counts once (its first hit, by
filing), so the score does not double a single risk. AEO facilitation follows the core
filing's trader (the house or import filing: the party the goods are for). Credibility
checks (RM-9) are a matter of the declaration at clearance and stay with the filing's own
assessment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tollgate.audit.log import record
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor
from tollgate.authorities.tables import Authority
from tollgate.consignments.service import acknowledge, pending_events
from tollgate.consignments.tables import Consignment, ConsignmentEvent, ConsignmentMember
from tollgate.declarations.tables import FilingRecord, FilingVersion
from tollgate.quality.tables import QualityFinding
from tollgate.risk.selection import ProfileHit, RandomSelection, decide
from tollgate.risk.tables import Assessment
from tollgate.scoring.exploration import EXPLORATION_RATE, Exploration

CONSUMER = "risk-engine"


def assess_consignment_events(
    factory: sessionmaker[Session],
    *,
    actor: Actor,
    batch_size: int = 500,
    randomness: RandomSelection | None = None,
    progress: Callable[[int], None] | None = None,
    exploration: Exploration | None = None,
) -> dict[str, int]:
    """Consume the consignment change events: every consignment that changed since the
    last run is assessed once (however many events it had), in committed batches that
    move the cursor with them — safe to interrupt and run again. Returns the count of
    consignment decisions per decision."""
    actor.require(Permission.ASSESS)
    from tollgate.risk.service import Engine

    counts: dict[str, int] = defaultdict(int)
    engines: dict[int, Engine] = {}
    while True:
        with factory() as session, session.begin():
            events = pending_events(session, consumer=CONSUMER, limit=batch_size)
            if not events:
                break
            latest: dict[int, int] = {}
            for event_id, consignment_id in events:
                latest[consignment_id] = event_id
            for consignment_id, event_id in sorted(latest.items()):
                assessment = assess_consignment(
                    session,
                    consignment_id,
                    trigger_event=event_id,
                    engines=engines,
                    randomness=randomness,
                    exploration=exploration,
                )
                if assessment is not None:
                    counts[assessment.decision] += 1
            acknowledge(session, consumer=CONSUMER, last_event_id=events[-1][0])
            record(
                session,
                actor=actor,
                action="assess",
                object_type="consignment",
                object_id=f"events {events[0][0]}..{events[-1][0]}",
                detail={"consignments": len(latest)},
            )
        if progress is not None:
            progress(len(latest))
    return dict(counts)


def assess_consignment(
    session: Session,
    consignment_id: int,
    *,
    trigger_event: int,
    engines: dict[int, Any],
    randomness: RandomSelection | None = None,
    exploration: Exploration | None = None,
) -> Assessment | None:
    """One consignment-level assessment from the current version of each member filing
    (None when the consignment has no filing left to assess). With an active learned
    model the consignment scores as its riskiest filing, and may be explored (issue 6)."""
    from tollgate.risk.service import Engine, explore, filing_facts, store_hits

    consignment = session.get(Consignment, consignment_id)
    if consignment is None:
        return None
    event = session.get(ConsignmentEvent, trigger_event)
    authority = session.get(Authority, consignment.authority_id)
    assert authority is not None
    engine = engines.get(authority.id)
    if engine is None:
        engine = engines[authority.id] = Engine(session, authority)
    members = session.execute(
        select(ConsignmentMember.role, FilingRecord, FilingVersion)
        .join(FilingRecord, FilingRecord.id == ConsignmentMember.filing_id)
        .join(
            FilingVersion,
            (FilingVersion.filing_id == FilingRecord.id)
            & (FilingVersion.version == FilingRecord.current_version),
        )
        .where(ConsignmentMember.consignment_id == consignment_id)
        .order_by(ConsignmentMember.role != "core", FilingRecord.first_received_at)
    ).all()
    if not members:
        return None
    findings: dict[int, list[str]] = defaultdict(list)
    for vid, code in session.execute(
        select(QualityFinding.filing_version_id, QualityFinding.code).where(
            QualityFinding.filing_version_id.in_([v.id for _, _, v in members])
        )
    ):
        findings[vid].append(code)
    hits: list[ProfileHit] = []
    seen: set[tuple[str, int]] = set()
    aeo = False
    scores: list[float] = []
    for number, (_, filing, version) in enumerate(members):
        facts = filing_facts(
            session, version, filing, authority, findings.get(version.id, []), engine
        )
        if engine.scorer is not None:
            scores.append(engine.scorer.score(facts))
            for row in facts:
                row["model.score"] = scores[-1]
        if number == 0:
            aeo = bool(facts[0].get("trader.aeo"))
        for hit in engine.hits(facts):
            if (hit.profile_id, hit.version) in seen:
                continue
            seen.add((hit.profile_id, hit.version))
            hits.append(_from_filing(hit, filing))
    decision = decide(
        hits,
        aeo=aeo,
        declaration_key=f"consignment:{consignment.reference}",
        stratum="consignment",
        randomness=randomness,
    )
    explored = "random" if decision.random else None
    if scores and engine.scorer is not None:
        decision, explored = explore(
            decision,
            max(scores),
            engine.scorer.version,
            exploration if exploration is not None else Exploration(EXPLORATION_RATE),
            f"consignment:{consignment.reference}",
        )
    trigger_version = event.filing_version_id if event is not None else members[0][2].id
    assessment = Assessment(
        filing_version_id=trigger_version,
        consignment_id=consignment_id,
        authority_id=authority.id,
        trigger=f"consignment:{event.reason}"[:30] if event is not None else "consignment",
        decision=decision.decision.value,
        score=decision.score,
        random=decision.random,
        exploration=explored,
        stage=decision.stage.value if decision.stage else None,
        place=members[0][1].office,
        reasons=decision.reasons,
        instructions=decision.instructions[:8000],
        assessed_at=datetime.now(UTC),
    )
    session.add(assessment)
    session.flush()
    store_hits(session, [assessment])
    return assessment


def _from_filing(hit: ProfileHit, filing: FilingRecord) -> ProfileHit:
    """The hit, its reason naming the filing of the consignment it was found in."""
    return ProfileHit(
        hit.profile_id,
        hit.version,
        hit.spec,
        hit.row,
        hit.values,
        source={"filing_id": filing.id, "kind": filing.kind, "lrn": filing.lrn},
    )
