"""Submission routes: one filing, or a batch (JSON array or JSON Lines), and load reports."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from tollgate.api.deps import CurrentActor, SessionDep
from tollgate.authorities.roles import Permission
from tollgate.config import Settings
from tollgate.errors import NotFound, PayloadTooLarge, TollgateError, ValidationFailed
from tollgate.intake.bulk import rejections
from tollgate.intake.records import decode_json
from tollgate.intake.service import Submitted, submit
from tollgate.intake.tables import LoadJob
from tollgate.quality.schemas import FindingOut

router = APIRouter(tags=["intake"])

FILING_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Filing"}}},
    }
}
BATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Filing"}}
            },
            "application/x-ndjson": {
                "schema": {"type": "string", "description": "one filing per line"}
            },
        },
    }
}


class MalformedBody(TollgateError):
    status = 400
    code = "malformed_body"


class ErrorOut(BaseModel):
    position: int
    record_id: str | None
    field: str
    code: str
    message: str


class OutcomeOut(BaseModel):
    position: int
    record_id: str | None
    outcome: str
    filing_id: int | None
    version: int | None
    quality_score: int | None
    findings: list[FindingOut]
    errors: list[ErrorOut]


class BatchOut(BaseModel):
    accepted: int
    amended: int
    unchanged: int
    rejected: int
    records: list[OutcomeOut]


def _decode(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if "utf-8" in str(exc).lower():
            raise MalformedBody(f"request body is not valid UTF-8: {exc}") from exc
        raise MalformedBody(f"request body is not valid JSON: {exc}") from exc


def _out(s: Submitted) -> OutcomeOut:
    o = s.outcome
    return OutcomeOut(
        position=o.position,
        record_id=s.record_id,
        outcome=o.outcome,
        filing_id=o.filing_id,
        version=o.version,
        quality_score=s.score,
        findings=[
            FindingOut(
                rule=f.rule, code=f.code, field=f.field, severity=f.severity, message=f.message
            )
            for f in s.findings
        ],
        errors=[ErrorOut(**e.to_dict()) for e in o.errors],
    )


@router.post(
    "/filings",
    openapi_extra=FILING_BODY,
    response_model=OutcomeOut,
    status_code=201,
    responses={200: {"model": OutcomeOut}},
)
async def submit_one(
    request: Request, response: Response, actor: CurrentActor, session: SessionDep
) -> OutcomeOut:
    """Submit one filing (ENS layer, import declaration or container status message).

    201 with the new version, 200 when the same content was already stored (idempotent),
    422 with the precise errors when rejected."""
    actor.require(Permission.SUBMIT_FILINGS)
    raw = _decode(await request.body())
    result = _out(submit(session, actor=actor, records=[raw])[0])
    if result.outcome == "rejected":
        raise ValidationFailed(
            f"filing rejected: {len(result.errors)} error(s)",
            details=[e.model_dump() for e in result.errors],
        )
    if result.outcome == "unchanged":
        response.status_code = 200
    return result


@router.post("/filings/batch", openapi_extra=BATCH_BODY, response_model=BatchOut)
async def submit_batch(request: Request, actor: CurrentActor, session: SessionDep) -> BatchOut:
    """Submit many filings at once. Each record is judged on its own: good ones are stored
    even when others are rejected, and the answer lists every record's outcome."""
    actor.require(Permission.SUBMIT_FILINGS)
    settings: Settings = request.app.state.settings
    body = await request.body()
    if request.headers.get("content-type", "").startswith("application/x-ndjson"):
        records: list[Any] = [decode_json(line) for line in body.splitlines() if line.strip()]
    else:
        decoded = _decode(body)
        if not isinstance(decoded, list):
            raise MalformedBody("a batch is a JSON array of filings (or send application/x-ndjson)")
        records = decoded
    if len(records) > settings.max_batch_records:
        raise PayloadTooLarge(
            f"batch has {len(records)} records; at most {settings.max_batch_records} per request"
        )
    results = [_out(s) for s in submit(session, actor=actor, records=records)]
    counts = {
        k: sum(1 for r in results if r.outcome == k)
        for k in ("accepted", "amended", "unchanged", "rejected")
    }
    return BatchOut(**counts, records=results)


class LoadOut(BaseModel):
    id: int
    source: str
    format: str
    status: str
    committed_position: int
    accepted: int
    amended: int
    unchanged: int
    rejected: int


@router.get("/loads/{job_id}", response_model=LoadOut)
def get_load(job_id: int, actor: CurrentActor, session: SessionDep) -> LoadOut:
    actor.require(Permission.READ_QUALITY)
    job = session.get(LoadJob, job_id)
    if job is None:
        raise NotFound(f"no load job {job_id}")
    return LoadOut(
        id=job.id,
        source=job.source,
        format=job.format,
        status=job.status,
        committed_position=job.committed_position,
        accepted=job.accepted,
        amended=job.amended,
        unchanged=job.unchanged,
        rejected=job.rejected,
    )


@router.get("/loads/{job_id}/rejections", response_model=list[ErrorOut])
def get_rejections(
    job_id: int, actor: CurrentActor, session: SessionDep, offset: int = 0, limit: int = 100
) -> list[ErrorOut]:
    actor.require(Permission.READ_QUALITY)
    return [
        ErrorOut(
            position=r.position,
            record_id=r.record_id,
            field=r.field,
            code=r.code,
            message=r.message,
        )
        for r in rejections(session, job_id, offset=max(0, offset), limit=max(1, min(limit, 1000)))
    ]
