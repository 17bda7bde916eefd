"""Exploration: controls the model did not ask for, so that it keeps learning (issue 6
point 4).

A model trained on control results learns only where controls were made; if it chooses
every control, it only ever sees its own choices confirmed and never the fraud it has
stopped looking for. Two kinds of exploration break the loop:

- **random** — the RM-12 random draw (``risk.selection.RandomSelection``), whatever the
  score: an unbiased sample that estimates the true irregularity rate;
- **uncertainty** — declarations the model is least sure about are controlled with a
  chance ``rate × 4p(1−p)``: the full rate at p = 0.5, nothing at 0 or 1. Their results
  teach the model most per control.

Both draws are seeded by the declaration, so a re-assessment draws the same way.
Results are reported per kind of selection (risk-based, random, uncertainty): the hit
rate of risk-based controls measures targeting, the other two measure the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor, acting_for
from tollgate.controls.service import newest_results
from tollgate.controls.tables import ControlTask
from tollgate.monitoring.indicators import wilson
from tollgate.periods import check_period, day_bounds
from tollgate.risk.profiles import Control
from tollgate.risk.selection import seeded_draw
from tollgate.risk.tables import Assessment

__all__ = ["EXPLORATION_RATE", "KINDS", "Exploration", "SelectionResults", "exploration_results"]

KINDS = ("risk-based", "random", "uncertainty")
#: the default uncertainty share: at most 5% of declarations, at a score of 0.5
EXPLORATION_RATE = 0.05


@dataclass(frozen=True, slots=True)
class Exploration:
    """The uncertainty share of an authority's selection (the random share is RM-12's)."""

    rate: float = 0.0
    control: Control = Control.DOCUMENTARY
    seed: str = "tollgate-exploration"

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("the exploration rate is a share between 0 and 1")

    def uncertain(self, declaration_key: str, score: float) -> bool:
        """Whether this declaration is drawn for an uncertainty control."""
        return seeded_draw(self.seed, declaration_key, self.rate * 4 * score * (1 - score))


@dataclass(frozen=True, slots=True)
class SelectionResults:
    kind: str
    controls: int
    results: int
    irregular: int

    @property
    def rate(self) -> float | None:
        return self.irregular / self.results if self.results else None

    def as_dict(self) -> dict[str, Any]:
        interval = wilson(self.irregular, self.results)
        return {
            "kind": self.kind,
            "controls": self.controls,
            "results": self.results,
            "irregular": self.irregular,
            "rate": self.rate,
            "interval": list(interval) if interval is not None else None,
        }


def exploration_results(
    session: Session,
    *,
    actor: Actor,
    start: date,
    end: date,
    authority: str | None = None,
) -> list[SelectionResults]:
    """Controls of assessments made in the period, and their newest results, by how the
    declaration was selected."""
    actor.require(Permission.READ_PROFILES)
    owner = acting_for(session, actor, authority, "read the exploration results of")
    check_period(start, end)
    lo, hi = day_bounds(start, end)
    result = newest_results()
    rows = session.execute(
        select(ControlTask.id, ControlTask.random, Assessment.exploration, result.c.outcome)
        .join(Assessment, Assessment.id == ControlTask.assessment_id)
        .outerjoin(result, result.c.task_id == ControlTask.id)
        .where(
            ControlTask.authority_id == owner.id,
            Assessment.assessed_at >= lo,
            Assessment.assessed_at < hi,
        )
    ).all()
    counts = {kind: [0, 0, 0] for kind in KINDS}
    for _, random, kind, outcome in rows:
        bucket = counts["random" if random else (kind or "risk-based")]
        bucket[0] += 1
        if outcome is not None:
            bucket[1] += 1
            bucket[2] += outcome == "irregularity"
    return [SelectionResults(kind, *counts[kind]) for kind in KINDS]
