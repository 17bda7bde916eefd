"""Stored declarations as one Arrow table: the rows every batch evaluator reads.

One row per row of ``facts.rows_of`` — ``declaration_id``, ``row_no`` (the row's index
within its declaration, as the in-process evaluator numbers it), then one column per fact
of the catalogue, typed as ``sql`` expects (codes and texts as strings, numbers as
doubles, datetimes as UTC instants, flags as booleans, sets of codes as lists). National
data elements, named ``national.XX.key``, get a text column each when present; a profile
on one the table lacks finds it missing on every row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from tollgate.risk.facts import Row
from tollgate.risk.language import FIELDS, FieldType

__all__ = ["ARROW_TYPES", "DECLARATION_ID", "ROW_NO", "fact_schema", "facts_table", "refuse_nan"]

DECLARATION_ID = "declaration_id"
ROW_NO = "row_no"

ARROW_TYPES: dict[FieldType, pa.DataType] = {
    FieldType.TEXT: pa.string(),
    FieldType.CODE: pa.string(),
    FieldType.NAME: pa.string(),
    FieldType.NUMBER: pa.float64(),
    FieldType.DATETIME: pa.timestamp("us", tz="UTC"),
    FieldType.FLAG: pa.bool_(),
    FieldType.CODES: pa.list_(pa.string()),
}


def fact_schema(id_type: pa.DataType | None = None, national: Iterable[str] = ()) -> pa.Schema:
    """The rows table: identifiers, every catalogue fact, and the national-data elements
    named (text; a profile on one the table lacks finds it missing everywhere)."""
    fields = [
        pa.field(DECLARATION_ID, id_type or pa.int64(), nullable=False),
        pa.field(ROW_NO, pa.int32()),
    ]
    fields += [pa.field(name, ARROW_TYPES[spec.type]) for name, spec in FIELDS.items()]
    fields += [pa.field(name, pa.string()) for name in sorted(set(national))]
    return pa.schema(fields)


def facts_table(
    declarations: Iterable[tuple[Any, Sequence[Row]]], *, id_type: pa.DataType | None = None
) -> pa.Table:
    """The rows of stored declarations, ``(declaration_id, facts.rows_of(...))`` each, as
    an Arrow table of ``fact_schema``. National-data elements become columns of their own."""
    ids: list[Any] = []
    row_nos: list[int] = []
    columns: dict[str, list[Any]] = {name: [] for name in FIELDS}
    national: dict[str, list[Any]] = {}
    count = 0
    for declaration_id, rows in declarations:
        for row_no, row in enumerate(rows):
            ids.append(declaration_id)
            row_nos.append(row_no)
            for name, values in columns.items():
                value = row.get(name)
                if isinstance(value, frozenset | set):
                    value = sorted(value)
                values.append(value)
            for name, value in row.items():
                if name.startswith("national.") and value is not None:
                    national.setdefault(name, [None] * count).append(value)
            count += 1
            for values in national.values():
                if len(values) < count:
                    values.append(None)
    if id_type is None:
        id_type = pa.array(ids[:1]).type if ids else pa.int64()
    schema = fact_schema(id_type, national)
    arrays = {DECLARATION_ID: ids, ROW_NO: row_nos, **columns, **national}
    table = pa.table({f.name: pa.array(arrays[f.name], type=f.type) for f in schema}, schema)
    refuse_nan(table)
    return table


def refuse_nan(table: pa.Table) -> None:
    """NaN is not a fact: SQL orders it above every number, Python compares it false."""
    for f in table.schema:
        if pa.types.is_floating(f.type) and pc.any(pc.is_nan(table[f.name])).as_py():
            raise ValueError(f"column {f.name!r} holds NaN, which no fact is")
