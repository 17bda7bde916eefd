"""Fast row writing for the intake hot path, below the ORM.

A bulk load writes four rows or more per filing. Through SQLAlchemy's generic executemany
the per-row parameter processing (JSON and datetime bind processors) costs more than the
database itself, so the hot inserts go to the driver: ``executemany`` on SQLite and
``COPY`` on PostgreSQL, with ids allocated up front so that no RETURNING is needed.

Intake batches are serialised by ``lock()`` — a row update on SQLite (which starts the
write transaction at once, so ids read after it are stable) and a transaction-scoped
advisory lock on PostgreSQL. Serial batches also mean two loaders can never race to
create the same filing identity.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

INTAKE_LOCK_KEY = 7_331_001


def _sqlite_time(value: datetime) -> str:
    """The text form SQLAlchemy's SQLite DateTime reads back (UTC, no offset)."""
    offset = value.utcoffset()
    if offset is not None:
        value = (value - offset).replace(tzinfo=None)
    # isoformat, not strftime: strftime is ~100x slower with pydantic's tzinfo objects
    return value.isoformat(sep=" ", timespec="microseconds")


class RowWriter:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.connection = session.connection()
        self.dialect = self.connection.dialect.name
        self.postgres = self.dialect == "postgresql"

    def lock(self) -> None:
        if self.postgres:
            self.connection.execute(
                text("SELECT pg_advisory_xact_lock(:k)"), {"k": INTAKE_LOCK_KEY}
            )
        else:
            # a write as the first statement: SQLite takes its write lock here and holds it
            # to commit, waiting (busy_timeout) for any other writer to finish first
            self.connection.execute(text("UPDATE intake_lock SET batches = batches + 1"))

    def allocate_ids(self, table: str, n: int) -> list[int]:
        if n == 0:
            return []
        if self.postgres:
            rows = self.connection.execute(
                text(
                    "SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"
                ),
                {"t": table, "n": n},
            )
            return [r[0] for r in rows]
        # table names here are constants of this module's callers, never input
        top = self.connection.execute(
            text(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608
        ).scalar()
        start = int(top or 0) + 1
        return list(range(start, start + n))

    def time(self, value: datetime) -> Any:
        return value if self.postgres else _sqlite_time(value)

    def select_in(
        self, sql: str, values: Sequence[Any], params: Sequence[Any] = (), chunk: int = 500
    ) -> list[Any]:
        """Run ``sql`` for chunks of ``values``: each ``{p}`` binds the next of ``params``
        and ``{in}`` (after them) binds a chunk of ``values``.

        A plain driver query: the ORM's expanding IN costs more to compile per call than the
        lookup itself. The SQL text is a constant of the caller; every value is bound."""
        dbapi: Any = self.connection.connection.driver_connection
        mark = "%s" if self.postgres else "?"
        rows: list[Any] = []
        for i in range(0, len(values), chunk):
            part = list(values[i : i + chunk])
            text_ = sql.replace("{p}", mark).replace("{in}", ", ".join([mark] * len(part)))
            cur = dbapi.cursor()
            try:
                cur.execute(text_, [*params, *part])
                rows.extend(cur.fetchall())
            finally:
                cur.close()
        return rows

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert rows (values in ``columns`` order; JSON documents as text)."""
        if not rows:
            return
        dbapi: Any = self.connection.connection.driver_connection
        if self.postgres:
            cols = ", ".join(columns)
            with dbapi.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            cur = dbapi.cursor()
            try:
                cur.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
                    rows,
                )
            finally:
                cur.close()
