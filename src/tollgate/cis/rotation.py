"""Key rotation for sealed personal data (CIS-50).

A new key is put first; every sealed value in the database is re-encrypted under it, in
pages, each page its own transaction, so a rotation of millions of rows neither holds one
huge transaction nor loses its work if interrupted (values already rotated are simply
rotated again, which is harmless). Only when a run completes may the old key be dropped.

Processes that seal keep their keys from start-up: restart every API worker and job with
the new key first before retiring an old key, or values sealed meanwhile under the old
key stay readable only with it (``tollgate cis reseal`` after the restart catches them).

Sealed columns are found by name (``sealed`` or ``sealed_*``) across the whole schema, so
a new table with personal data is rotated without anyone remembering to list it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Column, Table, select, update
from sqlalchemy.orm import Session, sessionmaker

from tollgate.cis.crypto import Vault
from tollgate.tables import metadata


def sealed_columns() -> list[tuple[Table, Column[str]]]:
    out = []
    for table in metadata.sorted_tables:
        for column in table.columns:
            if column.name == "sealed" or column.name.startswith("sealed_"):
                out.append((table, column))
    return out


@dataclass(frozen=True, slots=True)
class RotationReport:
    values: int
    columns: int


def rotate_all(
    factory: sessionmaker[Session],
    vault: Vault,
    *,
    page: int = 1_000,
    progress: Callable[[str, int], None] | None = None,
) -> RotationReport:
    """Re-encrypt every sealed value under ``vault``'s newest key."""
    total = 0
    columns = sealed_columns()
    for table, column in columns:
        (pk,) = table.primary_key.columns
        last = None
        while True:
            with factory() as session, session.begin():
                query = (
                    select(pk, column)
                    .where(column.is_not(None), column != "")
                    .order_by(pk)
                    .limit(page)
                )
                if last is not None:
                    query = query.where(pk > last)
                rows = session.execute(query).all()
                if not rows:
                    break
                for key, value in rows:
                    # only if unchanged since read: a concurrent amendment (already
                    # sealed under the newest key by an up-to-date process) must not be undone
                    session.execute(
                        update(table)
                        .where(pk == key, column == value)
                        .values({column.name: vault.rotate(value)})
                    )
                last = rows[-1][0]
                total += len(rows)
            if progress is not None:
                progress(f"{table.name}.{column.name}", total)
    return RotationReport(total, len(columns))
