"""What control results teach the profiles (issue 4 point 3; RM-12, RM-22).

Each result is attributed to the profile versions that hit in the assessment its task
came from: an irregularity makes every one of them a true hit, a clean control a false
positive. Per profile version that gives the hits, the controls they caused (workload),
the results, the hit rate (true hits over results) and the detection value (duties at
stake found). Random controls are counted apart (RM-12): a profile's hit rate is judged
on the controls it asked for, not on the random draw that happened to pick the same goods.

The evaluation cycle lists the profiles a risk analyst should review, each with its
reason and evidence: never hitting in the period (dead weight, or a broken condition),
a low hit rate on enough results to be sure, a large share of the authority's controls,
or a validity that ends soon.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor, acting_for
from tollgate.controls.service import newest_results
from tollgate.controls.tables import ControlTask
from tollgate.periods import check_period, day_bounds
from tollgate.risk.tables import Assessment, AssessmentHit


@dataclass(slots=True)
class ProfilePerformance:
    profile_id: str
    version: int
    hits: int = 0
    controls: int = 0
    random_controls: int = 0
    results: int = 0
    true_hits: int = 0
    false_positives: int = 0
    duties_found: float = 0.0
    #: month (YYYY-MM) -> [hits, results, true hits]
    by_month: dict[str, list[int]] = field(default_factory=dict)

    @property
    def hit_rate(self) -> float | None:
        return self.true_hits / self.results if self.results else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "profile_id": self.profile_id,
            "version": self.version,
            "hits": self.hits,
            "controls": self.controls,
            "random_controls": self.random_controls,
            "results": self.results,
            "true_hits": self.true_hits,
            "false_positives": self.false_positives,
            "hit_rate": None if self.hit_rate is None else round(self.hit_rate, 4),
            "duties_found": round(self.duties_found, 2),
            "by_month": [
                {"month": m, "hits": h, "results": r, "true_hits": t}
                for m, (h, r, t) in sorted(self.by_month.items())
            ],
        }


def _window(start: date, end: date) -> tuple[datetime, datetime]:
    check_period(start, end)
    return day_bounds(start, end)


def profile_performance(
    session: Session, actor: Actor, *, start: date, end: date, authority: str | None = None
) -> list[ProfilePerformance]:
    """Per profile version, over the assessments of ``start``..``end``: hits, controls,
    results (the newest version of each), true hits, false positives, duties found."""
    actor.require(Permission.READ_PROFILES)
    owner = acting_for(session, actor, authority, "read the profile performance of")
    lo, hi = _window(start, end)
    result = newest_results()
    in_period = (
        (Assessment.authority_id == owner.id)
        & (Assessment.assessed_at >= lo)
        & (Assessment.assessed_at < hi)
    )
    out: dict[tuple[str, int], ProfilePerformance] = {}

    def of(profile_id: str, version: int) -> ProfilePerformance:
        found = out.get((profile_id, version))
        if found is None:
            found = out[(profile_id, version)] = ProfilePerformance(profile_id, version)
        return found

    # hits: on the declarations themselves (a consignment's assessment repeats them)
    for profile_id, version, assessed_at in session.execute(
        select(AssessmentHit.profile_id, AssessmentHit.version, Assessment.assessed_at)
        .join(Assessment, Assessment.id == AssessmentHit.assessment_id)
        .where(in_period, Assessment.consignment_id.is_(None))
    ):
        p = of(profile_id, version)
        p.hits += 1
        p.by_month.setdefault(assessed_at.strftime("%Y-%m"), [0, 0, 0])[0] += 1
    # controls and results: through the task of the assessment that decided
    for profile_id, version, assessed_at, random, outcome, duties in session.execute(
        select(
            AssessmentHit.profile_id,
            AssessmentHit.version,
            Assessment.assessed_at,
            ControlTask.random,
            result.c.outcome,
            result.c.duties_at_stake,
        )
        .join(Assessment, Assessment.id == AssessmentHit.assessment_id)
        .join(ControlTask, ControlTask.assessment_id == Assessment.id)
        .outerjoin(result, result.c.task_id == ControlTask.id)
        .where(in_period)
    ):
        p = of(profile_id, version)
        if random:
            p.random_controls += 1
            continue
        p.controls += 1
        if outcome is None:
            continue
        month = p.by_month.setdefault(assessed_at.strftime("%Y-%m"), [0, 0, 0])
        p.results += 1
        month[1] += 1
        if outcome == "irregularity":
            p.true_hits += 1
            p.duties_found += float(duties or 0)
            month[2] += 1
        else:
            p.false_positives += 1
    return sorted(out.values(), key=lambda p: (p.profile_id, p.version))


@dataclass(frozen=True, slots=True)
class ReviewItem:
    profile_id: str
    version: int
    reason: str
    evidence: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "profile_id": self.profile_id,
            "version": self.version,
            "reason": self.reason,
            "evidence": self.evidence,
        }


def evaluation_cycle(
    session: Session,
    actor: Actor,
    *,
    start: date,
    end: date,
    authority: str | None = None,
    min_results: int = 20,
    low_hit_rate: float = 0.05,
    workload_share: float = 0.25,
    expiring_within: int = 30,
) -> list[ReviewItem]:
    """The active profiles to review after ``start``..``end``, each with its reason and
    evidence (see the module docstring); a profile can be listed for several reasons."""
    actor.require(Permission.READ_PROFILES)
    owner = acting_for(session, actor, authority, "review the profiles of")
    from tollgate.risk.service import Engine

    engine = Engine(session, owner, on=end)
    figures = {
        (p.profile_id, p.version): p
        for p in profile_performance(session, actor, start=start, end=end, authority=owner.code)
    }
    all_controls = sum(p.controls for p in figures.values())
    out: list[ReviewItem] = []
    for loaded in engine.profiles:
        key = (loaded.profile_id, loaded.version)
        p = figures.get(key) or ProfilePerformance(*key)
        if p.hits == 0:
            out.append(ReviewItem(*key, "never hit", {"period": f"{start}..{end}"}))
        rate = p.hit_rate
        if rate is not None and p.results >= min_results and rate < low_hit_rate:
            out.append(
                ReviewItem(
                    *key,
                    "low hit rate",
                    {"results": p.results, "true_hits": p.true_hits, "hit_rate": round(rate, 4)},
                )
            )
        if all_controls and p.controls / all_controls > workload_share:
            out.append(
                ReviewItem(
                    *key,
                    "high workload",
                    {
                        "controls": p.controls,
                        "share": round(p.controls / all_controls, 4),
                        "hit_rate": None if rate is None else round(rate, 4),
                    },
                )
            )
        valid_to = loaded.spec.valid_to
        if valid_to is not None and valid_to <= end + timedelta(days=expiring_within):
            out.append(ReviewItem(*key, "expiring", {"valid_to": valid_to.isoformat()}))
    grouped: dict[str, list[ReviewItem]] = defaultdict(list)
    for item in out:
        grouped[item.profile_id].append(item)
    return [item for pid in sorted(grouped) for item in grouped[pid]]
