"""The learner: gradient-boosted trees (LightGBM) over ``features``.

Boosted trees suit declarations: mixed codes and numbers, missing values everywhere,
interactions (this trader, with this code) that matter more than any single value, and
prediction in a hundred microseconds. The settings are fixed here, chosen once on the
validation quarter and documented, so that a retrain is reproducible: an analyst who
wants another learner writes another module, not another set of knobs.

Training stops early on the validation period when one is given (the period after the
training window, never a random split); the number of trees it found is kept, so that a
refit on training and validation together grows exactly as many.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np

__all__ = ["PARAMS", "Trained", "explain", "load", "predict", "train"]

#: LightGBM settings (binary objective); ``num_threads`` is left to OpenMP's default
PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.2,
    "num_leaves": 63,
    "min_data_in_leaf": 20,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "feature_fraction": 0.7,
    "cat_smooth": 10.0,
    "max_cat_to_onehot": 4,
    "seed": 20_260_101,
    "deterministic": True,
    "verbosity": -1,
}
#: the most trees grown; early stopping usually ends well before (and a tree budget is a
#: latency budget: the real-time path walks every tree)
MAX_TREES = 1000
#: trees without improvement on the validation period before training stops
PATIENCE = 60


@dataclass(frozen=True, slots=True)
class Trained:
    booster: lgb.Booster
    trees: int
    #: log loss on the validation rows at ``trees`` (None without validation)
    loss: float | None = None

    def dumps(self) -> str:
        return str(self.booster.model_to_string(num_iteration=self.trees))


def train(
    matrix: np.ndarray,
    labels: np.ndarray,
    *,
    names: Sequence[str],
    categorical: Sequence[int],
    valid: tuple[np.ndarray, np.ndarray] | None = None,
    trees: int | None = None,
) -> Trained:
    """Fit on labelled rows (labels 0/1). With ``valid``, stop early on its log loss."""
    data = lgb.Dataset(
        matrix,
        label=labels,
        feature_name=[_safe(n) for n in names],
        categorical_feature=list(categorical),
        free_raw_data=True,
    )
    rounds = trees or MAX_TREES
    callbacks: list[Any] = []
    sets: list[lgb.Dataset] = []
    if valid is not None and trees is None:
        sets = [lgb.Dataset(valid[0], label=valid[1], reference=data)]
        callbacks.append(lgb.early_stopping(PATIENCE, verbose=False))
    booster = lgb.train(
        {**PARAMS, "metric": "binary_logloss"},
        data,
        num_boost_round=rounds,
        valid_sets=sets,
        callbacks=callbacks,
    )
    best = booster.best_iteration if sets and booster.best_iteration > 0 else rounds
    loss = None
    if sets:
        loss = float(booster.best_score["valid_0"]["binary_logloss"])
    return Trained(booster, int(best), loss)


def load(text: str) -> lgb.Booster:
    return lgb.Booster(model_str=text)


def predict(booster: lgb.Booster, matrix: np.ndarray, *, threads: int = 0) -> np.ndarray:
    """Probabilities of an irregularity. One thread for a single declaration: starting
    OpenMP's team costs more than the trees."""
    if threads:
        return np.asarray(booster.predict(matrix, num_threads=threads), dtype=np.float64)
    return np.asarray(booster.predict(matrix), dtype=np.float64)


def explain(
    booster: lgb.Booster, vector: np.ndarray, names: Sequence[str], *, top: int = 5
) -> list[tuple[str, float]]:
    """The features that raised this declaration's score most, with their contribution
    (TreeSHAP, in log-odds: positive raises the score). Costs milliseconds, so it is
    computed on demand, not in the real-time path."""
    contributions = np.asarray(
        booster.predict(vector.reshape(1, -1), pred_contrib=True, num_threads=1)
    )[0][:-1]
    order = np.argsort(-contributions, kind="stable")
    return [
        (names[i], float(contributions[i]))
        for i in order[:top]
        if contributions[i] > 0 and not math.isnan(contributions[i])
    ]


def importance(booster: lgb.Booster, names: Sequence[str]) -> list[tuple[str, float]]:
    """Total gain per feature, largest first, as shares of the whole."""
    gains = np.asarray(booster.feature_importance(importance_type="gain"), dtype=np.float64)
    total = float(gains.sum()) or 1.0
    order = np.argsort(-gains, kind="stable")
    return [(names[i], float(gains[i] / total)) for i in order if gains[i] > 0]


def _safe(name: str) -> str:
    """LightGBM refuses some characters in feature names (JSON special characters)."""
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
