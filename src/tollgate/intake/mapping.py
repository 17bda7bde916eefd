"""Column mappings: foreign tabular layouts (CSV, flat Parquet) onto Tollgate filings,
without code (e.g. ``mappings/kcs.yaml`` for the KCS declarations).

A mapping is YAML::

    record_id: Declaration ID          # column that names a record in error reports
    constants: {kind: import, declaration_type: H1, "goods_items[0].sequence": 1}
    fields:
      lrn: Declaration ID              # short form: a column name
      lodged_at: {column: Date, format: date}
      office_of_lodgement: {column: Office ID, template: "KR{value:0>6}"}
      "goods_items[0].item_price": {column: Item Price, round: 2}
    labels:                            # ground truth, stored beside the filing
      fraud: Fraud

Targets are paths into the filing (``importer.address.country``, ``goods_items[0].net_mass``).
Empty cells leave the element out. Templates may use only ``{value}`` with a format spec:
attribute or index access is refused, so a mapping file cannot reach into Python objects.
"""

from __future__ import annotations

import contextlib
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from tollgate.errors import ValidationFailed

_PATH = re.compile(r"^[a-z_]+(\[\d{1,3}\])?(\.[a-z_]+(\[\d{1,3}\])?)*$")
_STEP = re.compile(r"([a-z_]+)(?:\[(\d+)\])?")
FORMATS = frozenset({"text", "date", "datetime"})


@dataclass(frozen=True, slots=True)
class FieldRule:
    target: tuple[tuple[str, int | None], ...]
    path: str
    column: str | None
    constant: Any
    template: str | None
    fmt: str
    round_to: int | None = None


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    rules: tuple[FieldRule, ...]
    record_id: str | None
    labels: tuple[tuple[str, str], ...]
    source_text: str

    @property
    def columns(self) -> set[str]:
        cols = {r.column for r in self.rules if r.column is not None}
        cols.update(c for _, c in self.labels)
        if self.record_id:
            cols.add(self.record_id)
        return cols

    def missing_columns(self, header: list[str]) -> list[str]:
        return sorted(self.columns - set(header))

    def apply(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """One source row -> a filing document (not yet validated)."""
        doc: dict[str, Any] = {}
        for rule in self.rules:
            if rule.column is None:
                value = rule.constant
            else:
                cell = row.get(rule.column)
                if cell is None or (isinstance(cell, str) and not cell.strip()):
                    continue
                value = _convert(cell, rule)
            _put(doc, rule.target, value)
        return doc

    def labels_of(self, row: Mapping[str, Any]) -> dict[str, str]:
        out = {}
        for name, column in self.labels:
            cell = row.get(column)
            if cell is not None and str(cell).strip():
                out[name] = str(cell).strip()
        return out

    def record_id_of(self, row: Mapping[str, Any]) -> str | None:
        if self.record_id is None:
            return None
        cell = row.get(self.record_id)
        return None if cell is None else str(cell)


def _convert(cell: Any, rule: FieldRule) -> Any:
    value = cell.strip() if isinstance(cell, str) else cell
    if rule.template is not None:
        value = rule.template.format(value=value)
    if rule.round_to is not None:
        # a value that is no number is left as it is: validation reports the field
        with contextlib.suppress(InvalidOperation):
            value = str(round(Decimal(str(value)), rule.round_to))
    if rule.fmt == "date":
        value = f"{str(value)[:10]}T00:00:00Z"
    elif (
        rule.fmt == "datetime"
        and isinstance(value, str)
        and not re.search(r"(Z|[+-]\d\d:?\d\d)$", value)
    ):
        value = value + "Z"
    return value


def _put(doc: dict[str, Any], target: tuple[tuple[str, int | None], ...], value: Any) -> None:
    node: Any = doc
    for i, (name, index) in enumerate(target):
        last = i == len(target) - 1
        if index is None:
            if last:
                node[name] = value
            else:
                node = node.setdefault(name, {})
        else:
            items = node.setdefault(name, [])
            while len(items) <= index:
                items.append({})
            if last:
                items[index] = value
            else:
                node = items[index]


def _check_template(template: str, where: str) -> None:
    for _, field_name, _, _ in string.Formatter().parse(template):
        if field_name is not None and field_name != "value":
            raise ValidationFailed(
                f"mapping {where}: template {template!r} may only use {{value}}, "
                f"not {{{field_name}}}"
            )


def _target(path: str, where: str) -> tuple[tuple[str, int | None], ...]:
    if not _PATH.match(path):
        raise ValidationFailed(f"mapping {where}: {path!r} is not a field path like a.b[0].c")
    return tuple(
        (m.group(1), int(m.group(2)) if m.group(2) is not None else None)
        for m in _STEP.finditer(path)
    )


def parse_mapping(text: str) -> ColumnMapping:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValidationFailed(f"mapping is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ValidationFailed("mapping must be a YAML mapping with 'fields'")
    unknown = set(data) - {"record_id", "constants", "fields", "labels"}
    if unknown:
        raise ValidationFailed(f"mapping has unknown sections {sorted(unknown)}")
    rules: list[FieldRule] = []
    for path, value in (data.get("constants") or {}).items():
        rules.append(FieldRule(_target(path, f"constants.{path}"), path, None, value, None, "text"))
    fields = data.get("fields") or {}
    if not isinstance(fields, dict) or not fields:
        raise ValidationFailed("mapping needs a non-empty 'fields' section")
    for path, spec in fields.items():
        where = f"fields.{path}"
        if isinstance(spec, str):
            spec = {"column": spec}
        if not isinstance(spec, dict) or not isinstance(spec.get("column"), str):
            raise ValidationFailed(f"mapping {where}: give a column name or {{column: ...}}")
        extra = set(spec) - {"column", "template", "format", "round"}
        if extra:
            raise ValidationFailed(f"mapping {where}: unknown keys {sorted(extra)}")
        template = spec.get("template")
        if template is not None:
            _check_template(str(template), where)
        fmt = spec.get("format", "text")
        if fmt not in FORMATS:
            raise ValidationFailed(f"mapping {where}: format must be one of {sorted(FORMATS)}")
        round_to = spec.get("round")
        if round_to is not None and (not isinstance(round_to, int) or not 0 <= round_to <= 8):
            raise ValidationFailed(f"mapping {where}: round must be a whole number 0..8")
        rules.append(
            FieldRule(
                _target(path, where),
                path,
                spec["column"],
                None,
                None if template is None else str(template),
                fmt,
                round_to,
            )
        )
    labels = data.get("labels") or {}
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        raise ValidationFailed("mapping 'labels' must map label names to column names")
    record_id = data.get("record_id")
    return ColumnMapping(
        rules=tuple(rules),
        record_id=record_id if isinstance(record_id, str) else None,
        labels=tuple(sorted(labels.items())),
        source_text=text,
    )


def load_mapping(path: Path) -> ColumnMapping:
    try:
        return parse_mapping(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ValidationFailed(f"mapping file {path} not found") from exc
