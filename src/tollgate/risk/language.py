"""The profile language: conditions on declaration facts, as data (RM-6, RM-7).

A risk profile's ``when`` is a tree of ``all`` / ``any`` / ``not`` nodes over *conditions*.
A condition names one field of the fact catalogue (``FIELDS``) and one or more operators::

    when:
      all:
        - {field: item.commodity_code, prefix: ["6109", "6110"]}
        - {field: item.origin_country, in: [CN, BD]}
        - {field: item.unit_value_per_kg, gte: 0, lt: 2.5}
        - not: {field: trader.aeo, eq: true}

Meaning, shared by every evaluator (in process and compiled to SQL):

- A declaration is evaluated as one row per goods item, declaration fields repeated on
  each; a declaration without goods items is one row with the item fields missing. A
  profile **hits** when its tree holds for at least one row.
- Several operators in one condition must all hold (``gte`` with ``lt`` is a range).
- A condition on a missing element is **false**; ``not`` then makes it true. (SQL's
  three-valued logic is folded to this two-valued one by the compiler.)
- Text comparison is exact except ``contains`` and ``matches``, which ignore case;
  ``similar`` compares normalised names (see ``normalise_name``).

The tree is parsed from plain data (YAML or JSON) into frozen dataclasses and validated
against the catalogue; nothing is ever evaluated with ``eval``/``exec``. Every error names
its path (``when.all[2].lt``) and the reason.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import re2

__all__ = [
    "FIELDS",
    "AllOf",
    "AnyOf",
    "Condition",
    "FieldType",
    "Node",
    "Not",
    "ProfileError",
    "fields_of",
    "normalise_name",
    "parse_condition",
]

#: Bounds that keep one profile from stalling assessment or bloating the index.
MAX_VALUES = 20_000
MAX_PATTERN = 200
MAX_DEPTH = 12
MAX_NODES = 500


class FieldType(StrEnum):
    TEXT = "text"  # free text: contains, matches, eq
    CODE = "code"  # a code or identifier: eq, in, prefix, list membership
    NAME = "name"  # a party name: also fuzzy ``similar`` against a managed name list
    NUMBER = "number"
    DATETIME = "datetime"
    FLAG = "flag"
    CODES = "codes"  # a set of codes (itinerary, findings): includes / excludes


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    type: FieldType
    item: bool  # an item-level field (one value per goods item)
    doc: str


def _f(name: str, type_: FieldType, doc: str) -> FieldSpec:
    return FieldSpec(name, type_, name.startswith("item."), doc)


T = FieldType
#: The fact catalogue: every field a profile may test. Built by ``tollgate.risk.facts``.
FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in (
        _f("kind", T.CODE, "ens, import or csm"),
        _f("filing_type", T.CODE, "F10..F51 for ENS, H1/H7 for imports, CSM"),
        _f("layer", T.CODE, "ENS layer: pre-loading, master, house, complete"),
        _f("filer", T.CODE, "EORI of the filer"),
        _f("office", T.CODE, "office of first entry or of lodgement"),
        _f("office_country", T.CODE, "country of that office"),
        _f("lodged_at", T.DATETIME, "when the filing was lodged"),
        _f("transport.mode", T.CODE, "EU transport-mode code, 1..9"),
        _f("transport.means_nationality", T.CODE, "nationality of the active means"),
        _f("transport.place_of_loading", T.CODE, "UN/LOCODE"),
        _f("transport.loading_country", T.CODE, "country of the place of loading"),
        _f("transport.place_of_unloading", T.CODE, "UN/LOCODE"),
        _f("transport.itinerary", T.CODES, "countries of routing"),
        _f("transport.container_count", T.NUMBER, "containers named"),
        _f("consignor.name", T.NAME, "consignor (or exporter) name"),
        _f("consignor.country", T.CODE, "consignor country"),
        _f("consignor.eori", T.CODE, "consignor EORI"),
        _f("consignee.name", T.NAME, "consignee (or importer) name"),
        _f("consignee.country", T.CODE, "consignee country"),
        _f("consignee.eori", T.CODE, "consignee (or importer) EORI"),
        _f("declarant.eori", T.CODE, "declarant EORI (imports)"),
        _f("incoterms", T.CODE, "delivery terms (imports)"),
        _f("invoice_currency", T.CODE, "ISO 4217"),
        _f("total_packages", T.NUMBER, "packages declared at header level"),
        _f("total_gross_mass", T.NUMBER, "kg, header level"),
        _f("item.commodity_code", T.CODE, "HS/CN/TARIC code as declared"),
        _f("item.origin_country", T.CODE, "country of origin"),
        _f("item.preferential_origin_country", T.CODE, "preferential origin"),
        _f("item.description", T.TEXT, "goods description"),
        _f("item.gross_mass", T.NUMBER, "kg"),
        _f("item.net_mass", T.NUMBER, "kg"),
        _f("item.supplementary_units", T.NUMBER, "quantity in the supplementary unit"),
        _f("item.value", T.NUMBER, "statistical value, else item price (EUR)"),
        _f("item.unit_value_per_kg", T.NUMBER, "value per kg of net (else gross) mass"),
        _f("item.unit_value_per_unit", T.NUMBER, "value per supplementary unit"),
        _f(
            "item.benchmark_level",
            T.CODE,
            "which benchmark the value per kg was compared with (RM-15): hs6_origin, hs6,"
            " hs4_origin, hs4, hs2_origin or hs2; missing without one",
        ),
        _f(
            "item.benchmark_ratio",
            T.NUMBER,
            "unit value per kg over the benchmark median (item.benchmark_level)",
        ),
        _f(
            "item.unit_value_deviation",
            T.NUMBER,
            "robust z-score of the value per kg: (ln v - median ln) / (1.4826 MAD)",
        ),
        _f(
            "item.benchmark_level_per_unit",
            T.CODE,
            "which benchmark the value per supplementary unit was compared with",
        ),
        _f(
            "item.benchmark_ratio_per_unit",
            T.NUMBER,
            "unit value per supplementary unit over its benchmark median",
        ),
        _f(
            "item.unit_value_deviation_per_unit",
            T.NUMBER,
            "robust z-score of the value per supplementary unit",
        ),
        _f(
            "item.undervalued",
            T.FLAG,
            "a unit value 3 robust deviations or more below its benchmark, or a value of 0",
        ),
        _f("item.overvalued", T.FLAG, "a unit value 3 robust deviations or more above it"),
        _f("item.procedure_code", T.CODE, "customs procedure (e.g. 4200)"),
        _f("item.preference_code", T.CODE, "tariff preference claimed"),
        _f("item.un_dangerous_goods_number", T.CODE, "UN number"),
        _f("trader.eori", T.CODE, "the trader assessed: importer, else consignee, else filer"),
        _f("trader.aeo", T.FLAG, "holds an AEO authorisation (or a recognised one, RM-23)"),
        _f("trader.segment", T.CODE, "client segment (RM-24)"),
        _f("trader.first_time", T.FLAG, "not seen before by the assessing authority"),
        _f("quality.codes", T.CODES, "data-quality finding codes of the filing"),
        _f("quality.score", T.NUMBER, "data-quality score, 0..100"),
        _f(
            "model.score",
            T.NUMBER,
            "probability of an irregularity from the active learned model (real time only)",
        ),
    )
}
_NATIONAL = re.compile(r"^national\.([A-Z]{2})\.([A-Za-z0-9_]{1,40})$")

#: operator -> field types it applies to
OPERATORS: dict[str, frozenset[FieldType]] = {
    "eq": frozenset(T) - {T.CODES},
    "ne": frozenset(T) - {T.CODES},
    "in": frozenset({T.CODE, T.NAME, T.TEXT}),
    "not_in": frozenset({T.CODE, T.NAME, T.TEXT}),
    "prefix": frozenset({T.CODE}),
    "gt": frozenset({T.NUMBER, T.DATETIME}),
    "gte": frozenset({T.NUMBER, T.DATETIME}),
    "lt": frozenset({T.NUMBER, T.DATETIME}),
    "lte": frozenset({T.NUMBER, T.DATETIME}),
    "contains": frozenset({T.TEXT, T.NAME}),
    "matches": frozenset({T.TEXT, T.NAME, T.CODE}),
    "in_list": frozenset({T.CODE, T.NAME}),
    "similar": frozenset({T.NAME}),
    "includes": frozenset({T.CODES}),
    "excludes": frozenset({T.CODES}),
    "exists": frozenset(T),
}


class ProfileError(ValueError):
    """An invalid profile: ``path`` locates the element, ``reason`` says what is wrong."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


