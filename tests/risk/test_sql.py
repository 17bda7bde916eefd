"""Profiles compiled to SQL, run on DuckDB with hand-made rows (issue 3 point 4b).

Each operator, the two-valued meaning of missing values, the escaping of values, and
the batch plan's hits; ``test_equivalence`` then proves the same on generated data.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import duckdb
import pytest

from tollgate.risk.batch import ProfileBatch, assess_duckdb, load_duckdb
from tollgate.risk.evaluator import ManagedLists, compile_node
from tollgate.risk.fact_table import fact_schema, facts_table
from tollgate.risk.language import Node, parse_condition
from tollgate.risk.sql import Dialect, SqlError, expression, literal, predicate
from tollgate.risk.sql_patterns import UnsupportedPattern, duckdb_pattern, java_pattern

ROWS: list[dict[str, Any]] = [
    {
        "kind": "import",
        "lodged_at": datetime(2026, 3, 1, 12, tzinfo=UTC),
        "transport.itinerary": frozenset({"CN", "MY", "NL"}),
        "consignor.name": "SHENZHEN GARMENT EXPORT CO",
        "item.commodity_code": "6109100010",
        "item.origin_country": "MY",
        "item.description": "Men's cotton T-shirts\nsize L",
        "item.unit_value_per_kg": 1.2,
        "trader.aeo": False,
        "quality.codes": frozenset(),
        "national.NL.permit": "NL-42",
    },
    {
        "kind": "ens",
        "item.commodity_code": "8517",
        "item.description": "ÉCRANS O'Brien",
        "item.unit_value_per_kg": float("inf"),
        "trader.aeo": True,
    },
    {},  # every fact missing
]
LISTS = ManagedLists(
    codes={"origins": frozenset({"MY", "VN"}), "quoted": frozenset({"x'); DROP TABLE facts; --"})},
    names={"watch": ("SHENZEN GARMENT EXPORT CO", "ACME")},
)

WHENS: list[dict[str, Any]] = [
    {"field": "item.commodity_code", "prefix": ["6109", "6110"]},
    {"field": "item.commodity_code", "eq": "8517"},
    {"field": "item.commodity_code", "ne": "8517"},
    {"field": "item.origin_country", "in": ["MY", "VN"]},
    {"field": "item.origin_country", "not_in": ["MY"]},
    {"field": "item.origin_country", "in_list": "origins"},
    {"field": "item.origin_country", "in_list": "no-such-list"},
    {"field": "item.unit_value_per_kg", "gte": 1, "lt": 1.5},
    {"field": "item.unit_value_per_kg", "gt": 1e308},
    {"field": "item.unit_value_per_kg", "lte": 1.2},
    {"field": "item.description", "contains": ["COTTON", "écran"]},
    {"field": "item.description", "matches": "t-?shirts?$"},
    {"field": "item.description", "matches": "(?m)t-?shirts?$"},
    {"field": "item.description", "matches": r"\bo'brien\b"},
    {"field": "item.description", "matches": "(?<word>é)cran"},
    {"field": "transport.itinerary", "includes": ["MY", "TH"]},
    {"field": "transport.itinerary", "excludes": ["TH"]},
    {"field": "quality.codes", "excludes": ["DQ-1"]},
    {"field": "quality.codes", "exists": True},
    {"field": "lodged_at", "gte": "2026-03-01T13:00:00+01:00", "lt": "2026-04-01"},
    {"field": "trader.aeo", "eq": False},
    {"field": "trader.aeo", "ne": False},
    {"field": "consignor.name", "similar": {"list": "watch", "threshold": 0.95}},
    {"field": "consignor.name", "similar": {"list": "watch", "threshold": 0.99}},
    {"field": "consignor.name", "in_list": "watch"},
    {"field": "national.NL.permit", "eq": "NL-42"},
    {"field": "national.DE.permit", "exists": False},
    {"field": "national.DE.permit", "eq": "x"},
]


@pytest.fixture(scope="module")
def duck() -> Iterator[Any]:
    connection = duckdb.connect()
    load_duckdb(connection, facts_table([(1, ROWS)]))
    yield connection
    connection.close()


def on_duckdb(duck: Any, when: dict[str, Any], lists: ManagedLists = LISTS) -> list[bool]:
    columns = [row[0] for row in duck.execute("DESCRIBE facts").fetchall()]
    test = expression(parse_condition(when), lists, Dialect.DUCKDB, columns=columns)
    sql = f"SELECT {test} FROM facts ORDER BY row_no"  # noqa: S608 -- values escaped
    return [bool(v) for (v,) in duck.sql(sql).fetchall()]


def in_process(when: dict[str, Any], lists: ManagedLists = LISTS) -> list[bool]:
    holds = compile_node(parse_condition(when), lists)
    return [holds(row) for row in ROWS]


@pytest.mark.parametrize("when", WHENS, ids=lambda w: "-".join(k for k in w if k != "field"))
def test_each_operator_on_duckdb_means_what_it_means_in_process(
    duck: Any, when: dict[str, Any]
) -> None:
    assert on_duckdb(duck, when) == in_process(when)
    assert on_duckdb(duck, {"not": when}) == [not v for v in in_process(when)]


def test_the_operators_hold_where_the_profile_language_says(duck: Any) -> None:
    assert on_duckdb(duck, WHENS[0]) == [True, False, False]
    assert on_duckdb(duck, {"field": "item.description", "contains": "écran"}) == [
        False,
        True,
        False,
    ]
    assert on_duckdb(duck, {"field": "item.description", "matches": "t-?shirts?$"}) == [
        False,  # $ is the end of the text, not of a line
        False,
        False,
    ]
    assert on_duckdb(duck, {"field": "quality.codes", "excludes": ["DQ-1"]}) == [
        True,  # an empty set is present and excludes everything
        False,  # a missing set excludes nothing: the condition is false
        False,
    ]


def test_a_condition_on_a_missing_value_is_false_and_not_makes_it_true_in_sql(
    duck: Any,
) -> None:
    missing = {"field": "item.net_mass", "lt": 10}
    assert on_duckdb(duck, missing) == [False, False, False]
    assert on_duckdb(duck, {"not": missing}) == [True, True, True]
    assert on_duckdb(duck, {"field": "item.origin_country", "ne": "CN"}) == [True, False, False]
    assert on_duckdb(duck, {"field": "item.net_mass", "exists": False}) == [True, True, True]
    assert on_duckdb(duck, {"field": "item.origin_country", "exists": False, "eq": "MY"}) == [
        False,
        False,
        False,
    ]
    either = {"any": [missing, {"field": "item.origin_country", "eq": "MY"}]}
    assert on_duckdb(duck, {"not": either}) == [False, True, True]
    both = {"all": [{"not": missing}, {"not": {"field": "trader.aeo", "eq": True}}]}
    assert on_duckdb(duck, both) == [True, False, True]


def test_values_with_quotes_are_escaped_not_spliced(duck: Any) -> None:
    hostile = "x'); DROP TABLE facts; --"
    assert on_duckdb(duck, {"field": "item.description", "eq": hostile}) == [False] * 3
    assert on_duckdb(duck, {"field": "item.origin_country", "in_list": "quoted"}) == [False] * 3
    assert on_duckdb(duck, {"field": "item.description", "contains": "o'brien"}) == [
        False,
        True,
        False,
    ]
    assert on_duckdb(duck, {"field": "item.description", "eq": "ÉCRANS O'Brien"}) == [
        False,
        True,
        False,
    ]
    assert duck.sql("SELECT count(*) FROM facts").fetchall() == [(3,)]
    assert literal("it's \\", Dialect.DUCKDB) == "'it''s \\'"
    assert literal("it's \\", Dialect.SPARK) == "'it\\'s \\\\'"
    with pytest.raises(SqlError):
        literal("nul\x00", Dialect.DUCKDB)


def test_similar_uses_the_edit_distance_formula_at_its_boundary(duck: Any) -> None:
    # 1 edit in 26 characters: allowed when (1 - threshold) * 26 >= 1, in doubles, where
    # threshold 1 - 1/26 gives 0.9999999999999993 on every engine
    lists = ManagedLists(names={"watch": ("SHENZEN GARMENT EXPORT CO",)})
    for threshold, expected in ((1 - 1 / 26, False), (0.96, True), (0.97, False)):
        when = {"field": "consignor.name", "similar": {"list": "watch", "threshold": threshold}}
        assert on_duckdb(duck, when, lists)[0] is expected
        assert in_process(when, lists)[0] is expected


def test_numbers_and_instants_are_exact_literals() -> None:
    assert literal(0.1, Dialect.DUCKDB) == "CAST('0.1' AS DOUBLE)"
    assert literal(float("-inf"), Dialect.SPARK) == "CAST('-Infinity' AS DOUBLE)"
    assert literal(datetime(2026, 1, 1, tzinfo=UTC), Dialect.DUCKDB) == (
        "TIMESTAMPTZ '2026-01-01 00:00:00.000000+00:00'"
    )
    with pytest.raises(SqlError):
        literal(float("nan"), Dialect.DUCKDB)


def test_compiled_sql_reads_like_the_profile() -> None:
    node = parse_condition(
        {
            "all": [
                {"field": "item.commodity_code", "prefix": ["6109"]},
                {"not": {"field": "item.origin_country", "in": ["CN", "BD"]}},
                {"field": "transport.itinerary", "includes": ["MY"]},
            ]
        }
    )
    assert predicate(node, LISTS, Dialect.DUCKDB) == (
        '(starts_with("item.commodity_code", \'6109\') AND ("item.origin_country" IS NULL OR '
        "NOT (\"item.origin_country\" IN ('BD', 'CN'))) AND "
        "list_has_any(\"transport.itinerary\", ['MY']))"
    )
    assert predicate(node, LISTS, Dialect.SPARK) == (
        "(startswith(`item.commodity_code`, '6109') AND (`item.origin_country` IS NULL OR "
        "NOT (`item.origin_country` IN ('BD', 'CN'))) AND "
        "arrays_overlap(`transport.itinerary`, array('MY')))"
    )


def test_patterns_are_translated_for_java_and_named_groups_for_duckdb() -> None:
    assert duckdb_pattern("(?<word>a)[(?<]") == "(a)[(?<]"
    assert java_pattern("^a.$") == "(?iu)(?:\\A)a[^\\n](?:\\z)"
    assert java_pattern("(?m)^$") == "(?iu)(?m)(?:\\A|(?<=\\n))(?=\\n|\\z)"
    assert java_pattern("[]a&&[:digit:]]") == "(?iu)[\\x{5D}a\\x{26}\\x{26}0-9]"
    assert java_pattern("a{,2}") == "(?iu)a\\x{7B}\\x{2C}2\\x{7D}"
    assert java_pattern(r"\p{Greek}\pL") == "(?iu)\\p{IsGreek}\\p{L}"
    with pytest.raises(UnsupportedPattern):
        java_pattern(r"a\C")


def test_stored_rows_refuse_nan() -> None:
    with pytest.raises(ValueError, match="NaN"):
        facts_table([(1, [{"item.value": float("nan")}])])


def test_the_batch_finds_each_declarations_first_matching_row() -> None:
    declarations: list[tuple[str, list[dict[str, Any]]]] = [
        ("A", [{"item.commodity_code": "8517"}, {"item.commodity_code": "6109"}]),
        ("B", [{"item.commodity_code": "6109", "item.origin_country": "CN"}]),
        ("C", [{"item.commodity_code": "6110", "trader.aeo": True}]),
    ]
    profiles = [
        ("textiles", parse_condition({"field": "item.commodity_code", "prefix": ["61"]})),
        (
            "t-shirts-cn",
            parse_condition(
                {
                    "all": [
                        {"field": "item.commodity_code", "prefix": ["6109"]},
                        {"field": "item.origin_country", "eq": "CN"},
                    ]
                }
            ),
        ),
        ("not-aeo", parse_condition({"not": {"field": "trader.aeo", "eq": True}})),
    ]
    connection = duckdb.connect()
    table = facts_table(declarations)
    assert table.schema.equals(fact_schema(table.schema.field("declaration_id").type))
    load_duckdb(connection, table)
    expected = {
        ("A", "textiles", 1),
        ("A", "not-aeo", 0),
        ("B", "textiles", 0),
        ("B", "t-shirts-cn", 0),
        ("B", "not-aeo", 0),
        ("C", "textiles", 0),
    }
    for anchored in (True, False):
        batch = ProfileBatch(profiles, anchored=anchored)
        hits = batch.hits(assess_duckdb(batch, connection))
        assert {(h.declaration_id, h.key, h.row_no) for h in hits} == expected
    nothing = ProfileBatch([])
    assert nothing.hits(assess_duckdb(nothing, connection)) == []


def test_profiles_differing_only_in_values_share_one_template() -> None:
    def shaped(prefix: str, origins: list[str], below: float) -> Node:
        return parse_condition(
            {
                "all": [
                    {"field": "item.commodity_code", "prefix": [prefix]},
                    {"field": "item.origin_country", "in": origins},
                    {"field": "item.unit_value_per_kg", "lt": below},
                    {"field": "consignor.name", "similar": {"list": "watch", "threshold": 0.9}},
                ]
            }
        )

    row = {"item.origin_country": "CN", "item.unit_value_per_kg": 2.0, "consignor.name": "ACME"}
    declarations = [
        (1, [{**row, "item.commodity_code": "6109100010"}]),
        (2, [{**row, "item.commodity_code": "8517", "consignor.name": "ACME CO"}]),
    ]
    profiles = [
        ("cheap-shirts", shaped("6109", ["CN", "BD"], 3.0)),
        ("cheaper-shirts", shaped("6109", ["CN"], 1.0)),
        ("phones", shaped("8517", ["CN"], 5.0)),
        ("shirts-elsewhere", shaped("6109", ["VN"], 3.0)),
    ]
    lists = ManagedLists(names={"watch": ("ACME",)})
    batch = ProfileBatch(profiles, lists)
    query = batch.query(Dialect.DUCKDB, facts="facts")
    assert query is not None
    params = [name for name in query.tables if name.startswith("tollgate_params_")]
    assert len(params) == 1 and query.tables[params[0]].num_rows == 4
    assert query.sql.count("levenshtein") == 1  # one derived set of similar names
    connection = duckdb.connect()
    load_duckdb(connection, facts_table(declarations))
    hits = {
        (h.declaration_id, h.key, h.row_no) for h in batch.hits(assess_duckdb(batch, connection))
    }
    assert hits == {(1, "cheap-shirts", 0)}  # "ACME CO" is 3 edits from "ACME": too far
