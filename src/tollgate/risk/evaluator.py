"""The in-process evaluator: profiles compiled to closures, found through an index.

Real-time assessment (air cargo pre-loading) must not cost more with every profile an
authority activates. Each profile is compiled once into a chain of closures, and indexed
by *keys* every hit must produce (``index_keys``: a commodity-code prefix, an origin, a
managed list, a description word, a value threshold ...). Assessing a declaration looks
its rows' values up in the index and evaluates only the profiles one of whose keys the
declaration produced, plus the few without any key. The meaning is the language's
(``language`` module docstring); ``tollgate.risk.sql`` compiles the same trees to SQL.

Facts rows repeat the declaration's fields on every goods item (``facts.rows_of``), so
for a declaration whose rows agree on those fields, the declaration-level conditions of a
profile are tested once rather than on every item, and declaration-level keys looked up
on its first row only. Rows that disagree (which ``rows_of`` never makes, but a caller
may) are assessed row by row in full: the answer never depends on that shortcut.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import re2
from rapidfuzz.distance import Levenshtein

from tollgate.risk.facts import Row
from tollgate.risk.language import (
    FIELDS,
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
Test = Callable[[Any], bool]
T = TypeVar("T")


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


# ---------------------------------------------------------------------------- compiling


def compile_node(node: Node, lists: ManagedLists) -> Predicate:
    """``node`` as one closure over a row. Combinators chain their children with ``and`` /
    ``or`` in closures of up to four (a generator per test, as ``all`` takes, costs more
    than the test itself), and each single-operator condition is one closure."""
    if isinstance(node, Condition):
        return _compile_condition(node, lists)
    if isinstance(node, Not):
        inner = compile_node(node.child, lists)
        return lambda row: not inner(row)
    if isinstance(node, AllOf):
        return _all_of([compile_node(c, lists) for c in _by_cost(node.children)])
    children = [compile_node(c, lists) for c in node.children]
    assert isinstance(node, AnyOf)
    return _any_of(children)


#: operators that cost more than a comparison: a text search, a regular expression, an
#: edit distance to every name of a list
_COSTS = {"contains": 1, "includes": 1, "excludes": 1, "matches": 2, "similar": 3}


def _cost(node: Node) -> int:
    if isinstance(node, Condition):
        return max(_COSTS.get(op, 0) for op, _ in node.ops)
    if isinstance(node, Not):
        return _cost(node.child)
    return max(_cost(c) for c in node.children)


def _by_cost(nodes: Sequence[Node]) -> list[Node]:
    """The children of an ``all`` in the order that spares most work: the costly tests
    last, and among the cheap ones the likeliest to be false (the most selective key,
    ``index_keys``) first; the answer is the same in any order."""

    def order(node: Node) -> tuple[int, int]:
        ranked = _ranked_keys(node)
        return _cost(node), _UNKEYED if ranked is None else ranked[0]

    return sorted(nodes, key=order)


def _all_of(tests: Sequence[Callable[[T], bool]]) -> Callable[[T], bool]:
    """The conjunction of ``tests``, in their order (each stops the chain when false)."""
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        a, b = tests
        return lambda row: a(row) and b(row)
    if len(tests) == 3:
        a, b, c = tests
        return lambda row: a(row) and b(row) and c(row)
    a, b, c, d = tests[:4]
    if len(tests) == 4:
        return lambda row: a(row) and b(row) and c(row) and d(row)
    rest = _all_of(tests[4:])
    return lambda row: a(row) and b(row) and c(row) and d(row) and rest(row)


def _any_of(tests: Sequence[Predicate]) -> Predicate:
    """The disjunction of ``tests``, in their order, as a chain of pairs: an ``any`` is
    rarer in profiles than an ``all``, and shorter."""
    if len(tests) == 1:
        return tests[0]
    a, b = tests[0], _any_of(tests[1:])
    return lambda row: a(row) or b(row)


def _compile_condition(cond: Condition, lists: ManagedLists) -> Predicate:
    name = cond.field
    if len(cond.ops) == 1:
        op, operand = cond.ops[0]
        if op == "exists":
            return lambda row: (row.get(name) is not None) is operand
        single = _single(name, op, operand, lists)
        if single is not None:
            return single
    # several operators (a range ...), or a rare one: every test on the present value
    test = _all_of([_compile_op(name, cond.type, op, v, lists) for op, v in cond.ops])
    return lambda row: (value := row.get(name)) is not None and test(value)


def _single(name: str, op: str, operand: Any, lists: ManagedLists) -> Predicate | None:
    """A one-operator condition as a single closure, reading the row itself: a missing
    value (``None``) is false, which ``==`` and ``in`` give already (no operand is None)."""
    if op == "eq":
        return lambda row: row.get(name) == operand
    if op == "in":
        return lambda row: row.get(name) in operand
    if op == "in_list":
        members = lists.members(operand)
        return lambda row: row.get(name) in members
    if op == "prefix":
        return lambda row: (v := row.get(name)) is not None and v.startswith(operand)
    if op == "gt":
        return lambda row: (v := row.get(name)) is not None and v > operand
    if op == "gte":
        return lambda row: (v := row.get(name)) is not None and v >= operand
    if op == "lt":
        return lambda row: (v := row.get(name)) is not None and v < operand
    if op == "lte":
        return lambda row: (v := row.get(name)) is not None and v <= operand
    if op == "ne":
        return lambda row: (v := row.get(name)) is not None and v != operand
    if op == "not_in":
        return lambda row: (v := row.get(name)) is not None and v not in operand
    if op == "contains":
        words: tuple[str, ...] = operand
        if len(words) == 1:
            (word,) = words
            return lambda row: (v := row.get(name)) is not None and word in v.lower()
        test = _contains(words)
        return lambda row: (v := row.get(name)) is not None and test(v)
    if op == "matches":
        search = _pattern(operand).search
        return lambda row: (v := row.get(name)) is not None and search(v.encode()) is not None
    return None


def _contains(words: tuple[str, ...]) -> Test:
    """Whether the text holds any of ``words`` (lower case already), lowering it once."""

    def test(value: Any) -> bool:
        text = value.lower()
        return any(w in text for w in words)

    return test


def _pattern(pattern: str) -> Any:
    """``compile_pattern``'s expression with its options, and ``never_capture``: only
    whether it matches is asked, and RE2 finds that fastest without tracking groups. The
    text is searched as the UTF-8 bytes the wrapper would encode it to anyway: given bytes,
    it skips mapping the match's byte offsets back to characters, which nobody reads."""
    compiled = compile_pattern(pattern)
    options = re2.Options()
    for name in re2.Options.NAMES:
        setattr(options, name, getattr(compiled.options, name))
    options.never_capture = True
    return re2.compile(pattern, options)


