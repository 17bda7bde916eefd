"""Learned scoring, as an authority runs it (issue 6 point 3; RM-15, RM-22).

Train a model on a window of the authority's own history, with the outcomes its controls
recorded (or ground truth loaded beside the filings), measure it on the period *after*
the window, keep it as a numbered version, activate one version at a time, and score
with it: in the real-time path (``Scorer``, within the risk engine's budget) and in
batch over the history store. Every step is authorised, and audited with its figures.

Chronology is enforced, never assumed: the validation period must start after the
training window ends. A random split would let the model learn next month's fraud from
its neighbours and report figures no authority would ever see live.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from threading import Lock
from typing import Any

import lightgbm as lgb
import numpy as np
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tollgate.audit.log import record
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor, acting_for
from tollgate.errors import NotFound, ValidationFailed
from tollgate.periods import check_period
from tollgate.risk.history import History
from tollgate.scoring import features, model
from tollgate.scoring.dataset import Rows, by_declaration, labelled_rows, read_rows
from tollgate.scoring.metrics import Evaluation, evaluate
from tollgate.scoring.tables import ScoringModel

__all__ = [
    "LEARNER",
    "Fitted",
    "Scorer",
    "Trained",
    "activate_model",
    "active_scorer",
    "evaluate_model",
    "fit_best",
    "get_model",
    "list_models",
    "scorer_for",
    "train_model",
]

LEARNER = f"lightgbm-{lgb.__version__}"
#: fewest labelled declarations of each class a model may be trained on
MIN_CLASS = 20

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Trained:
    model: ScoringModel
    evaluation: Evaluation | None
    seconds: dict[str, float]


def _quiet(_: str) -> None:
    return None


def train_model(
    session: Session,
    history: History,
    *,
    actor: Actor,
    train: tuple[date, date],
    validate: tuple[date, date] | None = None,
    refit: bool = False,
    authority: str | None = None,
    progress: Progress = _quiet,
) -> Trained:
    """Train, measure on ``validate`` and store a new candidate version (audited).

    With ``refit`` the stored model is trained again on the training and validation
    rows together, with the number of trees validation chose: the figures stay those of
    the validation period, the model is the one to deploy on the period after it."""
    actor.require(Permission.MANAGE_PROFILES)
    owner = acting_for(session, actor, authority, "train a scoring model for")
    check_period(*train)
    if validate is not None:
        check_period(*validate)
        if validate[0] <= train[1]:
            raise ValidationFailed(
                "the validation period must start after the training window ends "
                f"({train[1].isoformat()}): models are measured on the future, "
                "never on a random split",
                details=[{"field": "validate", "reason": "overlaps the training window"}],
            )
    elif refit:
        raise ValidationFailed("refit needs a validation period to choose the number of trees")
    clock: dict[str, float] = {}
    began = time.perf_counter()
    progress("reading the training window")
    rows = labelled_rows(session, history, owner.id, *train)
    _check_classes(rows, "training window")
    clock["read"] = time.perf_counter() - began
    valid_rows: Rows | None = None
    if validate is not None:
        valid_rows = labelled_rows(session, history, owner.id, *validate)
        _check_classes(valid_rows, "validation period")
    best = fit_best(rows, valid_rows, clock=clock, progress=progress)
    state, matrix, fitted, valid_matrix = best.state, best.matrix, best.trained, best.valid_matrix
    mask = rows.labelled
    evaluation: Evaluation | None = None
    reference_scores: np.ndarray
    if valid_rows is not None and valid_matrix is not None:
        scores = model.predict(fitted.booster, valid_matrix)
        _, declared, labels = by_declaration(valid_rows, scores)
        known = labels >= 0
        evaluation = evaluate(declared[known], labels[known])
        reference_scores = declared
    else:
        scores = model.predict(fitted.booster, matrix)
        reference_scores = by_declaration(rows, scores)[1]
    window = train
    if refit and validate is not None and valid_rows is not None:
        progress("refitting on training and validation rows")
        began = time.perf_counter()
        window = (train[0], validate[1])
        rows = labelled_rows(session, history, owner.id, *window)
        state, matrix = features.fit(
            rows.table, rows.labels, rows.days, history=bool(state.entities)
        )
        mask = rows.labelled
        fitted = model.train(
            matrix[mask],
            rows.labels[mask],
            names=state.names,
            categorical=state.categorical,
            trees=fitted.trees,
        )
        clock["refit"] = time.perf_counter() - began
    version = (
        session.scalar(
            select(func.max(ScoringModel.version)).where(ScoringModel.authority_id == owner.id)
        )
        or 0
    ) + 1
    stored = ScoringModel(
        authority_id=owner.id,
        version=version,
        status="candidate",
        learner=LEARNER,
        train_start=window[0],
        train_end=window[1],
        valid_start=validate[0] if validate else None,
        valid_end=validate[1] if validate else None,
        refit=refit,
        rows=len(rows),
        labelled=int(mask.sum()),
        irregular=int((rows.labels == 1).sum()),
        trees=fitted.trees,
        features=state.names,
        metrics=evaluation.as_dict() if evaluation is not None else None,
        importance=[[n, g] for n, g in model.importance(fitted.booster, state.names)],
        reference=_deciles(reference_scores),
        state=state.dumps(),
        booster=zlib.compress(fitted.dumps().encode(), 6),
        trained_by=actor.username,
        trained_at=datetime.now(UTC),
        activated_at=None,
    )
    session.add(stored)
    session.flush()
    record(
        session,
        actor=actor,
        action="scoring_model_trained",
        object_type="scoring_model",
        object_id=f"{owner.code}/v{version}",
        detail={
            "train": [window[0].isoformat(), window[1].isoformat()],
            "validate": [validate[0].isoformat(), validate[1].isoformat()] if validate else None,
            "rows": stored.rows,
            "labelled": stored.labelled,
            "trees": stored.trees,
            "entity_histories": bool(state.entities),
            "precision_at_5": evaluation.precision(0.05) if evaluation else None,
            "auc": evaluation.auc if evaluation else None,
        },
    )
    return Trained(stored, evaluation, clock)


@dataclass(frozen=True, slots=True)
class Fitted:
    state: features.FeatureState
    #: feature matrix of the training rows
    matrix: np.ndarray
    trained: model.Trained
    #: feature matrix of the validation rows (None without them)
    valid_matrix: np.ndarray | None


def fit_best(
    rows: Rows,
    valid_rows: Rows | None,
    *,
    clock: dict[str, float] | None = None,
    progress: Progress = _quiet,
) -> Fitted:
    """Features and trees for ``rows``, chosen on ``valid_rows`` when given.

    The entity histories are what a targeting officer knows of a trader, but where the
    identifiers carry no signal (synthetic data, a register reissued) they are noise the
    trees overfit. So with validation rows both feature sets are trained and the one with
    the lower validation loss is kept: the future decides, as it decides the number of
    trees. Without them, the full set is used. ``clock`` collects the seconds spent."""

    clock = clock if clock is not None else {}
    best: Fitted | None = None
    for with_history in (True, False) if valid_rows is not None else (True,):
        began = time.perf_counter()
        what = "with" if with_history else "without"
        progress(f"building features of {len(rows):,} rows ({what} entity histories)")
        state, matrix = features.fit(rows.table, rows.labels, rows.days, history=with_history)
        valid_matrix = state.transform(valid_rows.table) if valid_rows is not None else None
        clock["features"] = clock.get("features", 0.0) + time.perf_counter() - began
        progress(f"training ({what} entity histories)")
        began = time.perf_counter()
        trained = model.train(
            matrix[rows.labelled],
            rows.labels[rows.labelled],
            names=state.names,
            categorical=state.categorical,
            valid=None
            if valid_rows is None or valid_matrix is None
            else (valid_matrix[valid_rows.labelled], valid_rows.labels[valid_rows.labelled]),
        )
        clock["train"] = clock.get("train", 0.0) + time.perf_counter() - began
        if best is None or _loss(trained) < _loss(best.trained):
            best = Fitted(state, matrix, trained, valid_matrix)
    assert best is not None
    return best


def _loss(fitted: model.Trained) -> float:
    return fitted.loss if fitted.loss is not None else float("inf")


def _check_classes(rows: Rows, what: str) -> None:
    labels = rows.labels[rows.labelled]
    irregular = int(labels.sum())
    regular = int(labels.size) - irregular
    if irregular < MIN_CLASS or regular < MIN_CLASS:
        raise ValidationFailed(
            f"the {what} holds {regular} regular and {irregular} irregular declarations "
            f"with a recorded outcome; a model needs at least {MIN_CLASS} of each "
            "(refresh the history store, or widen the period)",
            details=[{"field": what, "regular": regular, "irregular": irregular}],
        )


def _deciles(scores: np.ndarray) -> list[float]:
    if not scores.size:
        return []
    return [float(q) for q in np.quantile(scores, np.linspace(0, 1, 11))]


# -- versions ------------------------------------------------------------------------------


def _owned(session: Session, actor: Actor, authority: str | None, version: int) -> ScoringModel:
    owner = acting_for(session, actor, authority, "read the scoring models of")
    found = session.scalar(
        select(ScoringModel).where(
            ScoringModel.authority_id == owner.id, ScoringModel.version == version
        )
    )
    if found is None:
        raise NotFound(f"{owner.code} has no scoring model version {version}")
    return found


def get_model(
    session: Session, *, actor: Actor, version: int, authority: str | None = None
) -> ScoringModel:
    actor.require(Permission.READ_PROFILES)
    return _owned(session, actor, authority, version)


def list_models(
    session: Session,
    *,
    actor: Actor,
    authority: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[ScoringModel], int]:
    """Newest first, a page at a time, with the total."""
    actor.require(Permission.READ_PROFILES)
    owner = acting_for(session, actor, authority, "read the scoring models of")
    where = ScoringModel.authority_id == owner.id
    total = session.scalar(select(func.count()).select_from(ScoringModel).where(where)) or 0
    found = session.scalars(
        select(ScoringModel)
        .where(where)
        .order_by(ScoringModel.version.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(found), int(total)


def activate_model(
    session: Session, *, actor: Actor, version: int, authority: str | None = None
) -> ScoringModel:
    """Make ``version`` the one the real-time path uses; the previous one retires."""
    actor.require(Permission.MANAGE_PROFILES)
    found = _owned(session, actor, authority, version)
    if found.status == "retired":
        raise ValidationFailed(
            f"version {version} is retired; train a new version instead of reviving it"
        )
    session.execute(
        update(ScoringModel)
        .where(
            ScoringModel.authority_id == found.authority_id,
            ScoringModel.status == "active",
            ScoringModel.id != found.id,
        )
        .values(status="retired")
    )
    found.status = "active"
    found.activated_at = datetime.now(UTC)
    session.flush()
    record(
        session,
        actor=actor,
        action="scoring_model_activated",
        object_type="scoring_model",
        object_id=f"v{version}",
        detail={"authority_id": found.authority_id},
    )
    return found


# -- scoring -------------------------------------------------------------------------------


class Scorer:
    """One model version, ready to score fact rows: the real-time path's handle."""

    def __init__(self, stored: ScoringModel) -> None:
        self.model_id = stored.id
        self.version = stored.version
        self.authority_id = stored.authority_id
        self.state = features.FeatureState.loads(stored.state)
        self.booster = model.load(zlib.decompress(stored.booster).decode())
        self.reference = list(stored.reference)

    def score(self, rows: Sequence[Mapping[str, Any]]) -> float:
        """The declaration's probability of an irregularity: its riskiest item's."""
        if not rows:
            return 0.0
        vectors = self.state.encode_rows(rows)
        return float(model.predict(self.booster, vectors, threads=1).max())

    def explain(self, rows: Sequence[Mapping[str, Any]], top: int = 5) -> list[dict[str, Any]]:
        """What raised the riskiest item's score, in the analyst's words."""
        if not rows:
            return []
        vectors = self.state.encode_rows(rows)
        scores = model.predict(self.booster, vectors, threads=1)
        worst = int(np.argmax(scores))
        vector = vectors[worst]
        out = []
        for name, contribution in model.explain(self.booster, vector, self.state.names, top=top):
            index = self.state.names.index(name)
            out.append(
                {
                    "feature": name,
                    "value": _shown(vector[index], name, self.state),
                    "contribution": round(contribution, 4),
                    "item": worst,
                }
            )
        return out

    def score_matrix(self, matrix: np.ndarray) -> np.ndarray:
        return model.predict(self.booster, matrix)


