"""The monitoring indicators as tidy tables for statisticians (issue 4 point 5; RM-28).

The indicators document is nested for people and APIs; a statistician wants flat
tables, one observation per row, that load into R, pandas or DuckDB without parsing.
Each table leads with ``authority_id``, ``start`` and ``end``, so that the exports of
several authorities and periods can simply be stacked. The schemas are explicit, so an
empty period still writes typed columns (a loader that infers types from the first rows
would otherwise guess wrong, or not at all). Shares are recomputed nowhere except where
the indicators give only the counts (irregular share per office), with the same
rounding as the indicators.

CSV and Parquet hold the same rows; Parquet keeps the types (booleans, nulls, integers
versus decimals), CSV is what every tool opens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from tollgate.errors import ValidationFailed

Format = Literal["csv", "parquet"]

_PERIOD = [("authority_id", pa.int64()), ("start", pa.date32()), ("end", pa.date32())]

#: nested parts of the indicators that are tables of their own, not headline figures
_NOT_HEADLINE = frozenset({"aeo", "data_quality.findings_by_code"})


def _share(a: float, b: float) -> float | None:
    return round(a / b, 6) if b else None


def _headline(ind: dict[str, Any]) -> list[dict[str, Any]]:
    """Every single-valued indicator, named by its path in the indicators document
    (``controls.control_rate``), so that the name leads back to the definition."""
    out: list[dict[str, Any]] = []

    def walk(prefix: str, node: dict[str, Any]) -> None:
        for key, value in node.items():
            name = f"{prefix}{key}"
            if name in _NOT_HEADLINE or (isinstance(value, list) and key != "ci95"):
                continue  # a table of its own
            if isinstance(value, dict):
                walk(f"{name}.", value)
            elif key == "ci95":
                low, high = value if value is not None else (None, None)
                out.extend(
                    [
                        {"indicator": f"{name}.low", "value": low},
                        {"indicator": f"{name}.high", "value": high},
                    ]
                )
            else:
                out.append({"indicator": name, "value": value})

    walk("", {k: v for k, v in ind.items() if k not in ("authority_id", "start", "end")})
    return out


def _aeo(ind: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"aeo": flag, **ind["aeo"][key]} for flag, key in ((True, "aeo"), (False, "non_aeo"))]


def _offices(ind: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {**o, "irregular_share": _share(o["irregular"], o["results"])}
        for o in ind["controls"]["by_office"]
    ]


Rows = Callable[[dict[str, Any]], list[dict[str, Any]]]

#: file stem -> (its columns after the period's, its rows from the indicators document)
_TABLES: dict[str, tuple[list[tuple[str, pa.DataType]], Rows]] = {
    "headline": ([("indicator", pa.string()), ("value", pa.float64())], _headline),
    "controls_by_type_and_stage": (
        [
            ("control", pa.string()),
            ("stage", pa.string()),
            ("controls", pa.int64()),
            ("random", pa.int64()),
            ("control_rate", pa.float64()),
        ],
        lambda ind: ind["controls"]["by_type_and_stage"],
    ),
    "controls_by_office": (
        [
            ("office", pa.string()),
            ("declarations", pa.int64()),
            ("controls", pa.int64()),
            ("control_rate", pa.float64()),
            ("results", pa.int64()),
            ("irregular", pa.int64()),
            ("irregular_share", pa.float64()),
        ],
        _offices,
    ),
    "aeo": (
        [
            ("aeo", pa.bool_()),
            ("declarations", pa.int64()),
            ("controls", pa.int64()),
            ("control_rate", pa.float64()),
            ("results", pa.int64()),
            ("irregular", pa.int64()),
            ("irregular_share", pa.float64()),
        ],
        _aeo,
    ),
    "findings_by_code": (
        [("code", pa.string()), ("findings", pa.int64())],
        lambda ind: [
            {"code": c, "findings": n} for c, n in ind["data_quality"]["findings_by_code"].items()
        ],
    ),
    "least_compliant_filers": (
        [
            ("filer", pa.string()),
            ("declarations", pa.int64()),
            ("clean", pa.int64()),
            ("clean_share", pa.float64()),
        ],
        lambda ind: ind["data_quality"]["least_compliant_filers"],
    ),
}

_PERFORMANCE = pa.schema(
    [
        ("profile_id", pa.string()),
        ("version", pa.int64()),
        ("hits", pa.int64()),
        ("controls", pa.int64()),
        ("random_controls", pa.int64()),
        ("results", pa.int64()),
        ("true_hits", pa.int64()),
        ("false_positives", pa.int64()),
        ("hit_rate", pa.float64()),
        ("duties_found", pa.float64()),
    ]
)


def _table(schema: pa.Schema, rows: Iterable[dict[str, Any]]) -> pa.Table:
    """Rows to a table of exactly ``schema``'s columns: keys the schema does not name
    (a profile's monthly breakdown) are left out, so the table stays flat."""
    names = schema.names
    return pa.Table.from_pylist([{n: r.get(n) for n in names} for r in rows], schema=schema)


def _write(table: pa.Table, path: Path, fmt: Format) -> Path:
    if fmt == "csv":
        pa_csv.write_csv(table, path)
    elif fmt == "parquet":
        pq.write_table(table, path)
    else:  # the CLI passes strings through; say what is wrong rather than write nothing
        raise ValidationFailed(f"unknown export format {fmt!r}: csv or parquet")
    return path


def export_tables(indicators: dict[str, Any], directory: Path, fmt: Format) -> list[Path]:
    """Write the indicators as tidy tables, one file per table named after it
    (``headline.csv``, ``controls_by_office.parquet``...) in ``directory`` (created if
    missing); return the paths in a fixed order."""
    if fmt not in ("csv", "parquet"):
        raise ValidationFailed(f"unknown export format {fmt!r}: csv or parquet")
    directory.mkdir(parents=True, exist_ok=True)
    period = {
        "authority_id": indicators["authority_id"],
        "start": date.fromisoformat(indicators["start"]),
        "end": date.fromisoformat(indicators["end"]),
    }
    out = []
    for stem, (columns, rows) in _TABLES.items():
        schema = pa.schema(_PERIOD + columns)
        table = _table(schema, ({**period, **r} for r in rows(indicators)))
        out.append(_write(table, directory / f"{stem}.{fmt}", fmt))
    return out


def export_performance(performance: Sequence[dict[str, Any]], path: Path, fmt: Format) -> Path:
    """Write the profiles' performance (``ProfilePerformance.as_dict()`` rows), one row
    per profile version with its totals for the period; return ``path``."""
    return _write(_table(_PERFORMANCE, performance), path, fmt)