def _compile_op(
    field_name: str, type_: FieldType, op: str, operand: Any, lists: ManagedLists
) -> Test:
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
        return _contains(operand)
    if op == "matches":
        search = _pattern(operand).search
        return lambda v: search(v.encode()) is not None
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


# -------------------------------------------------------------------------- anchors


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
    """A condition every hit of ``node`` satisfies, usable as a join key by the batch
    evaluator (``batch``): ``(field, "eq" | "prefix", values)``, or None. Taken from the
    node itself or from the direct children of a top-level ``all``; commodity codes are
    preferred (the most selective), then origins, then other codes."""
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


@dataclass(frozen=True, slots=True)
class IndexKey:
    """Something a row produces whenever a profile holds on it: ``field`` equal to one of
    ``values`` (kind ``eq``), starting with one (``prefix``), in the managed list
    ``values[0]`` (``list``), holding one of the words (``words``, lower case), or at least
    ``values[0]`` (``above``, a number)."""

    field: str
    kind: str
    values: tuple[Any, ...]


#: Codes true of a large share of filings (a kind, a mode ...): a profile is indexed by
#: them only when it has nothing more selective, or it would be tried on most filings.
WEAK_FIELDS = frozenset({"kind", "filing_type", "office_country", "transport.mode"})
_CODE_RANKS = {f: i for i, f in enumerate(_ANCHOR_PREFERENCE) if f not in WEAK_FIELDS}
#: ranks of the kinds of key (lower is preferred): codes, then list membership, words,
#: number thresholds, and weak codes last
_LIST, _WORDS, _ABOVE, _WEAK, _UNKEYED = 100, 200, 300, 400, 500
_TEXTS = frozenset({FieldType.CODE, FieldType.NAME, FieldType.TEXT})


def index_keys(node: Node) -> tuple[IndexKey, ...] | None:
    """Keys one of which every row on which ``node`` holds produces, or None when there
    are none (such a profile is tried on every declaration). From a condition, its most
    selective operator; from an ``all``, its most selective child; from an ``any``, the
    keys of all its children if each has some; from a ``not``, none."""
    found = _ranked_keys(node)
    return found[1] if found is not None else None


def _ranked_keys(node: Node) -> tuple[int, tuple[IndexKey, ...]] | None:
    if isinstance(node, Condition):
        return _condition_keys(node)
    if isinstance(node, Not):
        return None
    ranked = [_ranked_keys(c) for c in node.children]
    if isinstance(node, AllOf):
        present = [r for r in ranked if r is not None]
        return min(present, key=lambda r: r[0]) if present else None
    if any(r is None for r in ranked):
        return None
    keys = tuple(k for r in ranked if r is not None for k in r[1])
    return max(r[0] for r in ranked if r is not None), keys