def _shown(value: float, name: str, state: features.FeatureState) -> Any:
    """A feature's value as an analyst reads it: the code, not its vocabulary index."""
    if np.isnan(value):
        return None
    if name.startswith("code:"):
        vocabulary = state.codes.get(name[5:], [])
        index = int(value)
        return vocabulary[index] if 0 <= index < len(vocabulary) else "(unseen)"
    return round(float(value), 4)


_CACHE: dict[tuple[int, int, int, datetime], Scorer] = {}
_CACHE_LOCK = Lock()


def scorer_for(stored: ScoringModel) -> Scorer:
    """The scorer of a stored version, loaded once per process (versions never change).
    Keyed by more than the row id: a process that talks to two databases (tests, a
    restored backup) may meet the same id twice for different models."""
    key = (stored.id, stored.authority_id, stored.version, stored.trained_at)
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is None:
            found = _CACHE[key] = Scorer(stored)
        return found


def active_scorer(session: Session, authority_id: int) -> Scorer | None:
    stored = session.scalar(
        select(ScoringModel).where(
            ScoringModel.authority_id == authority_id, ScoringModel.status == "active"
        )
    )
    return scorer_for(stored) if stored is not None else None


def evaluate_model(
    session: Session,
    history: History,
    *,
    actor: Actor,
    version: int,
    start: date,
    end: date,
    authority: str | None = None,
) -> Evaluation:
    """Measure a stored version on a period after its window (audited)."""
    actor.require(Permission.READ_PROFILES)
    stored = _owned(session, actor, authority, version)
    check_period(start, end)
    if start <= stored.train_end:
        raise ValidationFailed(
            f"version {version} was trained on rows up to {stored.train_end.isoformat()}; "
            "measure it on a period after that"
        )
    rows = labelled_rows(session, history, stored.authority_id, start, end)
    _check_classes(rows, "evaluation period")
    scorer = scorer_for(stored)
    scores = scorer.score_matrix(scorer.state.transform(rows.table))
    _, declared, labels = by_declaration(rows, scores)
    known = labels >= 0
    evaluation = evaluate(declared[known], labels[known])
    record(
        session,
        actor=actor,
        action="scoring_model_evaluated",
        object_type="scoring_model",
        object_id=f"v{version}",
        detail={
            "start": start.isoformat(),
            "end": end.isoformat(),
            "declarations": evaluation.declarations,
            "precision_at_5": evaluation.precision(0.05),
            "auc": evaluation.auc,
        },
    )
    return evaluation


