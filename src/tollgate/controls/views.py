"""The control officers' API: the queue, assignment, results; and the analysts' feedback
on profiles (issue 4 points 1–3). Every route is authenticated; an authority sees and
closes only its own tasks (another's is "not found")."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel

from tollgate.api.deps import CurrentActor, SessionDep, UtcDatetime
from tollgate.controls import service
from tollgate.controls.feedback import evaluation_cycle, profile_performance
from tollgate.controls.tables import ControlResult, ControlTask

router = APIRouter(tags=["controls"])


class TaskOut(BaseModel):
    id: int
    assessment_id: int
    subject: str
    office: str
    stage: str
    control: str
    random: bool
    due_at: UtcDatetime
    status: str
    assigned_to: str | None
    created_at: UtcDatetime
    closed_at: UtcDatetime | None


class TaskPage(BaseModel):
    total: int
    offset: int
    items: list[TaskOut]


class ResultOut(BaseModel):
    task_id: int
    version: int
    outcome: str
    irregularities: list[str]
    duties_at_stake: float
    seizure_id: int | None
    note: str
    recorded_by: str
    recorded_at: UtcDatetime


class Assignment(BaseModel):
    officer: str


def _task(task: ControlTask) -> TaskOut:
    return TaskOut.model_validate(task, from_attributes=True)


def _result(row: ControlResult) -> ResultOut:
    return ResultOut.model_validate(row, from_attributes=True)


@router.get("/controls/tasks", response_model=TaskPage)
def list_tasks(
    actor: CurrentActor,
    session: SessionDep,
    office: str | None = Query(None, max_length=8),
    stage: str | None = Query(None, max_length=20),
    status: str = Query("open", pattern="^(open|closed|superseded)$"),
    assigned_to: str | None = Query(None, max_length=100),
    offset: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=1000),
) -> TaskPage:
    """The authority's queue, most urgent first."""
    page = service.list_tasks(
        session,
        actor,
        office=office,
        stage=stage,
        status=status,
        assigned_to=assigned_to,
        offset=offset,
        limit=limit,
    )
    return TaskPage(total=page.total, offset=offset, items=[_task(t) for t in page.tasks])


@router.post("/controls/tasks/{task_id}/assign", response_model=TaskOut)
def assign(task_id: int, body: Assignment, actor: CurrentActor, session: SessionDep) -> TaskOut:
    """Give an open task to an officer of the same authority."""
    return _task(service.assign_task(session, actor, task_id, body.officer))


@router.post("/controls/tasks/{task_id}/results", response_model=ResultOut, status_code=201)
def record(
    task_id: int,
    actor: CurrentActor,
    session: SessionDep,
    body: Annotated[dict[str, Any], Body(examples=[{"outcome": "no-irregularity"}])],
) -> ResultOut:
    """Record the result of a task (closing it), or with ``"correction": true`` and a
    note, the next version of a closed task's result. Inconsistent values are refused
    with the field and the reason."""
    return _result(service.record_result(session, actor, task_id, body))


@router.get("/controls/tasks/{task_id}/results", response_model=list[ResultOut])
def results(task_id: int, actor: CurrentActor, session: SessionDep) -> list[ResultOut]:
    """Every version of the task's result, oldest first."""
    return [_result(r) for r in service.results_of(session, actor, task_id)]


@router.get("/profiles/performance")
def performance(
    actor: CurrentActor,
    session: SessionDep,
    start: Annotated[date, Query(alias="from")],
    end: Annotated[date, Query(alias="to")],
    authority: str | None = Query(None, max_length=10),
) -> list[dict[str, Any]]:
    """Per profile version: hits, controls, results, true hits, hit rate, duties found,
    and the same per month (RM-22)."""
    found = profile_performance(session, actor, start=start, end=end, authority=authority)
    return [p.as_dict() for p in found]


@router.get("/profiles/review")
def review(
    actor: CurrentActor,
    session: SessionDep,
    start: Annotated[date, Query(alias="from")],
    end: Annotated[date, Query(alias="to")],
    authority: str | None = Query(None, max_length=10),
    min_results: int = Query(20, ge=1),
    low_hit_rate: float = Query(0.05, ge=0, le=1),
    workload_share: float = Query(0.25, ge=0, le=1),
) -> list[dict[str, Any]]:
    """The evaluation cycle: active profiles to review, with the reason and evidence."""
    items = evaluation_cycle(
        session,
        actor,
        start=start,
        end=end,
        authority=authority,
        min_results=min_results,
        low_hit_rate=low_hit_rate,
        workload_share=workload_share,
    )
    return [i.as_dict() for i in items]
