"""Control tasks from assessments, and the results officers record (RM-10, RM-11, RM-12,
RM-26).

Queueing follows the newest decision on each *subject*: a consignment (its assessment
combines every layer), or a filing that belongs to no consignment. A newer assessment of
the subject supersedes its open task, so an amendment that raises the risk turns a
documentary check into a physical one instead of adding a second control, and one that
clears it withdraws the task. Assessments are consumed in id order with a cursor, in
committed batches, so queueing can run as often as assessment does and never twice.

Deadlines follow the stage (RM-10): a do-not-load check must be done before the aircraft
is loaded, so within the hour; a post-release audit has months.

Results are never overwritten (issue 4, bad input): a correction is the next version of
the result, and a result is refused — with the reason — for another authority's task, a
superseded task, a closed task unless it is marked as a correction, or values that
contradict each other (an irregularity without its type, a seizure without an
irregularity, duties at stake on a clean control).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from sqlalchemy import Subquery, func, select
from sqlalchemy.orm import Session, sessionmaker

from tollgate.audit.log import record
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor
from tollgate.authorities.tables import Authority, User
from tollgate.consignments.service import acknowledge
from tollgate.consignments.tables import ConsignmentMember, EventCursor
from tollgate.controls.tables import ControlResult, ControlTask, Seizure
from tollgate.declarations.tables import FilingVersion
from tollgate.errors import Conflict, NotFound, ValidationFailed
from tollgate.risk.profiles import Control, Stage
from tollgate.risk.tables import Assessment

CONSUMER = "control-queue"

#: how long a control of a stage may take, from its assessment (RM-10)
DEADLINES: dict[str, timedelta] = {
    Stage.PRE_LOADING.value: timedelta(hours=1),
    Stage.PRE_ARRIVAL.value: timedelta(hours=4),
    Stage.ARRIVAL.value: timedelta(hours=4),
    Stage.CLEARANCE.value: timedelta(hours=24),
    Stage.POST_RELEASE.value: timedelta(days=180),
}
URGENT = timedelta(minutes=30)  # do-not-load: before the goods are loaded

#: the decisions that are work for an officer (release needs none; a blocked declaration
#: goes back to the declarant, RM-9)
CONTROLS = frozenset(c.value for c in Control if c is not Control.RELEASE)

Irregularity = Literal[
    "undervaluation",
    "misclassification",
    "origin",
    "prohibited-restricted",
    "ipr",
    "product-safety",
    "security",
    "other",
]
IRREGULARITIES: tuple[str, ...] = get_args(Irregularity)


def _now() -> datetime:
    return datetime.now(UTC)


# ----------------------------------------------------------------------------- queueing


def queue_controls(
    factory: sessionmaker[Session], *, actor: Actor, batch_size: int = 2_000
) -> dict[str, int]:
    """Turn the assessments made since the last run into control tasks; returns counts
    of tasks ``created`` and ``superseded``."""
    actor.require(Permission.ASSESS)
    counts: dict[str, int] = defaultdict(int)
    while True:
        with factory() as session, session.begin():
            cursor = session.get(EventCursor, CONSUMER)
            last = cursor.last_event_id if cursor else 0
            batch = list(
                session.scalars(
                    select(Assessment)
                    .where(Assessment.id > last)
                    .order_by(Assessment.id)
                    .limit(batch_size)
                )
            )
            if not batch:
                break
            for key, n in _queue(session, batch).items():
                counts[key] += n
            acknowledge(session, consumer=CONSUMER, last_event_id=batch[-1].id)
    return dict(counts)


def _queue(session: Session, batch: Sequence[Assessment]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    filing_of = dict(
        session.execute(
            select(FilingVersion.id, FilingVersion.filing_id).where(
                FilingVersion.id.in_([a.filing_version_id for a in batch])
            )
        ).all()
    )
    in_consignment = set(
        session.scalars(
            select(ConsignmentMember.filing_id).where(
                ConsignmentMember.filing_id.in_(list(filing_of.values()))
            )
        )
    )
    for a in batch:
        if a.consignment_id is not None:
            subject = f"consignment:{a.consignment_id}"
        else:
            filing_id = filing_of[a.filing_version_id]
            if filing_id in in_consignment:
                continue  # its consignment's assessment decides
            subject = f"filing:{filing_id}"
        for task in session.scalars(
            select(ControlTask).where(ControlTask.subject == subject, ControlTask.status == "open")
        ):
            task.status, task.closed_at = "superseded", a.assessed_at
            counts["superseded"] += 1
        if a.decision not in CONTROLS:
            continue
        stage = a.stage or Stage.CLEARANCE.value
        due = URGENT if a.decision == Control.DO_NOT_LOAD.value else DEADLINES[stage]
        session.add(
            ControlTask(
                authority_id=a.authority_id,
                assessment_id=a.id,
                subject=subject,
                office=a.place or "",
                stage=stage,
                control=a.decision,
                random=a.random,
                due_at=a.assessed_at + due,
                status="open",
                created_at=_now(),
            )
        )
        counts["created"] += 1
    session.flush()
    return counts


# ----------------------------------------------------------------------------- tasks


def _task(session: Session, actor: Actor, task_id: int) -> ControlTask:
    """The task, if the actor's authority owns it: another authority's task is reported
    as not found, which reveals nothing about it."""
    task = session.get(ControlTask, task_id)
    if task is None or (
        actor.authority_code is not None and task.authority_id not in _own(session, actor)
    ):
        raise NotFound(f"no control task {task_id}")
    return task


def _own(session: Session, actor: Actor) -> set[int]:
    return set(session.scalars(select(Authority.id).where(Authority.code == actor.authority_code)))


@dataclass(frozen=True, slots=True)
class TaskPage:
    total: int
    tasks: list[ControlTask]


def list_tasks(
    session: Session,
    actor: Actor,
    *,
    office: str | None = None,
    stage: str | None = None,
    status: str = "open",
    assigned_to: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> TaskPage:
    """The queue of the actor's authority, most urgent first."""
    actor.require(Permission.ASSESS)
    query = select(ControlTask).where(ControlTask.status == status)
    if actor.authority_code is not None:
        query = query.where(ControlTask.authority_id.in_(_own(session, actor)))
    if office is not None:
        query = query.where(ControlTask.office == office)
    if stage is not None:
        query = query.where(ControlTask.stage == stage)
    if assigned_to is not None:
        query = query.where(ControlTask.assigned_to == assigned_to)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    tasks = session.scalars(
        query.order_by(ControlTask.due_at, ControlTask.id)
        .offset(max(0, offset))
        .limit(max(1, min(limit, 1000)))
    ).all()
    return TaskPage(total, list(tasks))