def _condition_keys(cond: Condition) -> tuple[int, tuple[IndexKey, ...]] | None:
    name, type_ = cond.field, cond.type
    eq, within, prefixes = cond.op("eq"), cond.op("in"), cond.op("prefix")
    key: IndexKey | None = None
    if type_ in _TEXTS and eq is not None:
        key = IndexKey(name, "eq", (eq,))
    elif type_ in _TEXTS and within is not None:
        key = IndexKey(name, "eq", tuple(sorted(within)))
    elif prefixes is not None:
        key = IndexKey(name, "prefix", tuple(prefixes))
    if key is not None:
        rank = _WEAK if name in WEAK_FIELDS else _CODE_RANKS.get(name, len(_CODE_RANKS))
        return rank, (key,)
    listed = cond.op("in_list")
    if listed is not None:
        return _LIST, (IndexKey(name, "list", (listed,)),)
    words = cond.op("contains")
    if words is not None:
        return _WORDS, (IndexKey(name, "words", tuple(words)),)
    if type_ is FieldType.NUMBER:
        bounds = [v for op, v in cond.ops if op in ("gt", "gte")]
        if bounds:
            return _ABOVE, (IndexKey(name, "above", (max(bounds),)),)
    return None


def is_item_field(name: str) -> bool:
    """Whether a field has a value per goods item (else it is the declaration's, repeated
    on every row); national data elements are the declaration's."""
    spec = FIELDS.get(name)
    return spec is not None and spec.item


# ------------------------------------------------------------------------------ index


@dataclass(frozen=True, slots=True)
class Hit:
    """A profile that hit: which one, on which row, and the values it read there."""

    key: Any
    row: int
    values: dict[str, Any]


@dataclass(eq=False, slots=True)
class _Entry:
    """One indexed profile. ``head`` is its test of declaration fields (None: none), to
    pass on the first row of a declaration whose rows agree on them, and ``body`` the rest,
    tried row by row (None: nothing left); ``predicate`` is the whole."""

    key: Any
    number: int
    predicate: Predicate
    head: Predicate | None
    body: Predicate | None
    fields: list[str]


Found = set[_Entry]


