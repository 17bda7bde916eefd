"""Drift: is the active model still scoring the traffic it was trained for? (issue 6
point 6).

Two signals per period (month or ISO week) of real-time scores:

- **score distribution** — the population stability index of the period's scores over
  the model's reference deciles (the validation quarter's scores): 0 when the shape is
  unchanged; at 0.1 it is worth watching, at 0.25 the traffic has moved (new trade
  routes, a new declarant, a changed tariff) and the model's ranking is doubtful;
- **realised hit rate** — among the scored declarations with a recorded outcome, the
  share found irregular against the mean score the model gave them. A gap of more than
  three standard errors (binomial, at least 30 outcomes) says the probabilities no
  longer mean what they say, whichever way.

A period with either signal raises an alert: returned to the caller, audited, and the
CLI exits non-zero, so a scheduler or a monitoring probe notices without reading.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from tollgate.audit.log import record
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor, acting_for
from tollgate.errors import NotFound, ValidationFailed
from tollgate.periods import check_period, day_bounds
from tollgate.risk.backtest import recorded_outcomes
from tollgate.scoring.tables import ModelScore, ScoringModel

__all__ = ["PSI_ALERT", "PSI_WATCH", "DriftPeriod", "DriftReport", "drift", "psi"]

PSI_WATCH = 0.10
PSI_ALERT = 0.25
#: standard errors between realised and predicted rates before an alert
GAP_ALERT = 3.0
#: outcomes a period needs before its realised rate is judged
MIN_OUTCOMES = 30
PERIODS = ("month", "week")
_FLOOR = 1e-4


@dataclass(frozen=True, slots=True)
class DriftPeriod:
    period: str
    scored: int
    mean_score: float
    psi: float
    outcomes: int
    realised: float | None
    predicted: float | None
    alerts: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "scored": self.scored,
            "mean_score": self.mean_score,
            "psi": self.psi,
            "outcomes": self.outcomes,
            "realised": self.realised,
            "predicted": self.predicted,
            "alerts": self.alerts,
        }


@dataclass(frozen=True, slots=True)
class DriftReport:
    version: int
    periods: list[DriftPeriod]

    @property
    def alerts(self) -> list[str]:
        return [f"{p.period}: {a}" for p in self.periods for a in p.alerts]

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "periods": [p.as_dict() for p in self.periods],
            "alerts": self.alerts,
            "thresholds": {
                "psi_watch": PSI_WATCH,
                "psi_alert": PSI_ALERT,
                "gap_standard_errors": GAP_ALERT,
                "min_outcomes": MIN_OUTCOMES,
            },
        }


def psi(reference: list[float], scores: np.ndarray) -> float:
    """Population stability index of ``scores`` over the bins between the reference
    deciles (eleven edges, each bin a tenth of the reference)."""
    if len(reference) < 2 or not scores.size:
        return 0.0
    inner = np.asarray(reference[1:-1], dtype=np.float64)
    counts = np.bincount(np.searchsorted(inner, scores, side="right"), minlength=len(inner) + 1)
    actual = np.maximum(counts / scores.size, _FLOOR)
    expected = np.full(actual.size, 1 / actual.size)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def _period(when: datetime, unit: str) -> str:
    if unit == "week":
        year, week, _ = when.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{when.year}-{when.month:02d}"


def drift(
    session: Session,
    *,
    actor: Actor,
    start: date,
    end: date,
    period: str = "month",
    version: int | None = None,
    authority: str | None = None,
) -> DriftReport:
    """The drift of ``version`` (else the active model) over ``start``..``end``."""
    actor.require(Permission.READ_PROFILES)
    owner = acting_for(session, actor, authority, "monitor the scoring model of")
    check_period(start, end)
    if period not in PERIODS:
        raise ValidationFailed(
            f"period must be one of {', '.join(PERIODS)}, not {period!r}",
            details=[{"field": "period", "reason": "unknown period"}],
        )
    where = [ScoringModel.authority_id == owner.id]
    where.append(
        ScoringModel.version == version if version is not None else ScoringModel.status == "active"
    )
    stored = session.scalar(select(ScoringModel).where(*where))
    if stored is None:
        raise NotFound(
            f"{owner.code} has no "
            + (f"scoring model version {version}" if version else "active scoring model")
        )
    lo, hi = day_bounds(start, end)
    found = session.execute(
        select(ModelScore.filing_id, ModelScore.score, ModelScore.scored_at).where(
            ModelScore.model_id == stored.id,
            ModelScore.scored_at >= lo,
            ModelScore.scored_at < hi,
        )
    ).all()
    outcomes = recorded_outcomes(session, {f for f, _, _ in found})
    grouped: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for filing_id, score, scored_at in found:
        grouped[_period(scored_at, period)].append((filing_id, score))
    periods = [
        _judge(key, rows, list(stored.reference), outcomes) for key, rows in sorted(grouped.items())
    ]
    report = DriftReport(stored.version, periods)
    if report.alerts:
        record(
            session,
            actor=actor,
            action="scoring_drift_alert",
            object_type="scoring_model",
            object_id=f"{owner.code}/v{stored.version}",
            detail={"alerts": report.alerts[:50]},
        )
    return report


def _judge(
    key: str, rows: list[tuple[int, float]], reference: list[float], outcomes: dict[int, bool]
) -> DriftPeriod:
    scores = np.array([s for _, s in rows], dtype=np.float64)
    index = psi(reference, scores)
    known = [(outcomes[f], s) for f, s in rows if f in outcomes]
    realised = predicted = None
    alerts: list[str] = []
    if index >= PSI_ALERT:
        alerts.append(f"score distribution shifted (PSI {index:.2f} ≥ {PSI_ALERT})")
    if known:
        realised = sum(1 for irregular, _ in known if irregular) / len(known)
        predicted = sum(s for _, s in known) / len(known)
        if len(known) >= MIN_OUTCOMES:
            spread = math.sqrt(max(predicted * (1 - predicted), 1e-6) / len(known))
            gap = (realised - predicted) / spread
            if abs(gap) >= GAP_ALERT:
                alerts.append(
                    f"realised hit rate {realised:.1%} against {predicted:.1%} predicted "
                    f"over {len(known)} outcomes ({gap:+.1f} standard errors)"
                )
    return DriftPeriod(
        key, len(rows), float(scores.mean()), index, len(known), realised, predicted, alerts
    )
