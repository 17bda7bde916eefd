"""Labelled history: the fact rows of a period with the outcome recorded for each.

The rows come from the history store (``risk.history``), the same columns every batch
evaluator reads; the outcomes are those the back-test reads (``backtest.recorded_outcomes``):
the newest control result of the filing or its consignment, or ground truth loaded beside
the filings (a labelled history such as KCS, through a column mapping). A filing with no
recorded outcome stays in the rows — it counts towards how often an entity is seen — but
not among the labelled rows a model learns from or is measured on.

A row is a goods item; a declaration is irregular as a whole, so each of its items carries
the declaration's label and a declaration's score is its riskiest item's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa
from sqlalchemy.orm import Session

from tollgate.periods import day_bounds
from tollgate.risk.backtest import recorded_outcomes
from tollgate.risk.fact_table import DECLARATION_ID
from tollgate.risk.history import AUTHORITY_ID, FILING_ID, TABLE, History
from tollgate.scoring.features import source_columns

__all__ = ["Rows", "by_declaration", "labelled_rows", "read_rows", "rows_of_filing"]

_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class Rows:
    #: the fact columns a model may read
    table: pa.Table
    declarations: np.ndarray
    filings: np.ndarray
    #: lodgement day, days since 1970-01-01
    days: np.ndarray
    #: 1 irregular, 0 regular, -1 no recorded outcome
    labels: np.ndarray

    def __len__(self) -> int:
        return int(self.table.num_rows)

    @property
    def labelled(self) -> np.ndarray:
        return self.labels >= 0


def read_rows(history: History, authority_id: int, start: date, end: date) -> Rows:
    """The authority's rows lodged ``start``..``end`` (inclusive), oldest first, without
    outcomes (labels all -1)."""
    if not history.has_rows():
        return _empty()
    lo, hi = day_bounds(start, end)
    with history.connection() as con:
        available = [r[0] for r in con.execute(f"DESCRIBE {TABLE}").fetchall()]
        wanted = source_columns(available)
        quoted = ", ".join('"' + c.replace('"', '""') + '"' for c in wanted)
        table = con.sql(
            f"""
            SELECT {DECLARATION_ID} AS "_declaration", {FILING_ID} AS "_filing",
                   CAST(lodged_at AS DATE) - DATE '1970-01-01' AS "_day", {quoted}
            FROM {TABLE}
            WHERE {AUTHORITY_ID} = ? AND lodged_at >= ? AND lodged_at < ?
            ORDER BY lodged_at, {DECLARATION_ID}, row_no
            """,  # noqa: S608 -- column names from the catalogue
            params=[authority_id, lo, hi],
        ).to_arrow_table()
    declarations = table["_declaration"].to_numpy()
    filings = table["_filing"].to_numpy()
    days = np.asarray(table["_day"].to_numpy(), dtype=np.int64)
    table = table.drop_columns(["_declaration", "_filing", "_day"])
    labels = np.full(table.num_rows, -1, dtype=np.int64)
    return Rows(table, declarations, filings, days, labels)


def rows_of_filing(history: History, authority_id: int, filing_id: int) -> list[dict[str, Any]]:
    """The fact rows of a filing's current version, as the real-time path has them; empty
    when the authority has no such filing (another authority's filing included)."""
    if not history.has_rows():
        return []
    with history.connection() as con:
        table = con.sql(
            f"SELECT * FROM {TABLE} WHERE {AUTHORITY_ID} = ? AND {FILING_ID} = ? ORDER BY row_no",  # noqa: S608 -- constants
            params=[authority_id, filing_id],
        ).to_arrow_table()
    return list(table.to_pylist())


def labelled_rows(
    session: Session, history: History, authority_id: int, start: date, end: date
) -> Rows:
    """``read_rows`` with each row's recorded outcome."""
    rows = read_rows(history, authority_id, start, end)
    if not len(rows):
        return rows
    outcomes = recorded_outcomes(session, {int(f) for f in np.unique(rows.filings)})
    labels = np.array([outcomes.get(int(f), -1) for f in rows.filings], dtype=np.int64)
    return Rows(rows.table, rows.declarations, rows.filings, rows.days, labels)


def by_declaration(rows: Rows, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Declarations (filing versions), their score (the riskiest item's) and label."""
    if not len(rows):
        empty = np.zeros(0)
        return empty.astype(np.int64), empty, empty.astype(np.int64)
    ids, inverse = np.unique(rows.declarations, return_inverse=True)
    best = np.full(ids.size, -np.inf)
    np.maximum.at(best, inverse, scores)
    labels = np.full(ids.size, -1, dtype=np.int64)
    np.maximum.at(labels, inverse, rows.labels)
    return ids, best, labels


def _empty() -> Rows:
    nothing = np.zeros(0, dtype=np.int64)
    return Rows(pa.table({}), nothing, nothing, nothing, nothing)


def day_number(value: date) -> int:
    return (value - _EPOCH).days