# ---------------------------------------------------------------------------- the tree


@dataclass(frozen=True, slots=True)
class Similar:
    list: str
    threshold: float


Value = str | float | bool | datetime


@dataclass(frozen=True, slots=True)
class Condition:
    """One field, one or more operators (all must hold). Values are normalised: numbers
    as float, datetimes aware UTC, sets as frozensets, text for ``contains`` lower-cased."""

    field: str
    type: FieldType
    ops: tuple[tuple[str, Any], ...]
    path: str

    def op(self, name: str) -> Any:
        for key, value in self.ops:
            if key == name:
                return value
        return None


@dataclass(frozen=True, slots=True)
class AllOf:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


Node = Condition | AllOf | AnyOf | Not


def fields_of(node: Node) -> list[str]:
    """The fields a tree reads, in order of first use (for explaining a hit)."""
    out: list[str] = []

    def walk(n: Node) -> None:
        if isinstance(n, Condition):
            if n.field not in out:
                out.append(n.field)
        elif isinstance(n, Not):
            walk(n.child)
        else:
            for c in n.children:
                walk(c)

    walk(node)
    return out


def conditions_of(node: Node) -> list[Condition]:
    out: list[Condition] = []

    def walk(n: Node) -> None:
        if isinstance(n, Condition):
            out.append(n)
        elif isinstance(n, Not):
            walk(n.child)
        else:
            for c in n.children:
                walk(c)

    walk(node)
    return out


