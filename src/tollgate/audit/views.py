"""Audit routes for supervisors: read the log, verify the chain."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from tollgate.api.deps import CurrentActor, SessionDep, UtcDatetime
from tollgate.audit import log
from tollgate.authorities.roles import Permission

router = APIRouter(prefix="/audit", tags=["audit"])


class EntryOut(BaseModel):
    seq: int
    at: UtcDatetime
    actor: str
    authority: str | None
    action: str
    object_type: str
    object_id: str | None
    purpose: str | None
    detail: dict[str, Any]
    hash: str


class VerifyOut(BaseModel):
    intact: bool
    entries: int
    head: str
    broken_at: int | None
    reason: str | None


@router.get("", response_model=list[EntryOut])
def entries(
    actor: CurrentActor,
    session: SessionDep,
    after: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=1000),
    action: str | None = None,
    object_id: str | None = None,
) -> list[EntryOut]:
    actor.require(Permission.READ_AUDIT)
    return [
        EntryOut.model_validate(e, from_attributes=True)
        for e in log.entries(
            session,
            after=after,
            limit=limit,
            action=action,
            object_id=object_id,
            authority=actor.authority_code,
        )
    ]


@router.get("/verify", response_model=VerifyOut)
def verify(actor: CurrentActor, session: SessionDep) -> VerifyOut:
    actor.require(Permission.READ_AUDIT)
    r = log.verify(session)
    return VerifyOut(
        intact=r.intact, entries=r.entries, head=r.head, broken_at=r.broken_at, reason=r.reason
    )
