"""How good a ranking is at selecting controls: precision and recall at n%, AUC and
calibration.

A customs authority inspects a fixed share of declarations, so the question a model
answers is "of the n% it ranks highest, how many are irregular?" (precision@n) and "how
many of all irregular ones are among them?" (recall@n), as the KCS paper reports them.
AUC summarises the whole ranking; calibration says whether a score of 0.3 really means
three in ten, which matters once scores are shown to officers and read by profiles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["SHARES", "Evaluation", "evaluate"]

#: the inspection shares reported (1, 2, 5 and 10% of declarations)
SHARES: tuple[float, ...] = (0.01, 0.02, 0.05, 0.10)
#: calibration bins (equal counts of declarations, by score)
BINS = 10


@dataclass(frozen=True, slots=True)
class Evaluation:
    declarations: int
    irregular: int
    #: share -> (inspected, precision, recall)
    at: dict[float, tuple[int, float, float]]
    auc: float | None
    #: (mean score, observed irregular share, declarations) per bin, lowest scores first
    calibration: list[tuple[float, float, int]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "declarations": self.declarations,
            "irregular": self.irregular,
            "base_rate": self.irregular / self.declarations if self.declarations else None,
            "at": [
                {"share": s, "inspected": n, "precision": p, "recall": r}
                for s, (n, p, r) in sorted(self.at.items())
            ],
            "auc": self.auc,
            "calibration": [
                {"mean_score": m, "observed": o, "declarations": n} for m, o, n in self.calibration
            ],
        }

    @classmethod
    def from_dict(cls, body: dict[str, Any]) -> Evaluation:
        """The inverse of ``as_dict`` (stored validation figures, for reports)."""
        return cls(
            declarations=int(body["declarations"]),
            irregular=int(body["irregular"]),
            at={
                float(p["share"]): (int(p["inspected"]), float(p["precision"]), float(p["recall"]))
                for p in body["at"]
            },
            auc=body["auc"],
            calibration=[
                (float(c["mean_score"]), float(c["observed"]), int(c["declarations"]))
                for c in body["calibration"]
            ],
        )

    def precision(self, share: float) -> float:
        return self.at[share][1]


def evaluate(scores: np.ndarray, labels: np.ndarray) -> Evaluation:
    """Measure ``scores`` (higher = riskier) against 0/1 ``labels``.

    Ties at the cut are broken by order (a stable sort), so two runs over the same rows
    report the same figures."""
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    if scores.shape != labels.shape:
        raise ValueError("scores and labels differ in length")
    total = int(labels.size)
    irregular = int(labels.sum())
    order = np.argsort(-scores, kind="stable")
    ranked = labels[order]
    hits = np.cumsum(ranked)
    at: dict[float, tuple[int, float, float]] = {}
    for share in SHARES:
        inspected = max(1, int(total * share)) if total else 0
        found = int(hits[inspected - 1]) if inspected else 0
        at[share] = (
            inspected,
            found / inspected if inspected else 0.0,
            found / irregular if irregular else 0.0,
        )
    return Evaluation(total, irregular, at, _auc(scores, labels), _calibration(scores, labels))


def _auc(scores: np.ndarray, labels: np.ndarray) -> float | None:
    """The Mann-Whitney form: the chance a random irregular declaration outranks a
    random regular one, ties counting half."""
    positives = int(labels.sum())
    negatives = int(labels.size) - positives
    if not positives or not negatives:
        return None
    ranks = _average_ranks(scores)
    return float(
        (ranks[labels == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives)
    )


def _calibration(scores: np.ndarray, labels: np.ndarray) -> list[tuple[float, float, int]]:
    if not scores.size:
        return []
    order = np.argsort(scores, kind="stable")
    out = []
    for chunk in np.array_split(order, min(BINS, scores.size)):
        if chunk.size:
            out.append((float(scores[chunk].mean()), float(labels[chunk].mean()), int(chunk.size)))
    return out


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, tied values sharing the mean of the ranks they span."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    means = ends - (counts - 1) / 2.0
    return np.asarray(means[inverse], dtype=np.float64)
