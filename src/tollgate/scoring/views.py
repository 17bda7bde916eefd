"""``/scoring``: model versions, a declaration's score with its reasons, drift and
exploration results (issue 6). Training runs from the CLI (minutes of CPU are not a
request); everything an analyst reads or decides afterwards is here."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from tollgate.api.deps import CurrentActor, FactoryDep, HistoryDep, PathId, SessionDep
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import acting_for
from tollgate.errors import NotFound
from tollgate.scoring import service
from tollgate.scoring.dataset import rows_of_filing
from tollgate.scoring.drift import drift
from tollgate.scoring.exploration import exploration_results
from tollgate.scoring.metrics import Evaluation
from tollgate.scoring.report import render_evaluation
from tollgate.scoring.tables import ScoringModel

router = APIRouter(prefix="/scoring", tags=["scoring"])

Authority = Annotated[str | None, Query(max_length=10, description="system operator only")]
Start = Annotated[date, Query(alias="from")]
End = Annotated[date, Query(alias="to")]


def _summary(m: ScoringModel) -> dict[str, Any]:
    return {
        "version": m.version,
        "status": m.status,
        "learner": m.learner,
        "train": {"from": m.train_start, "to": m.train_end},
        "validate": {"from": m.valid_start, "to": m.valid_end} if m.valid_start else None,
        "refit": m.refit,
        "rows": m.rows,
        "labelled": m.labelled,
        "irregular": m.irregular,
        "trees": m.trees,
        "entity_histories": m.entity_histories,
        "trained_by": m.trained_by,
        "trained_at": m.trained_at,
        "activated_at": m.activated_at,
    }


@router.get("/models")
def models(
    session: SessionDep,
    actor: CurrentActor,
    authority: Authority = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Model versions, newest first, a page at a time."""
    found, total = service.list_models(
        session, actor=actor, authority=authority, limit=limit, offset=offset
    )
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "models": [_summary(m) for m in found],
    }


@router.get("/models/{version}")
def model(
    version: PathId, session: SessionDep, actor: CurrentActor, authority: Authority = None
) -> dict[str, Any]:
    """One version: its windows, validation figures, features and their importance."""
    m = service.get_model(session, actor=actor, version=version, authority=authority)
    return _summary(m) | {
        "metrics": m.metrics,
        "features": m.features,
        "importance": [{"feature": n, "gain": g} for n, g in m.importance],
        "reference_deciles": m.reference,
    }


@router.get("/models/{version}/report", response_class=HTMLResponse)
def report(
    version: PathId, session: SessionDep, actor: CurrentActor, authority: Authority = None
) -> HTMLResponse:
    """The validation report of a version (offline HTML, inline charts)."""
    m = service.get_model(session, actor=actor, version=version, authority=authority)
    if m.metrics is None:
        raise NotFound(f"version {version} was trained without a validation period")
    owner = acting_for(session, actor, authority, "read the scoring models of")
    html = render_evaluation(
        title=f"Scoring model {owner.code} v{m.version}: validation",
        facts=[
            ("training window", f"{m.train_start}..{m.train_end}"),
            ("validation period", f"{m.valid_start}..{m.valid_end}"),
            ("learner", m.learner),
            ("trees", str(m.trees)),
            ("entity histories", "read" if m.entity_histories else "left out by validation"),
        ],
        evaluation=Evaluation.from_dict(m.metrics),
        importance=[(str(n), float(g)) for n, g in m.importance],
    )
    return HTMLResponse(html)


@router.post("/models/{version}/activate")
def activate(
    version: PathId, session: SessionDep, actor: CurrentActor, authority: Authority = None
) -> dict[str, Any]:
    """Make the version the one the risk engine scores with; the previous one retires."""
    m = service.activate_model(session, actor=actor, version=version, authority=authority)
    session.commit()
    return _summary(m)


@router.get("/filings/{filing_id}")
def filing_score(
    filing_id: PathId,
    actor: CurrentActor,
    factory: FactoryDep,
    history: HistoryDep,
    authority: Authority = None,
) -> dict[str, Any]:
    """The active model's score of a stored filing's current version, with the features
    that raised it most (TreeSHAP contributions, in log-odds)."""
    actor.require(Permission.READ_FILINGS)
    history.refresh(factory)
    with factory() as session:
        owner = acting_for(session, actor, authority, "score the filings of")
        scorer = service.active_scorer(session, owner.id)
        if scorer is None:
            raise NotFound(f"{owner.code} has no active scoring model")
        rows = rows_of_filing(history, owner.id, filing_id)
        if not rows:
            raise NotFound(f"filing {filing_id} not found")
        return {
            "filing_id": filing_id,
            "version": scorer.version,
            "score": scorer.score(rows),
            "reasons": scorer.explain(rows),
        }


@router.get("/drift")
def drift_(
    session: SessionDep,
    actor: CurrentActor,
    start: Start,
    end: End,
    period: Annotated[str, Query(pattern="^(month|week)$")] = "month",
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    authority: Authority = None,
) -> dict[str, Any]:
    """Score distribution (PSI) and realised against predicted hit rates per period, with
    the alerts raised."""
    report_ = drift(
        session,
        actor=actor,
        start=start,
        end=end,
        period=period,
        version=version,
        authority=authority,
    )
    session.commit()
    return report_.as_dict()


@router.get("/exploration")
def exploration(
    session: SessionDep, actor: CurrentActor, start: Start, end: End, authority: Authority = None
) -> dict[str, Any]:
    """Controls and results by how they were selected: risk-based, random, uncertainty."""
    found = exploration_results(session, actor=actor, start=start, end=end, authority=authority)
    return {"from": start, "to": end, "selections": [s.as_dict() for s in found]}