def assign_task(session: Session, actor: Actor, task_id: int, officer: str) -> ControlTask:
    """Give an open task to an officer of the same authority (audited)."""
    actor.require(Permission.CONTROL)
    task = _task(session, actor, task_id)
    if task.status != "open":
        raise Conflict(f"control task {task_id} is {task.status}")
    user = session.scalar(select(User).where(User.username == officer))
    if user is None or user.authority_id != task.authority_id:
        raise ValidationFailed(
            f"no officer {officer!r} in the task's authority",
            details=[{"field": "officer", "reason": "unknown in this authority"}],
        )
    task.assigned_to = officer
    record(
        session,
        actor=actor,
        action="assign_control",
        object_type="control_task",
        object_id=str(task.id),
        detail={"officer": officer},
    )
    return task


# ----------------------------------------------------------------------------- results


class SeizureIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    goods: Annotated[str, StringConstraints(min_length=2, max_length=200)]
    commodity_code: Annotated[str, StringConstraints(pattern=r"^\d{4,10}$")] | None = None
    quantity: float = Field(gt=0)
    unit: Annotated[str, StringConstraints(min_length=1, max_length=10)]
    value: float = Field(ge=0, description="EUR")
    place: Annotated[str, StringConstraints(min_length=2, max_length=35)]
    seized_at: datetime