def normalise_name(name: str) -> str:
    """A party name as compared by every name operator: accents removed, upper case, Latin
    letters and digits only, single spaces. Applied to facts and to managed name lists
    alike, so the SQL evaluators compare the same strings as the in-process one; ASCII
    only, because SQL engines count edit distance in bytes (names in other scripts are a
    DQ-4 finding already, and are matched on their Latin part)."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.findall(r"[A-Z0-9]+", plain.upper()))


# --------------------------------------------------------------------------- parsing


def parse_condition(
    data: Any,
    *,
    path: str = "when",
    own_country: str | None = None,
    lists: Mapping[str, str] | None = None,
) -> Node:
    """Parse and validate a ``when`` tree.

    ``own_country`` is the owning authority's country: national-data fields
    (``national.NL.x``) of another country are refused. ``lists`` maps the managed lists
    the owner may read to their kind (``codes``, ``names``...); ``in_list``/``similar`` on any
    other list is refused. ``None`` skips the list check (parsing a file before import)."""
    counter = [0]
    return _parse(data, path, 0, counter, own_country, lists)


def _parse(
    data: Any,
    path: str,
    depth: int,
    counter: list[int],
    own_country: str | None,
    lists: Mapping[str, str] | None,
) -> Node:
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise ProfileError(path, f"a profile may have at most {MAX_NODES} nodes")
    if depth > MAX_DEPTH:
        raise ProfileError(path, f"nested deeper than {MAX_DEPTH} levels")
    if not isinstance(data, Mapping):
        raise ProfileError(path, "expected a mapping: all, any, not or a condition with 'field'")
    keys = set(data)
    for combinator in ("all", "any"):
        if combinator in keys:
            if keys != {combinator}:
                raise ProfileError(path, f"'{combinator}' must stand alone, found {sorted(keys)}")
            children = data[combinator]
            if not isinstance(children, list) or not children:
                raise ProfileError(f"{path}.{combinator}", "expected a non-empty list")
            parsed = tuple(
                _parse(c, f"{path}.{combinator}[{i}]", depth + 1, counter, own_country, lists)
                for i, c in enumerate(children)
            )
            return AllOf(parsed) if combinator == "all" else AnyOf(parsed)
    if "not" in keys:
        if keys != {"not"}:
            raise ProfileError(path, f"'not' must stand alone, found {sorted(keys)}")
        return Not(_parse(data["not"], f"{path}.not", depth + 1, counter, own_country, lists))
    if "field" not in keys:
        raise ProfileError(path, "expected all, any, not or a condition with 'field'")
    return _parse_leaf(data, path, own_country, lists)


def _field_spec(name: Any, path: str, own_country: str | None) -> FieldSpec:
    if not isinstance(name, str):
        raise ProfileError(f"{path}.field", "expected a field name")
    spec = FIELDS.get(name)
    if spec is not None:
        return spec
    national = _NATIONAL.match(name)
    if national:
        if own_country is not None and national.group(1) != own_country:
            raise ProfileError(
                f"{path}.field",
                f"national data of {national.group(1)} is not readable by a profile of "
                f"{own_country}",
            )
        return FieldSpec(name, T.TEXT, False, "national data element")
    raise ProfileError(f"{path}.field", f"unknown field {name!r}")


def _parse_leaf(
    data: Mapping[str, Any],
    path: str,
    own_country: str | None,
    lists: Mapping[str, str] | None,
) -> Condition:
    spec = _field_spec(data["field"], path, own_country)
    ops: list[tuple[str, Any]] = []
    for key in data:
        if key == "field":
            continue
        where = f"{path}.{key}"
        allowed = OPERATORS.get(key)
        if allowed is None:
            raise ProfileError(where, f"unknown operator {key!r}")
        if spec.type not in allowed:
            raise ProfileError(where, f"{key!r} does not apply to {spec.type} field {spec.name!r}")
        ops.append((key, _operand(key, data[key], spec, where, lists)))
    if not ops:
        raise ProfileError(path, f"condition on {spec.name!r} has no operator")
    if {"in_list", "similar"} <= {k for k, _ in ops}:
        raise ProfileError(path, "use either in_list or similar, not both")
    return Condition(spec.name, spec.type, tuple(ops), path)


def _operand(
    op: str, value: Any, spec: FieldSpec, path: str, lists: Mapping[str, str] | None
) -> Any:
    if op == "exists":
        if not isinstance(value, bool):
            raise ProfileError(path, "expected true or false")
        return value
    if op in ("eq", "ne"):
        return _scalar(value, spec, path)
    if op in ("gt", "gte", "lt", "lte"):
        return _scalar(value, spec, path)
    if op in ("in", "not_in", "prefix", "includes", "excludes"):
        values = value if isinstance(value, list) else None
        if not values:
            raise ProfileError(path, "expected a non-empty list")
        if len(values) > MAX_VALUES:
            raise ProfileError(path, f"at most {MAX_VALUES} values; use a managed list")
        out = []
        for i, v in enumerate(values):
            if not isinstance(v, str | int) or isinstance(v, bool) or str(v) == "":
                raise ProfileError(f"{path}[{i}]", "expected a non-empty code")
            out.append(str(v))
        if op == "prefix":
            return tuple(sorted(set(out)))
        return frozenset(out)
    if op == "contains":
        words = value if isinstance(value, list) else [value]
        if not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise ProfileError(path, "expected a text or a list of texts")
        if len(words) > MAX_VALUES:
            raise ProfileError(path, f"at most {MAX_VALUES} texts")
        return tuple(sorted({w.lower() for w in words}))
    if op == "matches":
        return _pattern(value, path)
    if op == "in_list":
        return _list_name(
            value, path, lists, {"codes"} if spec.type is T.CODE else {"names", "codes"}
        )
    if op == "similar":
        if (
            not isinstance(value, Mapping)
            or set(value) - {"list", "threshold"}
            or "list" not in value
        ):
            raise ProfileError(path, "expected {list: <name list>, threshold: 0.5..1}")
        threshold = value.get("threshold", 0.85)
        if (
            isinstance(threshold, bool)
            or not isinstance(threshold, int | float)
            or not 0.5 <= threshold <= 1
        ):
            raise ProfileError(f"{path}.threshold", "expected a number from 0.5 to 1")
        name = _list_name(value["list"], f"{path}.list", lists, {"names"})
        return Similar(name, float(threshold))
    raise ProfileError(path, f"unknown operator {op!r}")  # pragma: no cover - OPERATORS guards


def _scalar(value: Any, spec: FieldSpec, path: str) -> Value:
    if spec.type is T.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ProfileError(path, "expected a number")
        if not math.isfinite(value):
            raise ProfileError(path, "expected a finite number")
        return float(value)
    if spec.type is T.DATETIME:
        return _datetime(value, path)
    if spec.type is T.FLAG:
        if not isinstance(value, bool):
            raise ProfileError(path, "expected true or false")
        return value
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ProfileError(path, "expected a text or code")
    return str(value)


def _datetime(value: Any, path: str) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ProfileError(path, f"{value!r} is not an ISO 8601 date or time") from None
    else:
        raise ProfileError(path, "expected an ISO 8601 date or time")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _pattern(value: Any, path: str) -> str:
    """A regular expression, bounded: RE2 syntax (linear time, no backreferences or
    lookaround), at most ``MAX_PATTERN`` characters, compiled once to prove it valid."""
    if not isinstance(value, str) or not value:
        raise ProfileError(path, "expected a regular expression")
    if len(value) > MAX_PATTERN:
        raise ProfileError(path, f"at most {MAX_PATTERN} characters")
    try:
        compile_pattern(value)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        raise ProfileError(path, f"not a valid RE2 expression: {reason}") from None
    return value


def compile_pattern(pattern: str) -> Any:
    """A ``matches`` pattern compiled as every evaluator applies it: RE2, ignoring case,
    found anywhere in the text. RE2 runs in time linear in the text, so no pattern can
    stall assessment."""
    options = re2.Options()
    options.log_errors = False
    options.case_sensitive = False
    return re2.compile(pattern, options)


def _list_name(value: Any, path: str, lists: Mapping[str, str] | None, kinds: set[str]) -> str:
    if not isinstance(value, str) or not value:
        raise ProfileError(path, "expected the name of a managed list")
    if lists is not None:
        kind = lists.get(value)
        if kind is None:
            raise ProfileError(path, f"no managed list {value!r} readable by this profile's owner")
        if kind not in kinds:
            raise ProfileError(
                path, f"list {value!r} holds {kind}, expected {' or '.join(sorted(kinds))}"
            )
    return value


def ensure_sequence(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list | tuple) else [value]
