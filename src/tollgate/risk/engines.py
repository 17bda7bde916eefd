"""Compiled engines kept between requests, for the real-time path of the HTTP API.

Building ``service.Engine`` for an authority reads, validates, parses, compiles and
indexes every profile it applies: hundreds of milliseconds with 1,000 active profiles,
against a budget of a millisecond per assessment. So each API process keeps one engine
per authority and rebuilds it only when the profiles or lists could have changed.

How a change is noticed. Profiles and lists are append-only (``risk.tables``): every
import, status change and list replacement adds a row, none is updated or deleted. The
*generation* of the stored rule set is therefore the row count and the highest id of
``risk_profile_versions`` and ``managed_list_versions`` (``VERSIONED``), plus today's
date (a profile's validity period starts and ends with the day). The count is what makes it safe: on
PostgreSQL ids are allocated before commit, so a transaction that commits late can add
a row *below* the highest id already seen, which ``max(id)`` alone would miss forever;
the count of an append-only table grows with every committed insert whatever its id.

The same holds for the credibility rule sets (RM-9), which every assessment also applies,
and the unit-value benchmark sets (RM-15) the engine carries: their tables are part of
the generation, the compiled ``Checks`` and the engine's benchmarks part of the entry.
An input the assessment comes to read from another versioned table belongs in
``VERSIONED`` too. The active scoring model (issue 6) is not append-only: activation
changes a version's status. Every activation stamps ``activated_at``, so the count of
stamped versions and the latest stamp join the generation instead.

When it is checked. Asking on every request would cost a database round trip per
assessment, which the real-time path cannot afford, so the generation is read at most
once per ``max_age`` seconds (default 1 s). Writes made through this API call
``invalidate``, which makes the process check again on every request for the next
``max_age * 3`` seconds, so the process that made a change sees it as soon as its
transaction has committed (the session commits after the route returns, possibly after
the response left). Other worker processes and the CLI are seen within ``max_age``. That
is the whole staleness: a suspended profile stops hitting within a second everywhere, at
once where it was suspended. A pure invalidate-on-write cache could not promise even
that, because several uvicorn workers do not share memory and the CLI writes the same
tables; a check on every request could, at the price of the round trip.

A rebuild holds a lock, so concurrent requests of one process wait for one build
instead of each building its own.

The other caches here serve the same path: ``TraderCache`` (the register's view of the
trader and the first-time-trader fact, without two queries per request) and
``ActorCache`` (the caller's authentication, which costs a session and a three-table
query, 400 µs, more than assessing the filing does).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tollgate.authorities.service import Actor, hash_token
from tollgate.authorities.tables import Authority
from tollgate.declarations.models import AnyFiling
from tollgate.declarations.tables import FilingRecord
from tollgate.errors import NotFound
from tollgate.quality.checks import check_filing, quality_score
from tollgate.risk.credibility import Checks, active_checks, item_numbers, review
from tollgate.risk.facts import Context, Trader, rows_of, trader_eori
from tollgate.risk.language import fields_of
from tollgate.risk.selection import decide
from tollgate.risk.service import Engine
from tollgate.risk.tables import (
    CredibilityRuleSet,
    ManagedListVersion,
    RiskProfileVersion,
    UnitValueBenchmark,
)
from tollgate.scoring.tables import ScoringModel
from tollgate.traders.service import traders_for

#: the append-only tables whose rows an assessment reads (see the module docstring)
VERSIONED = (RiskProfileVersion, ManagedListVersion, CredibilityRuleSet, UnitValueBenchmark)
Generation = tuple[tuple[int, ...], date]
#: what a dry run needs to know of a trader: the register's view (None: not registered)
#: and whether it has filed with the authority before
TraderFacts = tuple[Trader | None, bool]


@dataclass(frozen=True, slots=True)
class CachedEngine:
    """An authority's compiled engine with what a request needs beside it (copied out of
    the ORM objects, which are detached once the building session closes)."""

    engine: Engine
    checks: Checks
    authority_id: int
    authority_code: str
    country: str | None
    generation: Generation
    #: every fact field the active profiles read
    reads: frozenset[str]
    #: whether any reads the quality facts: a dry run checks the filing only then
    reads_quality: bool
    built_ms: float

    @property
    def size(self) -> int:
        return len(self.engine.profiles)


def generation(session: Session) -> Generation:
    """The generation of what assessments read (see the module docstring), in one query."""
    columns = []
    for table in VERSIONED:
        columns.append(select(func.count(table.id)).scalar_subquery())
        columns.append(select(func.coalesce(func.max(table.id), 0)).scalar_subquery())
    columns.append(select(func.count(ScoringModel.activated_at)).scalar_subquery())
    columns.append(select(func.max(ScoringModel.activated_at)).scalar_subquery())
    *counts, activated = session.execute(select(*columns)).one()
    stamp = _microseconds(activated)
    return (*(int(n) for n in counts), stamp), datetime.now(UTC).date()


def _microseconds(value: Any) -> int:
    """A timestamp as an integer (SQLite may hand back the stored text)."""
    if value is None:
        return 0
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return int(value.replace(tzinfo=None).timestamp() * 1_000_000)


class EngineCache:
    """One compiled ``Engine`` per authority, shared by the requests of one process."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        *,
        max_age: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._factory = factory
        self.max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[int, CachedEngine] = {}
        self._generation: Generation | None = None
        self._checked_at = float("-inf")
        self._eager_until = float("-inf")
        self.builds = 0

    def fresh(self, authority_id: int) -> CachedEngine | None:
        """The cached engine if no check is due (no I/O, safe on the event loop), else
        None: then call ``get``."""
        now = self._clock()
        if now - self._checked_at >= self.max_age or now < self._eager_until:
            return None
        return self._entries.get(authority_id)

    def get(self, authority_id: int) -> CachedEngine:
        """The engine of this authority, checked against the stored generation if the
        last check is older than ``max_age`` (or a write asked for eager checks)."""
        entry = self.fresh(authority_id)
        if entry is not None:
            return entry
        with self._lock:
            now = self._clock()
            with self._factory() as session:
                due = now - self._checked_at >= self.max_age or now < self._eager_until
                if due:
                    current = generation(session)
                    if current != self._generation:
                        self._entries.clear()
                        self._generation = current
                    self._checked_at = now
                entry = self._entries.get(authority_id)
                if entry is None:
                    entry = self._build(session, authority_id)
                    self._entries[authority_id] = entry
                return entry

    def _build(self, session: Session, authority_id: int) -> CachedEngine:
        authority = session.get(Authority, authority_id)
        if authority is None:
            raise NotFound(f"no authority {authority_id}")
        assert self._generation is not None
        t0 = time.perf_counter()
        engine = Engine(session, authority)
        checks = active_checks(session, authority)
        reads: set[str] = set()
        for _, node in engine.conditions():
            reads.update(fields_of(node))
        self.builds += 1
        return CachedEngine(
            engine=engine,
            checks=checks,
            authority_id=authority.id,
            authority_code=authority.code,
            country=authority.country,
            generation=self._generation,
            reads=frozenset(reads),
            reads_quality=any(f.startswith("quality.") for f in reads),
            built_ms=(time.perf_counter() - t0) * 1000,
        )

    def invalidate(self) -> None:
        """A write went through this process: check the generation on every request for a
        while, so the change is seen as soon as its transaction has committed."""
        self._eager_until = self._clock() + 3 * self.max_age
        self._checked_at = float("-inf")


