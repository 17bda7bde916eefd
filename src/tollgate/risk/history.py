"""The assessable history: the current version of every stored filing as fact rows, kept
in an embedded DuckDB file for back-testing (issue 3 point 6).

Back-testing a profile while it is being written has to answer in seconds over a year of
declarations. Turning a stored document into fact rows (validation, derived facts) costs
about 150 µs a filing — two and a half minutes for a million — so it is done once and kept:
``refresh`` adds the filing versions that became current since the last refresh and drops
the ones that were superseded by an amendment, and a back-test is then one DuckDB query
(``batch``) over rows that are already columnar.

The rows are the facts as of their refresh: the first-time-trader flag is judged against
the filings stored before each one (as live assessment judges it), data-quality findings
are those stored for the version. The unit-value benchmark facts (RM-15) are the
exception: the benchmarks are computed *from* these rows, so a refresh leaves them empty
and ``apply_benchmarks`` fills them from the authority's newest set when a set is
computed and before a back-test reads them — only the rows whose ``benchmark_set`` is not
that set, so a new set costs one pass over the authority's rows and a refresh only the
rows it added. The store is a
cache of the database, never the record: delete the file and ``refresh`` rebuilds it.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tollgate.authorities.tables import Authority
from tollgate.declarations.models import FilingAdapter
from tollgate.declarations.tables import FilingRecord, FilingVersion
from tollgate.quality.tables import QualityFinding
from tollgate.risk.fact_table import ARROW_TYPES, DECLARATION_ID, ROW_NO, facts_table
from tollgate.risk.facts import (
    BENCHMARK_FIELDS,
    Benchmarks,
    Context,
    benchmark_facts,
    rows_of,
    trader_eori,
)
from tollgate.risk.language import FIELDS, FieldType

__all__ = ["AUTHORITY_ID", "BENCHMARK_SET", "FILING_ID", "TABLE", "History"]

TABLE = "facts"
#: beside the facts: whose filing it is, and which filing (``declaration_id`` is the
#: filing *version*, so that an assessment's rows are the version that was assessed)
AUTHORITY_ID = "authority_id"
FILING_ID = "filing_id"
#: which benchmark set (``facts.Benchmarks.set_id``) a row's benchmark facts come from;
#: NULL until ``apply_benchmarks`` first ran over it
BENCHMARK_SET = "benchmark_set"
_VERSIONS = "history_versions"
#: DuckDB column types of the catalogue's field types, for columns added to an existing
#: store (a fact added to the catalogue after the store was made)
_SQL_TYPES = {
    FieldType.TEXT: "VARCHAR",
    FieldType.CODE: "VARCHAR",
    FieldType.NAME: "VARCHAR",
    FieldType.NUMBER: "DOUBLE",
    FieldType.DATETIME: "TIMESTAMPTZ",
    FieldType.FLAG: "BOOLEAN",
    FieldType.CODES: "VARCHAR[]",
}


class History:
    """One DuckDB database (a file, or memory) holding the rows of stored filings.

    DuckDB allows one writing process per file; within the process a lock serialises
    refreshes and queries, which is all a back-test needs.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = str(path) if path is not None else ":memory:"
        self._connection = duckdb.connect(self.path)
        self._lock = threading.RLock()
        self._connection.execute(
            f"CREATE TABLE IF NOT EXISTS {_VERSIONS} (id BIGINT PRIMARY KEY, hash VARCHAR)"
        )

    def close(self) -> None:
        self._connection.close()

    @contextmanager
    def connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The connection, held for the duration of the block."""
        with self._lock:
            yield self._connection

    def has_rows(self) -> bool:
        with self.connection() as con:
            (found,) = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [TABLE]
            ).fetchall()
            return bool(found[0])

    def ensure_table(self) -> None:
        """An empty rows table when nothing was stored yet, so queries need no special
        case for a new database."""
        if self.has_rows():
            return
        empty = facts_table([], id_type=pa.int64())
        empty = empty.append_column(AUTHORITY_ID, pa.array([], pa.int64()))
        empty = empty.append_column(FILING_ID, pa.array([], pa.int64()))
        empty = empty.append_column(BENCHMARK_SET, pa.array([], pa.string()))
        self._append(empty, {})

    def stored_versions(self) -> dict[int, str]:
        """Filing version id -> content hash, of the rows held. The hash guards against
        a database rebuilt beside an old store: a reused id with other content is stale."""
        with self.connection() as con:
            rows = con.execute(f"SELECT id, hash FROM {_VERSIONS}").fetchall()  # noqa: S608 -- constants
            return {int(i): h for i, h in rows}

    def refresh(
        self,
        factory: sessionmaker[Session],
        *,
        batch_size: int = 5_000,
        progress: Callable[[int, int], None] | None = None,
    ) -> tuple[int, int]:
        """Bring the rows up to date with the database: add the filing versions that are
        current and missing, drop those no longer current. Returns (added, dropped)
        filing versions; ``progress(done, total)`` is called after each batch."""
        with factory() as session:
            current = {
                vid: digest
                for vid, digest in session.execute(
                    select(FilingVersion.id, FilingVersion.content_hash).join(
                        FilingRecord,
                        (FilingRecord.id == FilingVersion.filing_id)
                        & (FilingRecord.current_version == FilingVersion.version),
                    )
                )
            }
        stored = self.stored_versions()
        stale = sorted(vid for vid, digest in stored.items() if current.get(vid) != digest)
        missing = sorted(vid for vid, digest in current.items() if stored.get(vid) != digest)
        if stale:
            self._drop(stale)
        if not missing:
            return 0, len(stale)
        with factory() as session:
            first_seen = _first_seen(session)
            countries = {a: c for a, c in session.execute(select(Authority.id, Authority.country))}
        done = 0
        for start in range(0, len(missing), batch_size):
            chunk = missing[start : start + batch_size]
            with factory() as session:
                table = _rows(session, chunk, first_seen, countries)
            self._append(table, {vid: current[vid] for vid in chunk})
            done += len(chunk)
            if progress is not None:
                progress(done, len(missing))
        return len(missing), len(stale)

    def _drop(self, version_ids: list[int]) -> None:
        with self.connection() as con:
            con.register("tollgate_stale", pa.table({"id": pa.array(version_ids, pa.int64())}))
            try:
                con.execute("BEGIN")
                if self.has_rows():
                    con.execute(
                        f"DELETE FROM {TABLE} "  # noqa: S608 -- constants
                        f"WHERE {DECLARATION_ID} IN (SELECT id FROM tollgate_stale)"
                    )
                con.execute(f"DELETE FROM {_VERSIONS} WHERE id IN (SELECT id FROM tollgate_stale)")  # noqa: S608 -- constants
                con.execute("COMMIT")
            finally:
                con.unregister("tollgate_stale")

    def _append(self, table: pa.Table, versions: dict[int, str]) -> None:
        """The rows and their versions in one transaction: a crash leaves neither."""
        marks = pa.table(
            {
                "id": pa.array(list(versions), pa.int64()),
                "hash": pa.array(list(versions.values()), pa.string()),
            }
        )
        with self.connection() as con:
            con.register("tollgate_new_rows", table)
            con.register("tollgate_new_versions", marks)
            try:
                con.execute("BEGIN")
                if not self.has_rows():
                    con.execute(f"CREATE TABLE {TABLE} AS SELECT * FROM tollgate_new_rows")  # noqa: S608 -- constants
                else:
                    have = {row[0] for row in con.execute(f"DESCRIBE {TABLE}").fetchall()}
                    for field in table.schema:
                        if (
                            field.name not in have
                        ):  # a national element, or a fact newer than the store
                            con.execute(
                                f'ALTER TABLE {TABLE} ADD COLUMN "{field.name}" '
                                f"{_sql_type(field.name)}"
                            )
                    con.execute(f"INSERT INTO {TABLE} BY NAME SELECT * FROM tollgate_new_rows")  # noqa: S608 -- constants
                con.execute(f"INSERT INTO {_VERSIONS} SELECT id, hash FROM tollgate_new_versions")  # noqa: S608 -- constants
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            finally:
                con.unregister("tollgate_new_rows")
                con.unregister("tollgate_new_versions")

    def apply_benchmarks(self, authority_id: int, benchmarks: Benchmarks) -> int:
        """Bring the benchmark facts of the authority's rows to ``benchmarks`` (its newest
        set, as live assessment reads it), computed by ``facts.benchmark_facts`` as live
        assessment computes them. Returns the rows restated."""
        if not self.has_rows():
            return 0
        with self.connection() as con:
            for name in (*BENCHMARK_FIELDS, BENCHMARK_SET):  # a store older than the facts
                con.execute(
                    f'ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS "{name}" {_sql_type(name)}'
                )
            stale = con.execute(
                f"SELECT {DECLARATION_ID}, {ROW_NO}, "  # noqa: S608 -- constants
                '"item.commodity_code", "item.origin_country", '
                '"item.unit_value_per_kg", "item.unit_value_per_unit" '
                f"FROM {TABLE} WHERE {AUTHORITY_ID} = ? AND {BENCHMARK_SET} IS DISTINCT FROM ?",
                [authority_id, benchmarks.set_id],
            ).fetchall()
            if not stale:
                return 0
            columns: dict[str, list[Any]] = {name: [] for name in BENCHMARK_FIELDS}
            for _, _, code, origin, per_kg, per_unit in stale:
                for name, value in benchmark_facts(
                    code, origin, per_kg, per_unit, benchmarks
                ).items():
                    columns[name].append(value)
            update = pa.table(
                {
                    DECLARATION_ID: pa.array([r[0] for r in stale], pa.int64()),
                    ROW_NO: pa.array([r[1] for r in stale], pa.int32()),
                    **{
                        name: pa.array(values, ARROW_TYPES[FIELDS[name].type])
                        for name, values in columns.items()
                    },
                }
            )
            assignments = ", ".join(f'"{name}" = u."{name}"' for name in BENCHMARK_FIELDS)
            con.register("tollgate_benchmark_facts", update)
            try:
                con.execute("BEGIN")
                con.execute(
                    f"UPDATE {TABLE} SET {assignments}, {BENCHMARK_SET} = ? "  # noqa: S608 -- constants
                    f"FROM tollgate_benchmark_facts u WHERE {TABLE}.{AUTHORITY_ID} = ? "
                    f"AND {TABLE}.{DECLARATION_ID} = u.{DECLARATION_ID} "
                    f"AND {TABLE}.{ROW_NO} = u.{ROW_NO}",
                    [benchmarks.set_id, authority_id],
                )
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            finally:
                con.unregister("tollgate_benchmark_facts")
            return len(stale)


def _sql_type(column: str) -> str:
    """A catalogue fact's DuckDB type; national data elements and the marks are text."""
    spec = FIELDS.get(column)
    return _SQL_TYPES[spec.type] if spec is not None else "VARCHAR"


