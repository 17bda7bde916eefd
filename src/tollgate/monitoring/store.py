"""Assessments, control tasks and results copied beside the fact rows of the ``history``
store, so that every indicator is one DuckDB query over columnar data (issue 4 point 4).

The database stays the record; this is a cache refreshed incrementally: assessments,
hits and results are append-only and are copied by id, tasks change status and are
copied whole (a few hundred thousand rows a year).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pyarrow as pa
from sqlalchemy import Select, and_, exists, select
from sqlalchemy.orm import Session, sessionmaker

from tollgate.controls.tables import ControlResult, ControlTask
from tollgate.risk.history import History
from tollgate.risk.profiles import Owner
from tollgate.risk.tables import Assessment, AssessmentHit, RiskProfileVersion

CHUNK = 100_000
AnySelect = Select[*tuple[Any, ...]]

ASSESSMENTS = "m_assessments"
HITS = "m_hits"
TASKS = "m_tasks"
RESULTS = "m_results"

_SCHEMAS: dict[str, pa.Schema] = {
    ASSESSMENTS: pa.schema(
        [
            ("id", pa.int64()),
            ("filing_version_id", pa.int64()),
            ("consignment_id", pa.int64()),
            ("authority_id", pa.int64()),
            ("decision", pa.string()),
            ("random", pa.bool_()),
            ("stage", pa.string()),
            ("assessed_at", pa.timestamp("us", tz="UTC")),
        ]
    ),
    HITS: pa.schema(
        [
            ("id", pa.int64()),
            ("assessment_id", pa.int64()),
            ("profile_id", pa.string()),
            ("version", pa.int64()),
            ("common", pa.bool_()),
        ]
    ),
    TASKS: pa.schema(
        [
            ("id", pa.int64()),
            ("authority_id", pa.int64()),
            ("assessment_id", pa.int64()),
            ("office", pa.string()),
            ("stage", pa.string()),
            ("control", pa.string()),
            ("random", pa.bool_()),
            ("status", pa.string()),
        ]
    ),
    RESULTS: pa.schema(
        [
            ("id", pa.int64()),
            ("task_id", pa.int64()),
            ("version", pa.int64()),
            ("outcome", pa.string()),
            ("duties_at_stake", pa.float64()),
            ("recorded_at", pa.timestamp("us", tz="UTC")),
        ]
    ),
}


def ensure_tables(history: History) -> None:
    """Create the (empty) monitoring tables if they are not there yet."""
    with history.connection() as con:
        for name, schema in _SCHEMAS.items():
            con.register("tollgate_empty", schema.empty_table())
            con.execute(f"CREATE TABLE IF NOT EXISTS {name} AS SELECT * FROM tollgate_empty")  # noqa: S608 -- constants
            con.unregister("tollgate_empty")


def refresh_monitoring(
    history: History,
    factory: sessionmaker[Session],
    *,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Copy what is new since the last refresh; returns the rows copied per table."""
    ensure_tables(history)
    common = exists().where(
        and_(
            RiskProfileVersion.profile_id == AssessmentHit.profile_id,
            RiskProfileVersion.version == AssessmentHit.version,
            RiskProfileVersion.owner != Owner.NATIONAL.value,
        )
    )
    plans: list[tuple[str, Any, Callable[[int], AnySelect]]] = [
        (
            ASSESSMENTS,
            Assessment.id,
            lambda after: select(
                Assessment.id,
                Assessment.filing_version_id,
                Assessment.consignment_id,
                Assessment.authority_id,
                Assessment.decision,
                Assessment.random,
                Assessment.stage,
                Assessment.assessed_at,
            ).where(Assessment.id > after),
        ),
        (
            HITS,
            AssessmentHit.id,
            lambda after: select(
                AssessmentHit.id,
                AssessmentHit.assessment_id,
                AssessmentHit.profile_id,
                AssessmentHit.version,
                common,
            ).where(AssessmentHit.id > after),
        ),
        (
            RESULTS,
            ControlResult.id,
            lambda after: select(
                ControlResult.id,
                ControlResult.task_id,
                ControlResult.version,
                ControlResult.outcome,
                ControlResult.duties_at_stake,
                ControlResult.recorded_at,
            ).where(ControlResult.id > after),
        ),
    ]
    copied: dict[str, int] = {}
    for name, key, query in plans:
        after = _max_id(history, name)
        copied[name] = _copy(history, factory, name, query(after).order_by(key), progress)
    with history.connection() as con:
        con.execute(f"DELETE FROM {TASKS}")  # noqa: S608 -- constants
    copied[TASKS] = _copy(
        history,
        factory,
        TASKS,
        select(
            ControlTask.id,
            ControlTask.authority_id,
            ControlTask.assessment_id,
            ControlTask.office,
            ControlTask.stage,
            ControlTask.control,
            ControlTask.random,
            ControlTask.status,
        ).order_by(ControlTask.id),
        progress,
    )
    return copied


def _max_id(history: History, name: str) -> int:
    with history.connection() as con:
        ((found,),) = con.execute(f"SELECT coalesce(max(id), 0) FROM {name}").fetchall()  # noqa: S608 -- constants
    return int(found)


def _copy(
    history: History,
    factory: sessionmaker[Session],
    name: str,
    query: AnySelect,
    progress: Callable[[str, int], None] | None,
) -> int:
    schema = _SCHEMAS[name]
    total = 0
    with factory() as session:
        result = session.execute(query.execution_options(yield_per=CHUNK))
        for chunk in result.partitions(CHUNK):
            insert(history, name, schema, chunk)
            total += len(chunk)
            if progress is not None:
                progress(name, total)
    return total


def insert(history: History, name: str, schema: pa.Schema, rows: Sequence[Iterable[Any]]) -> None:
    """Append rows (tuples in the table's column order) to a monitoring table."""
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [[] for _ in schema]
    table = pa.table(
        {f.name: pa.array(list(col), type=f.type) for f, col in zip(schema, columns, strict=True)},
        schema=schema,
    )
    with history.connection() as con:
        con.register("tollgate_monitoring_in", table)
        try:
            con.execute(f"INSERT INTO {name} SELECT * FROM tollgate_monitoring_in")  # noqa: S608 -- constants
        finally:
            con.unregister("tollgate_monitoring_in")
