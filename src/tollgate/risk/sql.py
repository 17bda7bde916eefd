"""Profile trees compiled to SQL boolean expressions, for DuckDB and Spark SQL.

The second backend of the one tree (see ``language``): the same meaning as
``evaluator.compile_node``, over a table with one row per goods item whose columns are
the fact names (``"item.commodity_code"``). Codes and texts are VARCHAR / string,
numbers DOUBLE, datetimes TIMESTAMPTZ / TIMESTAMP (instants, compared as such), flags
BOOLEAN, sets of codes VARCHAR[] / array<string> (an empty array is present, a missing set
is NULL).

SQL logic is three-valued; the language's is two-valued (a condition on a missing value
is false, and ``not`` makes it true). Rather than wrap every condition in ``COALESCE``,
which costs a call per row and hides the comparisons from the optimiser, the compiler
pushes ``not`` down to the conditions (De Morgan) and negates a condition as
``col IS NULL OR NOT (test)``. Without a negation above it, a NULL can only stand where
the language says false, and NULL is not TRUE; so ``predicate`` is TRUE exactly when the
profile holds, and ``expression`` folds the rest to FALSE for use as a value.

Values are inlined as literals, escaped for the dialect (quotes doubled for DuckDB;
backslashes and quotes escaped for Spark, whose literals read backslash escapes), so the
optimiser sees constants; nothing a user wrote is ever spliced in unescaped. Managed lists
are inlined too: an ``IN`` list or an array literal, which both engines turn into a hash
set or a constant. A ``template`` instead passes values as columns of a parameter table,
so that profiles differing only in their values share one expression (see ``batch``).

Known differences from the in-process evaluator, kept out of the equivalence tests:

- ``contains`` lower-cases the text with the engine's ``lower``: DuckDB maps ``İ`` to
  ``i`` where Python gives ``i̇``, and does not give Greek capital sigma its final form
  ``ς`` at the end of a word; Spark (Java) agrees with Python on both.
- ``matches``: see ``sql_patterns`` (Java regex for Spark).
- ``similar`` counts edits in bytes on DuckDB and in characters on Spark, which agree
  because names are normalised to ASCII (``language.normalise_name``) before they are
  stored; a name that is not normalised compares differently.
- NaN is not a fact (facts never produce it; ``fact_table.facts_table`` refuses it):
  SQL orders NaN above every number where Python finds every comparison with it false.
  A NaN *operand* is compiled to Python's answer.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from tollgate.risk.evaluator import ManagedLists
from tollgate.risk.language import AllOf, AnyOf, Condition, FieldType, Node, Not, Similar
from tollgate.risk.sql_patterns import duckdb_pattern, java_pattern

__all__ = [
    "Dialect",
    "Param",
    "SqlError",
    "Template",
    "expression",
    "identifier",
    "literal",
    "predicate",
    "similar_values",
    "template",
]


class Dialect(StrEnum):
    DUCKDB = "duckdb"
    SPARK = "spark"


class SqlError(ValueError):
    """A profile (or value) this dialect cannot express with the language's meaning."""


def identifier(name: str, dialect: Dialect) -> str:
    if dialect is Dialect.SPARK:
        return "`" + name.replace("`", "``") + "`"
    return '"' + name.replace('"', '""') + '"'


