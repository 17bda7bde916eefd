"""``POST /risk/backtest`` (issue 3 points 6 and 7): draft, stored or active profiles over
a period of the caller's authority's history. Kept apart from ``views`` because it reads
the history store, not the database alone."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from tollgate.api.deps import CurrentActor, FactoryDep, HistoryDep
from tollgate.risk.backtest import MAX_SAMPLES, backtest

router = APIRouter(prefix="/risk", tags=["risk"])


class BacktestIn(BaseModel):
    """What to run over which period: any of a draft profile set (as imported), stored
    profile ids (any status) and the active set (the baseline drafts are compared with)."""

    model_config = ConfigDict(extra="forbid")

    start: date = Field(alias="from")
    end: date = Field(alias="to")
    drafts: Any = Field(None, description="a profile set: {profiles: [...]} or a list")
    profile_ids: list[str] = Field(default_factory=list, max_length=1000)
    active: bool = False
    samples: int = Field(5, ge=0, le=MAX_SAMPLES)
    authority: str | None = Field(None, max_length=10, description="system operator only")


@router.post("/backtest")
def run_backtest(
    body: BacktestIn, actor: CurrentActor, factory: FactoryDep, history: HistoryDep
) -> dict[str, Any]:
    """Hits, hit rate, precision against recorded outcomes (control results and labels),
    what drafts add to the active set, daily workload per office, and sample hits; the
    history is brought up to date first."""
    history.refresh(factory)
    with factory() as session, session.begin():
        result = backtest(
            session,
            history,
            actor=actor,
            start=body.start,
            end=body.end,
            authority=body.authority,
            drafts=body.drafts,
            profile_ids=body.profile_ids,
            active=body.active,
            samples=body.samples,
        )
    return result.as_dict()
