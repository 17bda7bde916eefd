"""Data-quality routes: summary, filer scorecards (DQ-7) and the stored findings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Query
from pydantic import BaseModel

from tollgate.api.deps import CurrentActor, SessionDep
from tollgate.errors import ValidationFailed
from tollgate.quality import scorecards as sc

router = APIRouter(prefix="/quality", tags=["quality"])


def _period(
    received_from: datetime | None, received_to: datetime | None
) -> tuple[datetime, datetime]:
    end = received_to or datetime.now(UTC) + timedelta(seconds=1)
    start = received_from or end - timedelta(days=30)
    if start >= end:
        raise ValidationFailed("received_from must be before received_to")
    return start, end


class ScorecardOut(BaseModel):
    rank: int
    filer: str
    filings: int
    mean_score: float
    share_with_findings: float
    rejected_records: int
    trend: float | None
    finding_shares: dict[str, float]
    weekly_mean_score: list[tuple[str, float]]


class ScorecardPage(BaseModel):
    received_from: datetime
    received_to: datetime
    total_filers: int
    items: list[ScorecardOut]


class SummaryOut(BaseModel):
    filings: int
    mean_score: float
    findings: list[dict[str, str | int]]


class FindingRow(BaseModel):
    id: int
    filing_id: int
    version: int
    filer: str
    rule: str
    code: str
    field: str
    severity: str
    message: str


@router.get("/scorecards", response_model=ScorecardPage)
def scorecards(
    actor: CurrentActor,
    session: SessionDep,
    received_from: datetime | None = None,
    received_to: datetime | None = None,
    filer: str | None = None,
    offset: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=500),
) -> ScorecardPage:
    """Filers ranked worst first over a period (default: the last 30 days)."""
    start, end = _period(received_from, received_to)
    cards, total = sc.scorecards(
        session,
        actor,
        received_from=start,
        received_to=end,
        limit=limit,
        offset=offset,
        filer=filer,
    )
    return ScorecardPage(
        received_from=start,
        received_to=end,
        total_filers=total,
        items=[
            ScorecardOut(
                rank=c.rank,
                filer=c.filer,
                filings=c.filings,
                mean_score=c.mean_score,
                share_with_findings=c.share_with_findings,
                rejected_records=c.rejected_records,
                trend=c.trend,
                finding_shares=c.finding_shares,
                weekly_mean_score=c.weekly_mean_score,
            )
            for c in cards
        ],
    )


@router.get("/summary", response_model=SummaryOut)
def summary(
    actor: CurrentActor,
    session: SessionDep,
    received_from: datetime | None = None,
    received_to: datetime | None = None,
) -> SummaryOut:
    start, end = _period(received_from, received_to)
    s = sc.summary(session, actor, received_from=start, received_to=end)
    return SummaryOut(
        filings=s.filings,
        mean_score=s.mean_score,
        findings=[
            {"rule": r, "code": c, "severity": sev, "filings": n} for r, c, sev, n in s.by_finding
        ],
    )


@router.get("/findings", response_model=list[FindingRow])
def findings(
    actor: CurrentActor,
    session: SessionDep,
    rule: str | None = Query(None, pattern=r"^DQ-\d$"),
    code: str | None = None,
    filer: str | None = None,
    after: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=1000),
) -> list[FindingRow]:
    """Stored findings, filtered by rule, code or filer; page with ``after`` = last id."""
    return [
        FindingRow(
            id=q.id,
            filing_id=f.id,
            version=v,
            filer=f.filer,
            rule=q.rule,
            code=q.code,
            field=q.field,
            severity=q.severity,
            message=q.message,
        )
        for q, f, v in sc.find_findings(
            session, actor, rule=rule, code=code, filer=filer, after=after, limit=limit
        )
    ]