def literal(value: Any, dialect: Dialect) -> str:
    """A constant as SQL text: strings escaped, numbers exact (DOUBLE, never DECIMAL),
    datetimes as UTC instants."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        number = float(value)
        if math.isnan(number):
            raise SqlError("NaN has no SQL literal with the language's meaning")
        text = repr(number) if math.isfinite(number) else "Infinity" if number > 0 else "-Infinity"
        return f"CAST('{text}' AS DOUBLE)"
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise SqlError(f"{value!r} has no time zone")
        instant = value.astimezone(UTC).isoformat(sep=" ", timespec="microseconds")
        kind = "TIMESTAMPTZ" if dialect is Dialect.DUCKDB else "TIMESTAMP"
        return f"{kind} '{instant}'"
    if isinstance(value, str):
        if "\x00" in value:
            raise SqlError("a text with a NUL character cannot be a SQL literal")
        if dialect is Dialect.SPARK:
            return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return "'" + value.replace("'", "''") + "'"
    raise SqlError(f"no SQL literal for {type(value).__name__}")


#: (field, managed name list, threshold) of a ``similar`` test
SimilarKey = tuple[str, str, float]


def predicate(
    node: Node,
    lists: ManagedLists,
    dialect: Dialect,
    *,
    columns: Collection[str] | None = None,
    similar: dict[SimilarKey, str] | None = None,
) -> str:
    """TRUE on exactly the rows where ``node`` holds; FALSE or NULL elsewhere (enough for
    ``WHERE`` and ``FILTER``). ``columns`` are the fact columns the table has (default: all
    that the tree reads); a field without a column is missing on every row. ``similar``:
    as for ``template``."""
    return _Compiler(dialect, lists, columns, similar=similar).node(node, negated=False)


def expression(
    node: Node,
    lists: ManagedLists,
    dialect: Dialect,
    *,
    columns: Collection[str] | None = None,
) -> str:
    """A strict boolean: TRUE where ``node`` holds, FALSE elsewhere, never NULL."""
    return f"COALESCE({predicate(node, lists, dialect, columns=columns)}, FALSE)"


@dataclass(frozen=True, slots=True)
class Param:
    """An operand taken out of a template: a scalar of the field's type, or (``type``
    None) a list of texts."""

    value: Any
    type: FieldType | None


@dataclass(frozen=True, slots=True)
class Template:
    """A predicate whose operands are columns ``p.c0``, ``p.c1`` ... of a parameter row:
    profiles that differ only in their values share one template, and are tested by one
    vectorised expression over (row, parameters) pairs instead of one expression each."""

    sql: str
    params: tuple[Param, ...]


def template(
    node: Node,
    lists: ManagedLists,
    dialect: Dialect,
    *,
    columns: Collection[str] | None = None,
    similar: dict[SimilarKey, str] | None = None,
) -> Template:
    """``node`` as a template. Regular expressions, managed lists, ``exists`` and NaN stay
    in the text (a pattern per row would be compiled per row). With ``similar`` given,
    each ``similar`` test becomes membership of a derived set of values, named in that
    registry and defined by ``similar_values``: the test depends on the value alone, so
    it is computed once per distinct value rather than once per row and profile."""
    params: list[Param] = []
    compiler = _Compiler(dialect, lists, columns, params=params, similar=similar)
    return Template(compiler.node(node, negated=False), tuple(params))


def similar_values(key: SimilarKey, lists: ManagedLists, dialect: Dialect, *, facts: str) -> str:
    """A query for the distinct values of ``key``'s field that are similar to a name of
    its list (the derived set a template's ``similar`` refers to): distinct values joined
    with the names, so each pair is compared once, in one vectorised join.

    Edit distance is the costly part, so two lower bounds of it are tested first: the
    difference of the lengths, and half the L1 distance between the strings' counts of
    each letter, digit and space (one edit changes those counts by at most 2 in all).
    Together they leave about one pair in a thousand to the edit distance itself."""
    field, list_name, threshold = key
    col = identifier(field, dialect)
    names = ", ".join(literal(n, dialect) for n in sorted(set(lists.names.get(list_name, ()))))
    listed = f"explode(array({names}))" if dialect is Dialect.SPARK else f"unnest([{names}])"
    allowed = f"{literal(1.0 - threshold, dialect)} * greatest(length(d.v), length(l.n))"
    l1 = " + ".join(f"abs(d.h{i} - l.h{i})" for i in range(len(_COUNTED)))
    return (
        f"SELECT DISTINCT d.v FROM (SELECT v, {_counts('v')} FROM (SELECT DISTINCT {col} AS v "  # noqa: S608 -- identifiers quoted, values escaped
        f"FROM {facts} WHERE {col} IS NOT NULL) AS d0) AS d "
        f"JOIN (SELECT n, {_counts('n')} FROM (SELECT {listed} AS n) AS l0) AS l "
        f"ON CASE WHEN abs(length(d.v) - length(l.n)) <= {allowed} AND {l1} <= 2 * {allowed} "
        f"THEN levenshtein(d.v, l.n) <= {allowed} ELSE FALSE END"
    )


_COUNTED = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "


def _counts(col: str) -> str:
    """Columns ``h0``, ``h1`` ...: how often each character of ``_COUNTED`` is in ``col``."""
    return ", ".join(
        f"length({col}) - length(replace({col}, '{ch}', '')) AS h{i}"
        for i, ch in enumerate(_COUNTED)
    )


class _Compiler:
    def __init__(
        self,
        dialect: Dialect,
        lists: ManagedLists,
        columns: Collection[str] | None,
        *,
        params: list[Param] | None = None,
        similar: dict[SimilarKey, str] | None = None,
    ) -> None:
        self.dialect = dialect
        self.spark = dialect is Dialect.SPARK
        self.lists = lists
        self.columns = None if columns is None else frozenset(columns)
        self.params = params
        self.derived = similar

    def node(self, node: Node, *, negated: bool) -> str:
        if isinstance(node, Condition):
            return self.condition(node, negated=negated)
        if isinstance(node, Not):
            return self.node(node.child, negated=not negated)
        assert isinstance(node, AllOf | AnyOf)
        conjunction = isinstance(node, AllOf) != negated  # De Morgan
        # conditions on fields the table lacks are constants: fold them away
        absorbing, neutral = (_FALSE, _TRUE) if conjunction else (_TRUE, _FALSE)
        parts = []
        for child in node.children:
            part = self.node(child, negated=negated)
            if part == absorbing:
                return absorbing
            if part != neutral:
                parts.append(part)
        if not parts:
            return neutral
        if len(parts) == 1:
            return parts[0]
        return "(" + (" AND " if conjunction else " OR ").join(parts) + ")"

    def condition(self, cond: Condition, *, negated: bool) -> str:
        present = self.columns is None or cond.field in self.columns
        col = identifier(cond.field, self.dialect)
        exists = cond.op("exists")
        if exists is not None and len(cond.ops) == 1:
            if not present:
                return literal(exists is negated, self.dialect)
            return f"({col} IS NULL)" if exists is negated else f"({col} IS NOT NULL)"
        if exists is False or not present:
            return literal(negated, self.dialect)
        tests = [self.op(cond, col, op, v) for op, v in cond.ops if op != "exists"]
        test = tests[0] if len(tests) == 1 else "(" + " AND ".join(tests) + ")"
        # a test is NULL only where the value is; with one present it is TRUE or FALSE
        return f"({col} IS NULL OR NOT {test})" if negated else test

    def lit(self, value: Any) -> str:
        return literal(value, self.dialect)

    def values(self, values: Collection[str]) -> str:
        return _values(frozenset(values), self.dialect)

    def param(self, value: Any, type_: FieldType | None) -> str | None:
        """A reference to ``value`` as a parameter, or None when compiling literals."""
        if self.params is None:
            return None
        self.params.append(Param(sorted(value) if type_ is None else value, type_))
        return f"p.c{len(self.params) - 1}"

    def any_of(self, texts: str, test: str) -> str:
        """Whether ``test`` (over ``x``) holds for any element of the list ``texts``."""
        if self.spark:
            return f"exists({texts}, x -> {test})"
        return f"list_bool_or(list_transform({texts}, lambda x: {test}))"

    def op(self, cond: Condition, col: str, op: str, operand: Any) -> str:
        spark = self.spark
        if isinstance(operand, float) and math.isnan(operand):
            # Python: every comparison with NaN is false, except !=
            return f"({col} IS NOT NULL)" if op == "ne" else "FALSE"
        comparison = _COMPARISONS.get(op)
        if comparison is not None:
            value = self.param(operand, cond.type) or self.lit(operand)
            return f"({col} {comparison} {value})"
        if op in ("in", "not_in"):
            ref = self.param(operand, None)
            if ref is None:
                test = f"{col} IN ({self.values(operand)})"
            else:
                test = f"{'array_contains' if spark else 'list_contains'}({ref}, {col})"
            return f"({test})" if op == "in" else f"(NOT ({test}))"
        if op == "prefix":
            starts = "startswith" if spark else "starts_with"
            ref = self.param(operand, None)
            if ref is not None:
                return self.any_of(ref, f"{starts}({col}, x)")
            return _any(f"{starts}({col}, {self.lit(p)})" for p in operand)
        if op == "contains":
            ref = self.param(operand, None)
            if ref is not None:
                return self.any_of(ref, f"contains(lower({col}), x)")
            return _any(f"contains(lower({col}), {self.lit(w)})" for w in operand)
        if op == "matches":
            if spark:
                return f"({col} RLIKE {self.lit(java_pattern(operand))})"
            return f"regexp_matches({col}, {self.lit(duckdb_pattern(operand))}, 'i')"
        if op == "in_list":
            members = self.lists.members(operand)
            return f"({col} IN ({self.values(members)}))" if members else "FALSE"
        if op == "similar":
            assert isinstance(operand, Similar)
            if not self.lists.names.get(operand.list):
                return "FALSE"
            if self.derived is not None:
                key = (cond.field, operand.list, operand.threshold)
                name = self.derived.setdefault(key, f"tollgate_similar_{len(self.derived)}")
                return f"({col} IN (SELECT v FROM {name}))"  # noqa: S608 -- identifiers quoted, values escaped
            return self.similar(col, operand)
        if op in ("includes", "excludes"):
            codes = self.param(operand, None)
            if codes is None:
                codes = f"array({self.values(operand)})" if spark else f"[{self.values(operand)}]"
            overlap = (
                f"arrays_overlap({col}, {codes})" if spark else f"list_has_any({col}, {codes})"
            )
            return overlap if op == "includes" else f"(NOT {overlap})"
        raise SqlError(f"{cond.path}: no SQL for operator {op!r}")  # pragma: no cover

    def similar(self, col: str, operand: Similar) -> str:
        """Any name of the list within ``(1 - threshold) * longer length`` edits, the
        formula of ``evaluator.similar_to_any``; the length difference bounds the edit
        distance from below, so it is tested first, as there."""
        names = self.lists.names.get(operand.list, ())
        if not names:
            return "FALSE"
        allowed = f"{self.lit(1.0 - operand.threshold)} * greatest(length({col}), length(n))"
        test = f"abs(length({col}) - length(n)) <= {allowed} AND levenshtein({col}, n) <= {allowed}"
        array = self.values(set(names))
        if self.spark:
            return f"exists(array({array}), n -> {test})"
        return f"list_bool_or(list_transform([{array}], lambda n: {test}))"


_TRUE, _FALSE = "TRUE", "FALSE"
_COMPARISONS = {"eq": "=", "ne": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


@functools.lru_cache(maxsize=256)
def _values(values: frozenset[str], dialect: Dialect) -> str:
    """Literals of a set, cached: a managed list of thousands of codes is read by many
    profiles of a batch, and compiled again for each."""
    return ", ".join(literal(v, dialect) for v in sorted(values))


def _any(parts: Iterable[str]) -> str:
    items = list(parts)
    return items[0] if len(items) == 1 else "(" + " OR ".join(items) + ")"
