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
are those stored for the version. The store is a cache of the database, never the record:
delete the file and ``refresh`` rebuilds it.
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
from tollgate.risk.fact_table import DECLARATION_ID, facts_table
from tollgate.risk.facts import Context, rows_of, trader_eori

__all__ = ["AUTHORITY_ID", "FILING_ID", "TABLE", "History"]

TABLE = "facts"
#: beside the facts: whose filing it is, and which filing (``declaration_id`` is the
#: filing *version*, so that an assessment's rows are the version that was assessed)
AUTHORITY_ID = "authority_id"
FILING_ID = "filing_id"
_VERSIONS = "history_versions"


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
                        if field.name not in have:  # a national data element seen first now
                            con.execute(f'ALTER TABLE {TABLE} ADD COLUMN "{field.name}" VARCHAR')
                    con.execute(f"INSERT INTO {TABLE} BY NAME SELECT * FROM tollgate_new_rows")  # noqa: S608 -- constants
                con.execute(f"INSERT INTO {_VERSIONS} SELECT id, hash FROM tollgate_new_versions")  # noqa: S608 -- constants
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            finally:
                con.unregister("tollgate_new_rows")
                con.unregister("tollgate_new_versions")


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
    return table.append_column(FILING_ID, pa.array([f for _, f in owners], pa.int64()))


def _before(a: datetime, b: datetime) -> bool:
    """``a < b`` whether or not the database handed the times back with their offset."""
    if (a.tzinfo is None) != (b.tzinfo is None):
        a, b = a.replace(tzinfo=None), b.replace(tzinfo=None)
    return a < b