class ResultIn(BaseModel):
    """A control result as an officer reports it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    outcome: Literal["no-irregularity", "irregularity"]
    irregularities: list[Irregularity] = Field(default_factory=list, max_length=8)
    duties_at_stake: float = Field(default=0.0, ge=0, description="EUR")
    seizure: SeizureIn | None = None
    #: an earlier seizure this result refers to, recorded once (RM-26)
    seizure_id: int | None = None
    note: Annotated[str, StringConstraints(max_length=2000)] = ""
    #: required to record a result on a closed task: the new version corrects the old
    correction: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> ResultIn:
        seized = self.seizure is not None or self.seizure_id is not None
        if self.outcome == "no-irregularity":
            if self.irregularities:
                raise ValueError("a control without irregularity lists no irregularity types")
            if self.duties_at_stake:
                raise ValueError("a control without irregularity has no duties at stake")
            if seized:
                raise ValueError("a seizure needs an irregularity")
        elif not self.irregularities:
            raise ValueError("an irregularity needs its type (irregularities)")
        if self.seizure is not None and self.seizure_id is not None:
            raise ValueError("give a new seizure or an earlier seizure_id, not both")
        if self.correction and not self.note:
            raise ValueError("a correction says why in its note")
        return self


def parse_result(data: Any) -> ResultIn:
    try:
        return ResultIn.model_validate(data)
    except ValidationError as exc:
        details = [
            {"field": ".".join(str(p) for p in e["loc"]) or "$", "reason": e["msg"]}
            for e in exc.errors()
        ]
        raise ValidationFailed(
            f"invalid control result: {details[0]['field']}: {details[0]['reason']}",
            details=details,
        ) from None


def record_result(session: Session, actor: Actor, task_id: int, data: Any) -> ControlResult:
    """Record the result of a task (closing it) or, with ``correction``, the next version
    of the result of a closed one. Audited."""
    actor.require(Permission.CONTROL)
    result = parse_result(data)
    task = _task(session, actor, task_id)
    if task.status == "superseded":
        raise Conflict(f"control task {task_id} was superseded by a newer assessment")
    if task.status == "closed" and not result.correction:
        raise Conflict(
            f"control task {task_id} is closed; a new result must be marked as a correction"
        )
    if task.status == "open" and result.correction:
        raise ValidationFailed(f"control task {task_id} has no result to correct yet")
    seizure_id = result.seizure_id
    if seizure_id is not None:
        seizure = session.get(Seizure, seizure_id)
        if seizure is None or seizure.authority_id != task.authority_id:
            raise ValidationFailed(
                f"no seizure {seizure_id} of this authority",
                details=[{"field": "seizure_id", "reason": "unknown seizure"}],
            )
    elif result.seizure is not None:
        seizure = Seizure(
            authority_id=task.authority_id,
            recorded_by=actor.username,
            recorded_at=_now(),
            **result.seizure.model_dump(),
        )
        session.add(seizure)
        session.flush()
        seizure_id = seizure.id
    version = (
        session.scalar(
            select(func.max(ControlResult.version)).where(ControlResult.task_id == task.id)
        )
        or 0
    ) + 1
    row = ControlResult(
        task_id=task.id,
        version=version,
        outcome=result.outcome,
        irregularities=list(result.irregularities),
        duties_at_stake=result.duties_at_stake,
        seizure_id=seizure_id,
        note=result.note,
        recorded_by=actor.username,
        recorded_at=_now(),
    )
    session.add(row)
    if task.status == "open":
        task.status, task.closed_at = "closed", row.recorded_at
    session.flush()
    record(
        session,
        actor=actor,
        action="correct_control_result" if result.correction else "record_control_result",
        object_type="control_task",
        object_id=f"{task.id}/v{version}",
        detail={"outcome": result.outcome, "seizure_id": seizure_id},
    )
    return row


def results_of(session: Session, actor: Actor, task_id: int) -> list[ControlResult]:
    """Every version of a task's result, oldest first."""
    actor.require(Permission.ASSESS)
    task = _task(session, actor, task_id)
    return list(
        session.scalars(
            select(ControlResult)
            .where(ControlResult.task_id == task.id)
            .order_by(ControlResult.version)
        )
    )


def newest_results() -> Subquery:
    """The result of every task: its newest version (``task_id``, ``outcome``,
    ``duties_at_stake``). Corrections replace, never add."""
    newest = (
        select(ControlResult.task_id, func.max(ControlResult.version).label("v"))
        .group_by(ControlResult.task_id)
        .subquery()
    )
    return (
        select(ControlResult.task_id, ControlResult.outcome, ControlResult.duties_at_stake)
        .join(
            newest,
            (newest.c.task_id == ControlResult.task_id) & (newest.c.v == ControlResult.version),
        )
        .subquery()
    )
