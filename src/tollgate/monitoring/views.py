"""The monitoring API (issue 4 point 5): the indicators as JSON, the mailable HTML report,
and each indicator table as CSV or Parquet. Aggregates of the caller's own authority."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from tollgate.api.deps import CurrentActor, FactoryDep, HistoryDep
from tollgate.monitoring.export import export_tables
from tollgate.monitoring.report import render_report
from tollgate.monitoring.service import monitoring

router = APIRouter(prefix="/monitoring", tags=["monitoring"])

From = Annotated[date, Query(alias="from", description="First day (YYYY-MM-DD).")]
To = Annotated[date, Query(alias="to", description="Last day (YYYY-MM-DD).")]
Authority = Annotated[str | None, Query(max_length=10, description="System operator only.")]
Table = Literal[
    "headline",
    "controls_by_type_and_stage",
    "controls_by_office",
    "aeo",
    "findings_by_code",
    "least_compliant_filers",
]
_MEDIA = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet"}


@router.get("/indicators")
def indicators(
    actor: CurrentActor,
    factory: FactoryDep,
    history: HistoryDep,
    start: From,
    end: To,
    authority: Authority = None,
) -> dict[str, Any]:
    """Every RM-28 indicator for the period (definitions in the monitoring docs)."""
    return monitoring(factory, history, actor, start=start, end=end, authority=authority).indicators


@router.get("/report", response_class=HTMLResponse)
def report(
    actor: CurrentActor,
    factory: FactoryDep,
    history: HistoryDep,
    start: From,
    end: To,
    authority: Authority = None,
) -> HTMLResponse:
    """One self-contained HTML file (charts inline as SVG, no script, no link) with the
    indicators, the profiles' performance and the review list: made to be mailed."""
    found = monitoring(
        factory, history, actor, start=start, end=end, authority=authority, with_feedback=True
    )
    html = render_report(
        found.indicators,
        authority_code=found.authority,
        performance=found.performance,
        review=found.review,
        generated_at=datetime.now(UTC),
    )
    name = f"tollgate-{found.authority}-{start}-{end}.html"
    return HTMLResponse(html, headers={"Content-Disposition": f'inline; filename="{name}"'})


@router.get("/tables/{table}")
def table(
    table: Table,
    actor: CurrentActor,
    factory: FactoryDep,
    history: HistoryDep,
    start: From,
    end: To,
    authority: Authority = None,
    fmt: Literal["csv", "parquet"] = Query("csv", alias="format"),
) -> Response:
    """One indicator table as CSV or Parquet, for statisticians."""
    found = monitoring(factory, history, actor, start=start, end=end, authority=authority)
    with tempfile.TemporaryDirectory(prefix="tollgate-export-") as tmp:
        paths = export_tables(found.indicators, Path(tmp), fmt)
        body = next(p for p in paths if p.stem == table).read_bytes()
    name = f"{table}-{found.authority}-{start}-{end}.{fmt}"
    return Response(
        body,
        media_type=_MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
