"""``GET /surveillance/trade-flows`` and its report (RM-16): the ranked shifts of the
caller's authority's imports as JSON pages, or as one mailable HTML file. Aggregates
only (CIS-45), so no personal-data permission is asked; every run is audited."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from tollgate.api.deps import CurrentActor, FactoryDep, HistoryDep
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor
from tollgate.risk.history import History
from tollgate.surveillance.report import render_trade_flows
from tollgate.surveillance.tradeflows import (
    ALPHA,
    DOMINANCE,
    MIN_DECLARATIONS,
    MIN_SHIFT,
    MIN_TRADERS,
    Level,
    Measure,
    PeriodUnit,
    TradeFlows,
    trade_flows,
    window_of,
)

router = APIRouter(prefix="/surveillance", tags=["surveillance"])


class TradeFlowsQuery(BaseModel):
    """The windows (whole days, both ends included; defaults: the three months up to the
    newest import and the twelve before), the grouping and the thresholds. The anonymity
    rule can be tightened, not loosened."""

    model_config = ConfigDict(extra="forbid")

    baseline_start: date | None = None
    baseline_end: date | None = None
    recent_start: date | None = None
    recent_end: date | None = None
    level: Level = "hs6"
    period: PeriodUnit = "month"
    measure: Measure = "value"
    min_traders: int = Field(MIN_TRADERS, ge=MIN_TRADERS, le=10_000)
    dominance: float = Field(DOMINANCE, ge=0.5, le=DOMINANCE)
    alpha: float = Field(ALPHA, gt=0, lt=1)
    min_shift: float = Field(MIN_SHIFT, ge=0, lt=1)
    min_declarations: int = Field(MIN_DECLARATIONS, ge=1, le=1_000_000)
    authority: str | None = Field(None, max_length=10, description="system operator only")


class TradeFlowsPage(TradeFlowsQuery):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


class TradeFlowsReport(TradeFlowsQuery):
    limit: int = Field(20, ge=1, le=100, description="findings shown, strongest first")


def _run(q: TradeFlowsQuery, actor: Actor, factory: FactoryDep, history: History) -> TradeFlows:
    # asked before the history is brought up to date: refusing is cheap, refreshing is not
    actor.require(Permission.ANALYSE_TRADE_FLOWS)
    baseline = window_of("baseline", q.baseline_start, q.baseline_end)
    recent = window_of("recent", q.recent_start, q.recent_end)
    history.refresh(factory)
    with factory() as session, session.begin():
        return trade_flows(
            session,
            history,
            actor=actor,
            baseline=baseline,
            recent=recent,
            level=q.level,
            period=q.period,
            measure=q.measure,
            authority=q.authority,
            min_traders=q.min_traders,
            dominance=q.dominance,
            alpha=q.alpha,
            min_shift=q.min_shift,
            min_declarations=q.min_declarations,
        )


@router.get("/trade-flows")
def trade_flows_page(
    q: Annotated[TradeFlowsPage, Query()],
    actor: CurrentActor,
    factory: FactoryDep,
    history: HistoryDep,
) -> dict[str, Any]:
    """Shifts between origins of a code and between codes of a heading, strongest
    evidence first, with the figures behind each; ``total`` counts every finding."""
    return _run(q, actor, factory, history).as_dict(offset=q.offset, limit=q.limit)


@router.get("/trade-flows/report", response_class=HTMLResponse)
def trade_flows_report(
    q: Annotated[TradeFlowsReport, Query()],
    actor: CurrentActor,
    factory: FactoryDep,
    history: HistoryDep,
) -> HTMLResponse:
    """The strongest ``limit`` shifts as one self-contained HTML file (charts inline as
    SVG, no script), each with a chart over the whole span and its exact figures."""
    result = _run(q, actor, factory, history)
    html = render_trade_flows(result, generated_at=datetime.now(UTC), limit=q.limit)
    name = f"tollgate-trade-flows-{result.authority}-{result.recent.start}-{result.recent.end}.html"
    return HTMLResponse(html, headers={"Content-Disposition": f'inline; filename="{name}"'})