def score_history(
    session: Session,
    history: History,
    *,
    actor: Actor,
    start: date,
    end: date,
    version: int | None = None,
    authority: str | None = None,
) -> tuple[ScoringModel, int]:
    """Batch scoring: every declaration lodged in the period, scored by ``version`` (else
    the active one) into the history store's ``model_scores`` table, replacing earlier
    scores of the same version. Returns the version and the declarations scored."""
    actor.require(Permission.ASSESS)
    owner = acting_for(session, actor, authority, "score the history of")
    check_period(start, end)
    if version is None:
        stored = session.scalar(
            select(ScoringModel).where(
                ScoringModel.authority_id == owner.id, ScoringModel.status == "active"
            )
        )
        if stored is None:
            raise NotFound(f"{owner.code} has no active scoring model; name a version")
    else:
        stored = _owned(session, actor, authority, version)
    rows = read_rows(history, owner.id, start, end)
    scorer = scorer_for(stored)
    scores = scorer.score_matrix(scorer.state.transform(rows.table)) if len(rows) else np.zeros(0)
    ids, declared, _ = by_declaration(rows, scores)
    _store_scores(history, stored.version, owner.id, ids, declared)
    record(
        session,
        actor=actor,
        action="history_scored",
        object_type="scoring_model",
        object_id=f"{owner.code}/v{stored.version}",
        detail={"start": start.isoformat(), "end": end.isoformat(), "declarations": len(ids)},
    )
    return stored, len(ids)


#: the history store's table of batch scores: one row per (version, declaration)
SCORES_TABLE = "model_scores"


def _store_scores(
    history: History, version: int, authority_id: int, ids: np.ndarray, scores: np.ndarray
) -> None:
    """Replace the version's scores of these declarations in the history store, where
    back-tests and analysts' DuckDB queries can join them to the facts."""
    import pyarrow as pa

    batch = pa.table(
        {
            "version": pa.array(np.full(ids.size, version), pa.int32()),
            "authority_id": pa.array(np.full(ids.size, authority_id), pa.int64()),
            "declaration_id": pa.array(ids, pa.int64()),
            "score": pa.array(scores, pa.float64()),
        }
    )
    with history.connection() as con:
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {SCORES_TABLE} (version INTEGER, authority_id BIGINT, "
            "declaration_id BIGINT, score DOUBLE, PRIMARY KEY (version, declaration_id))"
        )
        con.register("tollgate_new_scores", batch)
        try:
            con.execute(
                f"INSERT OR REPLACE INTO {SCORES_TABLE} "  # noqa: S608 -- constants
                "SELECT version, authority_id, declaration_id, score FROM tollgate_new_scores"
            )
        finally:
            con.unregister("tollgate_new_scores")
