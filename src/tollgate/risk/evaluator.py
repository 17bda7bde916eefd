"""The in-process evaluator: profiles compiled to closures, found through an index.

Real-time assessment (air cargo pre-loading) must not cost more with every profile an
authority activates. Each profile is compiled once into a tree of closures, and indexed by
one *anchor*: a condition that every hit must satisfy (a commodity-code prefix, an origin,
a transport mode ...), taken from the top level of its ``all``. Assessing a declaration
looks up its rows' values in the index and evaluates only the profiles whose anchor could
hold, plus the few without any anchor. The meaning is the language's (``language``
module docstring); ``tollgate.risk.sql`` compiles the same trees to SQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz.distance import Levenshtein

from tollgate.risk.facts import Row
from tollgate.risk.language import (
    AllOf,
    AnyOf,
    Condition,
    FieldType,
    Node,
    Not,
    Similar,
    compile_pattern,
    fields_of,
)

Predicate = Callable[[Row], bool]


@dataclass(frozen=True, slots=True)
class ManagedLists:
    """The managed lists a set of profiles reads: codes as sets; names normalised (see
    ``language.normalise_name``), as a set for ``in_list`` and a tuple for ``similar``."""

    codes: Mapping[str, frozenset[str]] = field(default_factory=dict)
    names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def members(self, name: str) -> frozenset[str]:
        if name in self.codes:
            return self.codes[name]
        return frozenset(self.names.get(name, ()))


def similar_to_any(value: str, names: Sequence[str], threshold: float) -> bool:
    """Whether ``value`` is within the edit distance ``threshold`` allows of any name:
    ``distance <= (1 - threshold) * max(len)``, the formula the SQL evaluators use too."""
    slack = 1.0 - threshold
    n = len(value)
    for name in names:
        longest = max(n, len(name))
        allowed = slack * longest
        if abs(n - len(name)) > allowed:
            continue
        if Levenshtein.distance(value, name, score_cutoff=int(allowed)) <= allowed:
            return True
    return False


def compile_node(node: Node, lists: ManagedLists) -> Predicate:
    if isinstance(node, Condition):
        return _compile_condition(node, lists)
    if isinstance(node, Not):
        inner = compile_node(node.child, lists)
        return lambda row: not inner(row)
    children = tuple(compile_node(c, lists) for c in node.children)
    if isinstance(node, AllOf):
        return lambda row: all(c(row) for c in children)
    assert isinstance(node, AnyOf)
    return lambda row: any(c(row) for c in children)


def _compile_condition(cond: Condition, lists: ManagedLists) -> Predicate:
    tests = [_compile_op(cond.field, cond.type, op, operand, lists) for op, operand in cond.ops]
    name = cond.field
    if len(tests) == 1:
        (test,) = tests
    else:

        def test(value: Any) -> bool:
            return all(t(value) for t in tests)

    exists = cond.op("exists")
    if exists is not None and len(cond.ops) == 1:
        return lambda row: (row.get(name) is not None) is exists

    def predicate(row: Row) -> bool:
        value = row.get(name)
        if value is None:
            return exists is False and len(cond.ops) == 1
        return test(value)

    return predicate


def _compile_op(
    field_name: str, type_: FieldType, op: str, operand: Any, lists: ManagedLists
) -> Callable[[Any], bool]:
    if op == "exists":
        return lambda v: operand  # reached only with a value present
    if op == "eq":
        return lambda v: v == operand
    if op == "ne":
        return lambda v: v != operand
    if op == "in":
        return lambda v: v in operand
    if op == "not_in":
        return lambda v: v not in operand
    if op == "prefix":
        return lambda v: v.startswith(operand)
    if op == "gt":
        return lambda v: v > operand
    if op == "gte":
        return lambda v: v >= operand
    if op == "lt":
        return lambda v: v < operand
    if op == "lte":
        return lambda v: v <= operand
    if op == "contains":
        words = operand
        return lambda v: any(w in v.lower() for w in words)
    if op == "matches":
        pattern = compile_pattern(operand)
        return lambda v: pattern.search(v) is not None
    if op == "in_list":
        members = lists.members(operand)
        return lambda v: v in members
    if op == "similar":
        assert isinstance(operand, Similar)
        names, threshold = lists.names.get(operand.list, ()), operand.threshold
        return lambda v: similar_to_any(v, names, threshold)
    if op == "includes":
        return lambda v: not v.isdisjoint(operand)
    if op == "excludes":
        return lambda v: v.isdisjoint(operand)
    raise ValueError(f"{field_name}: unknown operator {op}")  # pragma: no cover


# ------------------------------------------------------------------------------ index


@dataclass(frozen=True, slots=True)
class Hit:
    """A profile that hit: which one, on which row, and the values it read there."""

    key: Any
    row: int
    values: dict[str, Any]


@dataclass(slots=True)
class _Entry:
    key: Any
    predicate: Predicate
    fields: list[str]


_ANCHOR_PREFERENCE = (
    "item.commodity_code",
    "item.origin_country",
    "consignor.country",
    "transport.loading_country",
    "transport.mode",
    "office_country",
    "kind",
    "filing_type",
)


def anchor_of(node: Node) -> tuple[str, str, tuple[str, ...]] | None:
    """A condition every hit of ``node`` satisfies, usable as an index key:
    ``(field, "eq" | "prefix", values)``, or None. Taken from the node itself or from the
    direct children of a top-level ``all``; commodity codes are preferred (the most
    selective), then origins, then other codes."""
    candidates = [node] if isinstance(node, Condition) else []
    if isinstance(node, AllOf):
        candidates = [c for c in node.children if isinstance(c, Condition)]
    best: tuple[int, tuple[str, str, tuple[str, ...]]] | None = None
    for cond in candidates:
        if cond.type is not FieldType.CODE:
            continue
        found: tuple[str, str, tuple[str, ...]] | None = None
        eq, within, prefixes = cond.op("eq"), cond.op("in"), cond.op("prefix")
        if eq is not None:
            found = (cond.field, "eq", (str(eq),))
        elif within is not None:
            found = (cond.field, "eq", tuple(sorted(within)))
        elif prefixes is not None:
            found = (cond.field, "prefix", tuple(prefixes))
        if found is None:
            continue
        rank = (
            _ANCHOR_PREFERENCE.index(cond.field)
            if cond.field in _ANCHOR_PREFERENCE
            else len(_ANCHOR_PREFERENCE)
        )
        if best is None or rank < best[0]:
            best = (rank, found)
    return best[1] if best is not None else None


class ProfileIndex:
    """Compiled profiles, found by their anchors. Build once per set of active profiles
    (``add`` each), then ``assess`` any number of declarations."""

    def __init__(self, lists: ManagedLists | None = None) -> None:
        self.lists = lists or ManagedLists()
        self._eq: dict[str, dict[str, list[_Entry]]] = defaultdict(lambda: defaultdict(list))
        self._prefix: dict[str, dict[str, list[_Entry]]] = defaultdict(lambda: defaultdict(list))
        self._prefix_lengths: dict[str, tuple[int, ...]] = {}
        self._always: list[_Entry] = []
        self.size = 0

    def add(self, key: Any, node: Node) -> None:
        entry = _Entry(key, compile_node(node, self.lists), fields_of(node))
        self.size += 1
        anchor = anchor_of(node)
        if anchor is None:
            self._always.append(entry)
            return
        field_name, kind, values = anchor
        if kind == "eq":
            for v in values:
                self._eq[field_name][v].append(entry)
        else:
            for v in values:
                self._prefix[field_name][v].append(entry)
            lengths = set(self._prefix_lengths.get(field_name, ())) | {len(v) for v in values}
            self._prefix_lengths[field_name] = tuple(sorted(lengths))

    def candidates(self, rows: Iterable[Row]) -> list[_Entry]:
        seen: dict[int, _Entry] = {}
        for row in rows:
            for field_name, table in self._eq.items():
                value = row.get(field_name)
                if value is not None:
                    for e in table.get(value, ()):
                        seen[id(e)] = e
            for field_name, table in self._prefix.items():
                value = row.get(field_name)
                if value is None:
                    continue
                for n in self._prefix_lengths[field_name]:
                    if n > len(value):
                        break
                    for e in table.get(value[:n], ()):
                        seen[id(e)] = e
        for e in self._always:
            seen[id(e)] = e
        return list(seen.values())

    def assess(self, rows: Sequence[Row]) -> list[Hit]:
        """Every profile that holds on at least one row, with its first matching row."""
        hits: list[Hit] = []
        for entry in self.candidates(rows):
            predicate = entry.predicate
            for i, row in enumerate(rows):
                if predicate(row):
                    hits.append(Hit(entry.key, i, {f: _plain(row.get(f)) for f in entry.fields}))
                    break
        return hits


def _plain(value: Any) -> Any:
    """A fact as JSON-friendly data for the reasons of an assessment."""
    if isinstance(value, frozenset | set):
        return sorted(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
