"""Readers for bulk sources: JSON Lines, CSV (with a column mapping) and Parquet.

Each yields ``SourceRecord``s numbered by position (line number for JSON Lines, data row
for CSV and Parquet) so that errors point at the record and a resumed load can skip what
was committed. A record that cannot even be decoded (broken CSV row, bad bytes) becomes an
error record, never an exception that stops the load.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tollgate.errors import ValidationFailed
from tollgate.intake.mapping import ColumnMapping
from tollgate.intake.records import RecordError

FORMATS = ("jsonl", "csv", "parquet")


@dataclass(slots=True)
class SourceRecord:
    """One record as read. ``mapped`` is False for tabular rows still to go through the
    column mapping — done by whoever prepares the record, possibly in a worker process."""

    position: int
    raw: bytes | dict[str, Any] | None
    mapped: bool = True
    error: RecordError | None = None


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson", "json"):
        return "jsonl"
    if suffix in ("csv", "parquet"):
        return suffix
    raise ValidationFailed(
        f"cannot tell the format of {path.name}: use .jsonl, .csv or .parquet, or --format"
    )


def read_jsonl(path: Path, skip_to: int = 0) -> Iterator[SourceRecord]:
    with path.open("rb") as fh:
        for position, line in enumerate(fh, start=1):
            if position <= skip_to:
                continue
            stripped = line.strip()
            if not stripped:
                continue
            yield SourceRecord(position, stripped)


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str] | RecordError]]:
    with path.open("rb") as raw:
        # bad bytes survive decoding as surrogates, so one broken row is reported and the
        # rows after it still load
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")
        reader = csv.reader(text, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            return
        position = 0
        while True:
            position += 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield position, RecordError(position, None, "$", "broken_csv_row", str(exc))
                continue
            if len(row) != len(header):
                yield (
                    position,
                    RecordError(
                        position,
                        None,
                        "$",
                        "broken_csv_row",
                        f"row has {len(row)} cells, the header has {len(header)}",
                    ),
                )
                continue
            try:
                "".join(row).encode("utf-8")
            except UnicodeEncodeError:
                bad = next(h for h, cell in zip(header, row, strict=True) if _not_utf8(cell))
                yield (
                    position,
                    RecordError(
                        position,
                        None,
                        bad,
                        "invalid_utf8",
                        f"column {bad!r} holds bytes that are not UTF-8",
                    ),
                )
                continue
            yield position, dict(zip(header, row, strict=True))


def _not_utf8(cell: str) -> bool:
    try:
        cell.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        try:
            return next(csv.reader(fh))
        except StopIteration:
            return []


def read_csv(path: Path, mapping: ColumnMapping, skip_to: int = 0) -> Iterator[SourceRecord]:
    missing = mapping.missing_columns(csv_header(path))
    if missing:
        raise ValidationFailed(
            f"{path.name} lacks the columns the mapping needs: {', '.join(missing)}"
        )
    for position, row in _csv_rows(path):
        if position <= skip_to:
            continue
        if isinstance(row, RecordError):
            yield SourceRecord(position, None, error=row)
        else:
            yield SourceRecord(position, row, mapped=False)


def read_parquet(
    path: Path, mapping: ColumnMapping | None, skip_to: int = 0, batch_size: int = 10_000
) -> Iterator[SourceRecord]:
    """Parquet with nested columns in Tollgate's own shape, or flat columns with a mapping."""
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    if mapping is not None:
        missing = mapping.missing_columns(pf.schema_arrow.names)
        if missing:
            raise ValidationFailed(
                f"{path.name} lacks the columns the mapping needs: {', '.join(missing)}"
            )
    position = 0
    for batch in pf.iter_batches(batch_size=batch_size):
        for row in batch.to_pylist():
            position += 1
            if position <= skip_to:
                continue
            if mapping is None:
                doc = {k: v for k, v in row.items() if v is not None}
                yield SourceRecord(position, doc)
            else:
                cells = {k: (None if v is None else str(v)) for k, v in row.items()}
                yield SourceRecord(position, cells, mapped=False)


def read_source(
    path: Path, fmt: str, mapping: ColumnMapping | None, skip_to: int = 0
) -> Iterator[SourceRecord]:
    if fmt == "jsonl":
        return read_jsonl(path, skip_to)
    if fmt == "csv":
        if mapping is None:
            raise ValidationFailed("a CSV load needs a column mapping (--mapping FILE.yaml)")
        return read_csv(path, mapping, skip_to)
    if fmt == "parquet":
        return read_parquet(path, mapping, skip_to)
    raise ValidationFailed(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