@dataclass(slots=True)
class _Tables:
    """The keys of one level (item or declaration fields), as built by ``add``, and as
    tuples for ``probe`` to read (rebuilt after an ``add``)."""

    eq: dict[str, dict[Any, list[_Entry]]] = field(default_factory=lambda: defaultdict(dict))
    prefix: dict[str, dict[str, list[_Entry]]] = field(default_factory=lambda: defaultdict(dict))
    lists: dict[tuple[str, str], list[_Entry]] = field(default_factory=dict)
    words: dict[str, dict[str, list[_Entry]]] = field(default_factory=lambda: defaultdict(dict))
    above: dict[str, list[tuple[float, int, _Entry]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    probes: tuple[Any, ...] | None = None

    def add(self, key: IndexKey, entry: _Entry) -> None:
        self.probes = None
        name = key.field
        if key.kind in ("eq", "prefix"):
            table = (self.eq if key.kind == "eq" else self.prefix)[name]
            for v in key.values:
                table.setdefault(v, []).append(entry)
        elif key.kind == "list":
            self.lists.setdefault((name, key.values[0]), []).append(entry)
        elif key.kind == "words":
            for w in key.values:
                self.words[name].setdefault(w, []).append(entry)
        else:
            assert key.kind == "above"
            self.above[name].append((key.values[0], entry.number, entry))

    def compiled(self, lists: ManagedLists) -> tuple[Any, ...]:
        if self.probes is None:
            prefixes = tuple(
                (name, table, tuple(sorted({len(p) for p in table})))
                for name, table in self.prefix.items()
            )
            listed = tuple(
                (name, lists.members(list_name), entries)
                for (name, list_name), entries in self.lists.items()
            )
            words = tuple((name, tuple(table.items())) for name, table in self.words.items())
            above = []
            for name, bounds in self.above.items():
                bounds.sort(key=lambda b: (b[0], b[1]))
                above.append((name, [b[0] for b in bounds], [b[2] for b in bounds]))
            self.probes = (tuple(self.eq.items()), prefixes, listed, words, tuple(above))
        return self.probes


def probe(probes: tuple[Any, ...], row: Row, found: Found) -> None:
    """Add to ``found`` the profiles a key of which ``row`` produces."""
    eq, prefixes, listed, words, above = probes
    get = row.get
    for name, table in eq:
        v = get(name)
        if v is not None and (entries := table.get(v)) is not None:
            found.update(entries)
    for name, table, lengths in prefixes:
        v = get(name)
        if v is not None:
            for n in lengths:
                if n > len(v):
                    break
                if (entries := table.get(v[:n])) is not None:
                    found.update(entries)
    for name, members, entries in listed:
        if get(name) in members:
            found.update(entries)
    for name, table in words:
        v = get(name)
        if v is not None:
            text = v.lower()
            for word, entries in table:
                if word in text:
                    found.update(entries)
    for name, bounds, entries in above:
        v = get(name)
        if v is not None:
            found.update(entries[: bisect_right(bounds, v)])


class ProfileIndex:
    """Compiled profiles, found by their keys. Build once per set of active profiles
    (``add`` each), then ``assess`` any number of declarations."""

    def __init__(self, lists: ManagedLists | None = None) -> None:
        self.lists = lists or ManagedLists()
        self._items = _Tables()
        self._declaration = _Tables()
        self._always: list[_Entry] = []
        #: declaration fields read by a head or a key: the rows of a declaration must
        #: agree on them for the shortcuts to apply
        self._shared: dict[str, None] = {}
        self._shared_fields: tuple[str, ...] = ()
        self.size = 0

    def add(self, key: Any, node: Node) -> None:
        children = _by_cost(node.children) if isinstance(node, AllOf) else [node]
        compiled = [compile_node(c, self.lists) for c in children]
        level = [any(is_item_field(f) for f in fields_of(c)) for c in children]
        head = [p for p, item in zip(compiled, level, strict=True) if not item]
        body = [p for p, item in zip(compiled, level, strict=True) if item]
        keys = index_keys(node)
        entry = _Entry(
            key,
            self.size,
            _all_of(compiled),
            _all_of(head) if head else None,
            _all_of(body) if body else None,
            fields_of(node),
        )
        self.size += 1
        for c, item in zip(children, level, strict=True):
            if not item:
                self._shared.update(dict.fromkeys(fields_of(c)))
        if keys is None:
            self._always.append(entry)
        for k in keys or ():
            if is_item_field(k.field):
                self._items.add(k, entry)
            else:
                self._declaration.add(k, entry)
                self._shared[k.field] = None
        self._shared_fields = tuple(self._shared)

    def _agree(self, rows: Sequence[Row]) -> bool:
        """Whether the rows have the same declaration fields (as ``rows_of`` makes them:
        the very same objects, which the tuple comparison finds first)."""
        shared = self._shared_fields
        first = tuple(map(rows[0].get, shared))
        return all(tuple(map(row.get, shared)) == first for row in rows[1:])

    def _found(self, rows: Sequence[Row], agree: bool) -> Found:
        found: Found = set(self._always)
        items = self._items.compiled(self.lists)
        declaration = self._declaration.compiled(self.lists)
        for row in rows[:1] if agree else rows:
            probe(declaration, row, found)
        for row in rows:
            probe(items, row, found)
        return found

    def candidates(self, rows: Sequence[Row]) -> list[_Entry]:
        """The profiles ``assess`` tries on these rows, in the order they were added."""
        if not rows:
            return []
        found = self._found(rows, len(rows) == 1 or self._agree(rows))
        return sorted(found, key=lambda e: e.number)

    def assess(self, rows: Sequence[Row]) -> list[Hit]:
        """Every profile that holds on at least one row, with its first matching row, in
        the order the profiles were added."""
        if not rows:
            return []
        single = len(rows) == 1
        agree = single or self._agree(rows)
        matched: list[tuple[_Entry, int]] = []
        if single:
            row = rows[0]
            for entry in self._found(rows, agree):
                if entry.predicate(row):
                    matched.append((entry, 0))
        elif agree:
            first = rows[0]
            for entry in self._found(rows, agree):
                head, body = entry.head, entry.body
                if head is not None and not head(first):
                    continue
                if body is None:
                    matched.append((entry, 0))
                    continue
                for i, row in enumerate(rows):
                    if body(row):
                        matched.append((entry, i))
                        break
        else:
            for entry in self._found(rows, agree):
                predicate = entry.predicate
                for i, row in enumerate(rows):
                    if predicate(row):
                        matched.append((entry, i))
                        break
        if len(matched) > 1:
            matched.sort(key=lambda m: m[0].number)
        return [Hit(e.key, i, {f: _plain(rows[i].get(f)) for f in e.fields}) for e, i in matched]


def _plain(value: Any) -> Any:
    """A fact as JSON-friendly data for the reasons of an assessment."""
    if isinstance(value, frozenset | set):
        return sorted(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