def _first_seen(session: Session) -> dict[tuple[int, str], datetime]:
    """(authority, filer) -> when that filer's first filing arrived: a trader is a
    first-time trader on the filings before its own first one was received."""
    rows = session.execute(
        select(
            FilingRecord.authority_id, FilingRecord.filer, func.min(FilingRecord.first_received_at)
        ).group_by(FilingRecord.authority_id, FilingRecord.filer)
    )
    return {(authority, filer): first for authority, filer, first in rows}


def _rows(
    session: Session,
    version_ids: Sequence[int],
    first_seen: dict[tuple[int, str], datetime],
    countries: dict[int, str | None],
) -> pa.Table:
    findings: dict[int, list[str]] = defaultdict(list)
    for vid, code in session.execute(
        select(QualityFinding.filing_version_id, QualityFinding.code).where(
            QualityFinding.filing_version_id.in_(list(version_ids))
        )
    ):
        findings[vid].append(code)
    declarations: list[tuple[int, list[dict[str, Any]]]] = []
    owners: list[tuple[int, int]] = []
    for version, filing in session.execute(
        select(FilingVersion, FilingRecord)
        .join(FilingRecord, FilingRecord.id == FilingVersion.filing_id)
        .where(FilingVersion.id.in_(list(version_ids)))
        .order_by(FilingVersion.id)
    ):
        model = FilingAdapter.validate_python(version.document)
        eori = trader_eori(model)
        first = first_seen.get((filing.authority_id, eori))
        known = first is not None and _before(first, filing.first_received_at)
        context = Context(
            known_traders=frozenset({eori}) if known else frozenset(),
            quality_codes=tuple(findings.get(version.id, ())),
            quality_score=version.quality_score,
        )
        country = countries.get(filing.authority_id) or filing.office[:2]
        rows = rows_of(model, country, context)
        declarations.append((version.id, rows))
        owners.extend([(filing.authority_id, filing.id)] * len(rows))
    table = facts_table(declarations, id_type=pa.int64())
    table = table.append_column(AUTHORITY_ID, pa.array([a for a, _ in owners], pa.int64()))
    table = table.append_column(FILING_ID, pa.array([f for _, f in owners], pa.int64()))
    return table.append_column(BENCHMARK_SET, pa.nulls(len(owners), pa.string()))


def _before(a: datetime, b: datetime) -> bool:
    """``a < b`` whether or not the database handed the times back with their offset."""
    if (a.tzinfo is None) != (b.tzinfo is None):
        a, b = a.replace(tzinfo=None), b.replace(tzinfo=None)
    return a < b