def dry_run_context(
    entry: CachedEngine, filing: AnyFiling, trader: TraderFacts, received_at: datetime
) -> Context:
    """What the stored path (``service.filing_facts``) knows beside the document: the
    authority's unit-value benchmarks (in the engine), the trader as the register knows
    it and whether it filed before (``TraderCache``), and the quality facts, from the
    DQ-1..DQ-5 checks when an active profile reads them (DQ-6 needs the other stored
    layers of the consignment, which a dry run does not have)."""
    eori = trader_eori(filing)
    registered, filed_before = trader
    context = Context(
        benchmarks=entry.engine.benchmarks,
        traders={eori: registered} if registered is not None else {},
        known_traders=frozenset({eori}) if filed_before else frozenset(),
    )
    if entry.reads_quality:
        findings = check_filing(filing, received_at=received_at)
        context.quality_codes = tuple(f.code for f in findings)
        context.quality_score = quality_score(findings)
    return context


def assess_document(entry: CachedEngine, filing: AnyFiling, context: Context) -> dict[str, Any]:
    """A dry-run assessment of one filing: the steps of ``service.assess_versions`` for one
    stored version (facts, profile hits, decision, credibility review) without random
    selection (a dry run must not reveal it) and without storing anything. Keep the two
    in step; a shared function in ``service`` would make that automatic."""
    rows = rows_of(filing, entry.country or filing.office[:2], context)
    scorer = entry.engine.scorer
    score = scorer.score(rows) if scorer is not None else None
    if score is not None:
        for row in rows:
            row["model.score"] = score
    decision = decide(
        entry.engine.hits(rows),
        aeo=bool(rows[0].get("trader.aeo")),
        declaration_key=f"{filing.kind}:{filing.filer}:{filing.lrn}:dry-run",
        stratum=filing.kind,
        randomness=None,
    )
    if score is not None and scorer is not None:
        # no exploration draw: like the random one, a dry run must not reveal it
        reason = {"model_version": scorer.version, "model_score": round(score, 4)}
        decision = replace(decision, reasons=[*decision.reasons, reason])
    reviewed = review(decision, entry.checks.check(rows, item_numbers(filing)))
    return {
        "authority": entry.authority_code,
        "decision": reviewed.decision,
        "score": decision.score,
        "model_score": score,
        "stage": reviewed.stage,
        "reasons": reviewed.reasons,
        "instructions": reviewed.instructions,
        "profiles": entry.size,
        "stored": False,
    }


