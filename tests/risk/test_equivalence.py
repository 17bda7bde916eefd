"""Every evaluator gives the same hits (issue 3 point 4): in process, DuckDB and Spark.

Hypothesis generates declarations (several rows each, any field missing) and valid
profile trees using every operator, combinator and managed list, and the hits — which
profile, on which declaration, first on which row — must be identical. Texts come from
an alphabet with quotes, backslashes, regex metacharacters, line breaks, accents, Greek,
CJK and emoji; it leaves out only the few characters where the engines are documented
to differ (``sql``, ``sql_patterns``: ``İ ı ſ K µ Σ``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tollgate.risk.batch import ProfileBatch, assess_duckdb, load_duckdb
from tollgate.risk.evaluator import ManagedLists, ProfileIndex
from tollgate.risk.fact_table import facts_table
from tollgate.risk.language import FIELDS, FieldType, Node, compile_pattern, parse_condition
from tollgate.risk.spark import assess_spark, load_spark, local_session
from tollgate.risk.sql_patterns import duckdb_pattern, java_pattern

ALPHABET = (
    "abcxyzABCXYZ019 '\"\\%_.*$^()[]{}|?+-&#:\n\r\t\x0b\x0c\x85\u2028éÉüÜßñøØàÀçÇαβσςΩωжЖ中😀"
)
CODES = ["6109", "61091000", "61", "8517", "CN", "NL", "it's", "a\\b"]
NAME_LETTERS = "ACEMO "
NATIONAL = "national.NL.ref"

TEXT_FIELDS = ["item.description", NATIONAL]
CODE_FIELDS = ["item.commodity_code", "item.origin_country", "transport.mode", "kind"]
NAME_FIELDS = ["consignor.name"]
NUMBER_FIELDS = ["item.value", "item.unit_value_per_kg"]
DATETIME_FIELDS = ["lodged_at"]
FLAG_FIELDS = ["trader.aeo"]
CODES_FIELDS = ["transport.itinerary", "quality.codes"]
ROW_FIELDS = (
    TEXT_FIELDS
    + CODE_FIELDS
    + NAME_FIELDS
    + NUMBER_FIELDS
    + DATETIME_FIELDS
    + FLAG_FIELDS
    + CODES_FIELDS
)

FRAGMENTS = ["cotton", "Cotton ", "T-SHIRT", "it's", "\\", "É", "é", "ςσ", "\n", "a.b", "$", "中😀"]
NAMES = ["ACME", "ACME CO", "ACNE CO", "MOCA", "O", "ACME COMPANY"]

fragments = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=3).map("".join)
texts = st.one_of(st.text(ALPHABET, max_size=10), fragments, fragments)
words = st.one_of(
    st.sampled_from(["cotton", "t-shirt", "it's", "é", "\\", "σ", "a.b", "n c", "acme", "e c"]),
    st.text(ALPHABET, min_size=1, max_size=3).filter(str.strip),
)
codes = st.one_of(
    st.sampled_from(CODES), st.sampled_from(CODES), st.text("0169", min_size=1, max_size=8)
)
names = st.one_of(
    st.sampled_from(NAMES),
    st.text(NAME_LETTERS, min_size=1, max_size=8).map(lambda s: " ".join(s.split())),
)
numbers = st.one_of(
    st.sampled_from([0.0, -0.0, 1.0, 2.5, 100.0, float("inf"), float("-inf"), 5e-324]),
    st.floats(allow_nan=False, width=64),
)
instants = st.one_of(
    st.sampled_from([datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, 0, 0, 1, tzinfo=UTC)]),
    st.datetimes(datetime(1900, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC)),
)
code_sets = st.frozensets(st.sampled_from(["CN", "NL", "MY", "DQ-1", "it's"]), max_size=3)

VALUES: dict[FieldType, st.SearchStrategy[Any]] = {
    FieldType.TEXT: texts,
    FieldType.CODE: codes,
    FieldType.NAME: names,
    FieldType.NUMBER: numbers,
    FieldType.DATETIME: instants,
    FieldType.FLAG: st.booleans(),
    FieldType.CODES: code_sets,
}


def field_type(name: str) -> FieldType:
    return FieldType.TEXT if name == NATIONAL else FIELDS[name].type


@st.composite
def rows(draw: st.DrawFn) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name in ROW_FIELDS:
        presence = draw(st.sampled_from(["value", "value", "value", "none", "absent"]))
        if presence != "absent":
            row[name] = draw(VALUES[field_type(name)]) if presence == "value" else None
    return row


declarations = st.lists(st.lists(rows(), min_size=1, max_size=3), min_size=1, max_size=8).map(
    lambda ds: list(enumerate(ds))
)

# ------------------------------------------------------------------------------ patterns

_ATOMS = [
    *"abcAB019 é'ς中😀-_",
    *[".", r"\d", r"\w", r"\s", r"\D", r"\W", r"\S", r"\b", r"\B", "^", "$", r"\A", r"\z"],
    *[r"\pL", r"\pN", r"\p{Greek}", r"\PL", r"\x41", r"\x{e9}", r"\101", r"\n", r"\t", r"\v"],
    *["[abc]", "[^a-c]", "[[:alpha:]]", "[[:^digit:]]", "[]a]", "[a-]", r"[\d_]", r"[^\s]"],
    *["[[a]", "[a&&b]", r"\Q.*\E", "{", "a{,2}", "}", "]", r"\.", r"\$", r"\\", "[Z-a]", "#"],
]
_REPEATS = ["", "", "", "*", "+", "?", "{2}", "{1,3}", "{0,}", "*?", "??"]
_GROUPS = ["(", "(?:", "(?P<g>", "(?<g>", "(?i:", "(?-i:", "(?m:", "(?s:", "(?U:", "(?m-s:"]
_FLAGS = ["", "", "(?m)", "(?s)", "(?-i)", "(?U)", "(?ms)"]


def _pattern_of(parts: Any) -> str:
    return parts if isinstance(parts, str) else "".join(parts)


pattern_parts = st.recursive(
    st.tuples(st.sampled_from(_ATOMS), st.sampled_from(_REPEATS)).map("".join),
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=4).map("".join),
        st.tuples(inner, inner).map("|".join),
        st.tuples(st.sampled_from(_GROUPS), inner, st.sampled_from(_REPEATS)).map(
            lambda t: f"{t[0]}{t[1]}){t[2]}"
        ),
        st.tuples(st.sampled_from(_FLAGS), inner).map("".join),
    ),
    max_leaves=8,
)


def _valid(pattern: str) -> bool:
    try:
        compile_pattern(pattern)
    except Exception:
        return False
    return len(pattern) <= 200


patterns = pattern_parts.filter(_valid)

# ------------------------------------------------------------------------------ profiles

OPERATORS: dict[FieldType, list[str]] = {
    FieldType.TEXT: ["eq", "ne", "in", "not_in", "contains", "matches", "exists"],
    FieldType.CODE: ["eq", "ne", "in", "not_in", "prefix", "matches", "in_list", "exists"],
    FieldType.NAME: ["eq", "in", "contains", "matches", "in_list", "similar", "exists"],
    FieldType.NUMBER: ["eq", "ne", "gt", "gte", "lt", "lte", "exists"],
    FieldType.DATETIME: ["eq", "gt", "gte", "lt", "lte", "exists"],
    FieldType.FLAG: ["eq", "ne", "exists"],
    FieldType.CODES: ["includes", "excludes", "exists"],
}
LIST_NAMES = ["origins", "watch", "nowhere"]


def operand(op: str, kind: FieldType) -> st.SearchStrategy[Any]:
    value = VALUES[kind]
    if kind is FieldType.NUMBER:  # the language refuses NaN and infinities in profiles
        value = value.filter(math.isfinite)
    if op in ("in", "not_in"):
        return st.lists(value.filter(bool), min_size=1, max_size=3)
    if op == "prefix":
        return st.lists(st.text("0169", min_size=1, max_size=4) | codes, min_size=1, max_size=2)
    if op in ("includes", "excludes"):
        return st.lists(st.sampled_from(["CN", "NL", "MY", "XX", "it's"]), min_size=1, max_size=3)
    if op == "contains":
        return st.one_of(words, st.lists(words, min_size=1, max_size=2))
    if op == "matches":
        return patterns
    if op == "in_list":
        return st.sampled_from(LIST_NAMES)
    if op == "similar":
        threshold = st.one_of(st.sampled_from([0.5, 0.75, 0.8, 1.0]), st.floats(0.5, 1.0))
        return st.fixed_dictionaries(
            {"list": st.sampled_from(["watch", "nowhere"]), "threshold": threshold}
        )
    if op == "exists":
        return st.booleans()
    if kind is FieldType.DATETIME:
        return st.one_of(value, value.map(lambda d: d.isoformat()))
    return value


Skeleton = tuple[Any, ...]


@st.composite
def leaves(draw: st.DrawFn, fields: list[str] = ROW_FIELDS) -> Skeleton:
    name = draw(st.sampled_from(fields))
    kind = field_type(name)
    ops = draw(st.lists(st.sampled_from(OPERATORS[kind]), min_size=1, max_size=2, unique=True))
    if {"in_list", "similar"} <= set(ops):
        ops.remove("similar")
    return ("cond", name, tuple(ops))


def instantiate(skeleton: Skeleton) -> st.SearchStrategy[dict[str, Any]]:
    """A profile of this shape, with operands drawn afresh: several profiles of one shape
    share one SQL template and differ only in their parameters."""
    kind = skeleton[0]
    if kind == "cond":
        _, name, ops = skeleton
        operands = {op: operand(op, field_type(name)) for op in ops}
        return st.fixed_dictionaries({"field": st.just(name), **operands})
    if kind == "not":
        return instantiate(skeleton[1]).map(lambda c: {"not": c})
    children = [instantiate(c) for c in skeleton[1]]
    return st.tuples(*children).map(lambda cs: {kind: list(cs)})


shapes = st.recursive(
    leaves(),
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda cs: ("all", cs)),
        st.lists(inner, min_size=1, max_size=3).map(lambda cs: ("any", cs)),
        inner.map(lambda c: ("not", c)),
    ),
    max_leaves=6,
)
# a top-level ``all`` with a code condition: the shape the anchor join serves
anchored_shapes = st.tuples(leaves(CODE_FIELDS), st.lists(shapes, max_size=2)).map(
    lambda t: ("all", [t[0], *t[1]])
)
families = st.one_of(shapes, anchored_shapes, anchored_shapes).flatmap(
    lambda shape: st.lists(instantiate(shape), min_size=1, max_size=3)
)


def profile_lists(min_size: int, max_size: int) -> st.SearchStrategy[list[tuple[str, Node]]]:
    return st.lists(families, min_size=min_size, max_size=max_size).map(
        lambda fs: [(f"p{i}", parse_condition(p)) for i, p in enumerate(x for f in fs for x in f)]
    )


profiles = profile_lists(1, 4)
managed_lists = st.builds(
    lambda origins, watch: ManagedLists(codes={"origins": origins}, names={"watch": watch}),
    st.frozensets(codes, max_size=4),
    st.lists(st.sampled_from(NAMES) | names, max_size=4).map(tuple),
)

# ----------------------------------------------------------------------------- engines

Declarations = list[tuple[int, list[dict[str, Any]]]]
Profiles = list[tuple[str, Node]]
Hits = set[tuple[Any, Any, int]]


def in_process_hits(decls: Declarations, profs: Profiles, lists: ManagedLists) -> Hits:
    index = ProfileIndex(lists)
    for key, node in profs:
        index.add(key, node)
    return {(d, hit.key, hit.row) for d, rs in decls for hit in index.assess(rs)}


def duckdb_hits(
    connection: Any, decls: Declarations, profs: Profiles, lists: ManagedLists, anchored: bool
) -> Hits:
    load_duckdb(connection, facts_table(decls))
    batch = ProfileBatch(profs, lists, anchored=anchored)
    return {
        (h.declaration_id, h.key, h.row_no) for h in batch.hits(assess_duckdb(batch, connection))
    }


def spark_hits(session: Any, decls: Declarations, profs: Profiles, lists: ManagedLists) -> Hits:
    load_spark(session, facts_table(decls))
    batch = ProfileBatch(profs, lists)
    return {(h.declaration_id, h.key, h.row_no) for h in batch.hits(assess_spark(batch, session))}


@pytest.fixture(scope="module")
def duck() -> Iterator[Any]:
    connection = duckdb.connect()
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    session = local_session(cores=1, app_name="tollgate-tests")
    yield session
    session.stop()


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(decls=declarations, profs=profiles, lists=managed_lists)
def test_duckdb_and_in_process_give_identical_hits(
    duck: Any, decls: Declarations, profs: Profiles, lists: ManagedLists
) -> None:
    expected = in_process_hits(decls, profs, lists)
    assert duckdb_hits(duck, decls, profs, lists, anchored=True) == expected
    assert duckdb_hits(duck, decls, profs, lists, anchored=False) == expected


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    decls=st.lists(st.lists(rows(), min_size=1, max_size=3), min_size=4, max_size=16).map(
        lambda ds: list(enumerate(ds))
    ),
    profs=profile_lists(3, 6),
    lists=managed_lists,
)
def test_spark_duckdb_and_in_process_give_identical_hits(
    spark: Any, duck: Any, decls: Declarations, profs: Profiles, lists: ManagedLists
) -> None:
    expected = in_process_hits(decls, profs, lists)
    assert duckdb_hits(duck, decls, profs, lists, anchored=True) == expected
    assert spark_hits(spark, decls, profs, lists) == expected


def test_spark_escapes_quotes_and_backslashes(spark: Any) -> None:
    value = "O'Brien \\' ) OR TRUE --"
    decls: Declarations = [(1, [{"item.description": value}]), (2, [{"item.description": "x"}])]
    profs: Profiles = [
        ("eq", parse_condition({"field": "item.description", "eq": value})),
        ("contains", parse_condition({"field": "item.description", "contains": "n \\' )"})),
        ("matches", parse_condition({"field": "item.description", "matches": r"N \\' \) or"})),
    ]
    expected = {(1, "eq", 0), (1, "contains", 0), (1, "matches", 0)}
    assert in_process_hits(decls, profs, ManagedLists()) == expected
    assert spark_hits(spark, decls, profs, ManagedLists()) == expected


def _matrix(
    pattern_list: list[str], text_list: list[str], translate: Callable[[str], str]
) -> tuple[pa.Table, list[bool]]:
    """Every pattern, translated, against every text, with RE2's (in-process) answers."""
    pairs = [(p, t) for p in pattern_list for t in text_list]
    expected = [compile_pattern(p).search(t) is not None for p, t in pairs]
    table = pa.table(
        {
            "i": range(len(pairs)),
            "p": [translate(p) for p, _ in pairs],
            "t": [t for _, t in pairs],
        }
    )
    return table, expected


_pattern_matrices = given(
    pattern_list=st.lists(patterns, min_size=1, max_size=30),
    text_list=st.lists(texts, min_size=1, max_size=30),
)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@_pattern_matrices
def test_java_patterns_match_where_re2_patterns_match(
    spark: Any, pattern_list: list[str], text_list: list[str]
) -> None:
    """The translation to Java regex, on many pairs per Spark query (``sql_patterns``)."""
    table, expected = _matrix(pattern_list, text_list, java_pattern)
    spark.createDataFrame(table).createOrReplaceTempView("tollgate_patterns")
    rows = spark.sql("SELECT i, t RLIKE p AS m FROM tollgate_patterns ORDER BY i").collect()
    assert [row.m for row in rows] == expected


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@_pattern_matrices
def test_duckdb_patterns_match_where_re2_patterns_match(
    duck: Any, pattern_list: list[str], text_list: list[str]
) -> None:
    table, expected = _matrix(pattern_list, text_list, duckdb_pattern)
    duck.register("tollgate_patterns", table)
    sql = "SELECT regexp_matches(t, p, 'i') FROM tollgate_patterns ORDER BY i"
    assert [m for (m,) in duck.sql(sql).fetchall()] == expected
    duck.unregister("tollgate_patterns")