class TraderCache:
    """The trader facts of ``service.filing_facts`` (the register's AEO status and segment,
    RM-23, RM-24, and whether the trader filed before, ``trader.first_time``) for dry runs,
    without two queries per request.

    Kept ``max_age`` seconds (default 30) per trader, authority and day (AEO validity
    depends on the day): a register change, or a trader's first filing, shows in dry runs
    within that time. The register is updated in place, so unlike the rule set it has no
    cheap generation to compare; and its changes are reference-data updates, for which
    half a minute is no delay that matters to a dry run, which stores nothing."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        *,
        size: int = 200_000,
        max_age: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._factory = factory
        self._size = size
        self.max_age = max_age
        self._clock = clock
        self._facts: dict[tuple[int, str, date], tuple[TraderFacts, float]] = {}

    def cached(self, authority_id: int, eori: str, on: date) -> TraderFacts | None:
        """The facts if they are cached (no I/O), else None: then call ``lookup``."""
        found = self._facts.get((authority_id, eori, on))
        if found is None or self._clock() >= found[1]:
            return None
        return found[0]

    def lookup(self, authority_id: int, eori: str, on: date) -> TraderFacts:
        cached = self.cached(authority_id, eori, on)
        if cached is not None:
            return cached
        with self._factory() as session:
            trader = traders_for(session, authority_id, [eori], on).get(eori)
            filed = session.scalar(
                select(FilingRecord.id)
                .where(FilingRecord.authority_id == authority_id, FilingRecord.filer == eori)
                .limit(1)
            )
        facts = (trader, filed is not None)
        if len(self._facts) >= self._size:
            now = self._clock()
            self._facts = {k: v for k, v in self._facts.items() if v[1] > now}
            if len(self._facts) >= self._size:
                self._facts.clear()
        self._facts[(authority_id, eori, on)] = (facts, self._clock() + self.max_age)
        return facts


class ActorCache:
    """Callers authenticated in the last ``max_age`` seconds (default 1), by the hash of
    their ``Authorization`` header, for the dry-run route only.

    ``authorities.service.authenticate`` opens a session and joins token, user and
    authority on every request: half the CPU a dry run costs. Kept for a second, a token
    revoked, expired or whose user was deactivated or given other roles still works on
    that route for at most ``max_age`` seconds after the change, and on no other route.
    Only successes are kept: an unknown token is looked up every time."""

    def __init__(
        self,
        *,
        max_age: float = 1.0,
        size: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_age = max_age
        self._size = size
        self._clock = clock
        self._actors: dict[str, tuple[Actor, float]] = {}

    def get(self, authorization: str) -> Actor | None:
        found = self._actors.get(hash_token(authorization))
        if found is None or self._clock() >= found[1]:
            return None
        return found[0]

    def put(self, authorization: str, actor: Actor) -> None:
        if len(self._actors) >= self._size:
            self._actors.clear()  # rare: more distinct callers in a second than ``size``
        self._actors[hash_token(authorization)] = (actor, self._clock() + self.max_age)


@dataclass(frozen=True, slots=True)
class RealTime:
    """The caches of one application process (kept in its ``app.state``)."""

    engines: EngineCache
    traders: TraderCache
    actors: ActorCache

    @classmethod
    def of(cls, factory: sessionmaker[Session]) -> RealTime:
        return cls(EngineCache(factory), TraderCache(factory), ActorCache())
