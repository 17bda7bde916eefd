"""The in-process evaluator and control selection (issue 3 points 4a and 5)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tollgate.risk.evaluator import IndexKey, ManagedLists, ProfileIndex, compile_node, index_keys
from tollgate.risk.language import parse_condition
from tollgate.risk.profiles import Control, ProfileSpec
from tollgate.risk.selection import ProfileHit, RandomSelection, decide

ROW: dict[str, Any] = {
    "kind": "import",
    "lodged_at": datetime(2026, 3, 1, tzinfo=UTC),
    "transport.itinerary": frozenset({"CN", "MY", "NL"}),
    "consignor.name": "SHENZHEN GARMENT EXPORT CO",
    "item.commodity_code": "61091000",
    "item.origin_country": "MY",
    "item.description": "Men's cotton T-shirts",
    "item.unit_value_per_kg": 1.2,
    "trader.aeo": False,
}


def holds(
    when: dict[str, Any], row: dict[str, Any] = ROW, lists: ManagedLists | None = None
) -> bool:
    return compile_node(parse_condition(when), lists or ManagedLists())(row)


def test_operators() -> None:
    assert holds({"field": "item.commodity_code", "prefix": ["6109"]})
    assert not holds({"field": "item.commodity_code", "prefix": ["6110"]})
    assert holds({"field": "item.origin_country", "in": ["MY", "VN"]})
    assert holds({"field": "item.unit_value_per_kg", "gte": 1, "lt": 1.5})
    assert not holds({"field": "item.unit_value_per_kg", "gte": 1, "lt": 1.2})
    assert holds({"field": "item.description", "contains": "COTTON"})
    assert holds({"field": "item.description", "matches": "t-?shirts?$"})
    assert holds({"field": "transport.itinerary", "includes": ["MY", "TH"]})
    assert holds({"field": "transport.itinerary", "excludes": ["TH"]})
    assert holds({"field": "lodged_at", "gte": "2026-01-01", "lt": "2026-04-01"})
    assert holds({"field": "trader.aeo", "eq": False})


def test_a_condition_on_a_missing_element_is_false_and_not_makes_it_true() -> None:
    assert not holds({"field": "item.net_mass", "lt": 10})
    assert holds({"not": {"field": "item.net_mass", "lt": 10}})
    assert not holds({"field": "item.net_mass", "ne": 3})
    assert holds({"field": "item.net_mass", "exists": False})


def test_lists_and_fuzzy_names() -> None:
    lists = ManagedLists(
        codes={"origins": frozenset({"MY"})},
        names={"watch": ("SHENZEN GARMENT EXPORT CO", "ACME")},
    )
    assert holds({"field": "item.origin_country", "in_list": "origins"}, lists=lists)
    # one letter missing in the list entry: 1 edit in 26 characters
    assert holds(
        {"field": "consignor.name", "similar": {"list": "watch", "threshold": 0.95}}, lists=lists
    )
    assert not holds(
        {"field": "consignor.name", "similar": {"list": "watch", "threshold": 0.99}}, lists=lists
    )


def test_the_index_finds_exactly_what_evaluating_every_profile_finds() -> None:
    profiles: dict[str, Any] = {
        "textiles": {"field": "item.commodity_code", "prefix": ["61"]},
        "shoes": {"field": "item.commodity_code", "prefix": ["64"]},
        "my-textiles": {
            "all": [
                {"field": "item.origin_country", "eq": "MY"},
                {"field": "item.commodity_code", "prefix": ["6109"]},
            ]
        },
        "vn": {"field": "item.origin_country", "in": ["VN"]},
        "no-anchor": {"not": {"field": "trader.aeo", "eq": True}},
        "any-anchorless": {
            "any": [{"field": "item.origin_country", "eq": "CN"}, {"field": "kind", "eq": "ens"}]
        },
    }
    index = ProfileIndex()
    for key, when in profiles.items():
        index.add(key, parse_condition(when))
    rows = [dict(ROW, **{"item.commodity_code": "64039900", "item.origin_country": "CN"}), ROW]
    found = {h.key: h.row for h in index.assess(rows)}
    brute = {
        key: next(
            i for i, r in enumerate(rows) if compile_node(parse_condition(w), ManagedLists())(r)
        )
        for key, w in profiles.items()
        if any(compile_node(parse_condition(w), ManagedLists())(r) for r in rows)
    }
    assert found == brute
    assert found == {
        "textiles": 1,
        "shoes": 0,
        "my-textiles": 1,
        "no-anchor": 0,
        "any-anchorless": 0,
    }
    hit = next(h for h in index.assess(rows) if h.key == "my-textiles")
    assert hit.values == {"item.origin_country": "MY", "item.commodity_code": "61091000"}


# ------------------------------------------------------------------- the index's keys

Rows = Sequence[dict[str, Any]]
LISTS = ManagedLists(
    codes={"watch": frozenset({"NL123", "DE456"}), "origins": frozenset({"CN", "VN"})},
    names={"parties": ("ACME CO", "GLOBEX")},
)


def brute(profiles: dict[str, Any], rows: Rows, lists: ManagedLists = LISTS) -> dict[str, Any]:
    """Every profile on every row, no index: key -> (first row, values read there)."""
    out: dict[str, Any] = {}
    for key, when in profiles.items():
        node = parse_condition(when)
        holds = compile_node(node, lists)
        row = next((i for i, r in enumerate(rows) if holds(r)), None)
        if row is not None:
            out[key] = row
    return out


def indexed(profiles: dict[str, Any], lists: ManagedLists = LISTS) -> ProfileIndex:
    index = ProfileIndex(lists)
    for key, when in profiles.items():
        index.add(key, parse_condition(when))
    return index


def assert_index_finds(profiles: dict[str, Any], rows: Rows, expected: dict[str, int]) -> None:
    """The index finds exactly the expected hits, which evaluating every profile finds."""
    assert brute(profiles, rows) == expected
    assert {h.key: h.row for h in indexed(profiles).assess(rows)} == expected


def declaration(head: dict[str, Any], *items: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows as ``rows_of`` makes them: the declaration's fields repeated on each item."""
    return [head | item for item in items] or [dict(head)]


def kinds(when: Any) -> set[tuple[str, str]]:
    return {(k.field, k.kind) for k in index_keys(parse_condition(when)) or ()}


def test_in_list_keys_find_members_on_any_row_and_names_too() -> None:
    profiles: dict[str, Any] = {
        "watched-consignee": {
            "all": [
                {"field": "consignee.eori", "in_list": "watch"},
                {"field": "item.value", "gt": 100},
            ]
        },
        "listed-origin": {"field": "item.origin_country", "in_list": "origins"},
        "listed-party": {"field": "consignor.name", "in_list": "parties"},
    }
    assert kinds(profiles["watched-consignee"]) == {("consignee.eori", "list")}
    assert kinds(profiles["listed-origin"]) == {("item.origin_country", "list")}
    rows = declaration(
        {"consignee.eori": "DE456", "consignor.name": "GLOBEX"},
        {"item.origin_country": "MY", "item.value": 50.0},
        {"item.origin_country": "VN", "item.value": 500.0},
    )
    expected = {"watched-consignee": 1, "listed-origin": 1, "listed-party": 0}
    assert_index_finds(profiles, rows, expected)
    # a member not on the list, or no value at all: no candidate and no hit
    other = declaration({"consignee.eori": "FR789"}, {"item.origin_country": "MY"})
    assert indexed(profiles).candidates(other) == []


def test_number_thresholds_find_values_at_or_above_them() -> None:
    profiles: dict[str, Any] = {
        "gt-1000": {"field": "item.value", "gt": 1000},
        "gte-1000": {"field": "item.value", "gte": 1000},
        "gte-2000-lt-5000": {"field": "item.value", "gte": 2000, "lt": 5000},
        "gt-and-gte": {"field": "item.value", "gt": 500, "gte": 1500},
        "heavy-declaration": {
            "all": [
                {"field": "total_gross_mass", "gt": 20000},
                {"field": "trader.aeo", "eq": False},
            ]
        },
    }
    assert kinds(profiles["heavy-declaration"]) == {("total_gross_mass", "above")}
    assert index_keys(parse_condition(profiles["gt-and-gte"])) == (
        IndexKey("item.value", "above", (1500.0,)),
    )
    head = {"total_gross_mass": 20000.5, "trader.aeo": False}
    # the threshold itself: gte holds, gt does not
    exactly = declaration(head, {"item.value": 10.0}, {"item.value": 1000})
    assert_index_finds(profiles, exactly, {"gte-1000": 1, "heavy-declaration": 0})
    # every bound below the value, the highest hit last of the rows
    rows = declaration(
        head | {"total_gross_mass": 20000.0},
        {"item.value": None},
        {"item.value": 1000.25},
        {"item.value": 2500},
    )
    expected = {"gt-1000": 1, "gte-1000": 1, "gte-2000-lt-5000": 2, "gt-and-gte": 2}
    assert_index_finds(profiles, rows, expected)


def test_an_any_whose_children_all_have_keys_is_found_by_each_of_them() -> None:
    profiles: dict[str, Any] = {
        "code-or-consignor": {
            "all": [
                {
                    "any": [
                        {"field": "item.commodity_code", "prefix": ["6109"]},
                        {"field": "consignor.country", "eq": "CN"},
                        {
                            "all": [
                                {"field": "item.description", "contains": "replica"},
                                {"field": "item.value", "lt": 10},
                            ]
                        },
                    ]
                },
                {"not": {"field": "trader.aeo", "eq": True}},
            ]
        },
        "either-party": {
            "any": [
                {"field": "consignor.eori", "in_list": "watch"},
                {"field": "consignee.eori", "in_list": "watch"},
            ]
        },
        "any-with-a-not": {
            "any": [
                {"field": "item.origin_country", "eq": "CN"},
                {"not": {"field": "kind", "eq": "ens"}},
            ]
        },
    }
    assert kinds(profiles["code-or-consignor"]) == {
        ("item.commodity_code", "prefix"),
        ("consignor.country", "eq"),
        ("item.description", "words"),
    }
    assert kinds(profiles["either-party"]) == {
        ("consignor.eori", "list"),
        ("consignee.eori", "list"),
    }
    assert index_keys(parse_condition(profiles["any-with-a-not"])) is None
    head = {"kind": "ens", "trader.aeo": False}
    # each child of the any alone makes the profile a candidate
    by_consignor = declaration(head | {"consignor.country": "CN"}, {"item.commodity_code": "8517"})
    assert_index_finds(profiles, by_consignor, {"code-or-consignor": 0})
    by_code = declaration(
        head | {"consignee.eori": "NL123"},
        {"item.commodity_code": "8517"},
        {"item.commodity_code": "61091000"},
    )
    assert_index_finds(profiles, by_code, {"code-or-consignor": 1, "either-party": 0})
    by_words = declaration(head, {"item.description": "REPLICA watches", "item.value": 5.0})
    assert_index_finds(profiles, by_words, {"code-or-consignor": 0})


def test_contains_keys_find_words_anywhere_in_the_text_whatever_its_case() -> None:
    profiles: dict[str, Any] = {
        "shirts": {"field": "item.description", "contains": ["shirt", "blouse"]},
        "caviar": {
            "all": [
                {"field": "kind", "eq": "import"},
                {"field": "item.description", "contains": "caviar"},
            ]
        },
        "party": {"field": "consignor.name", "contains": "acme"},
    }
    assert kinds(profiles["caviar"]) == {("item.description", "words")}  # not the weak kind
    rows = declaration(
        {"kind": "import", "consignor.name": "THE ACME CO"},
        {"item.description": "Steel screws"},
        {"item.description": "Men's T-SHIRTS"},  # the second of the words
        {"item.description": "Sturgeon CAVIAR, 50g"},
    )
    assert_index_finds(profiles, rows, {"shirts": 1, "caviar": 2, "party": 0})


def test_weak_codes_index_a_profile_only_when_it_has_nothing_better() -> None:
    origin = {
        "all": [
            {"field": "kind", "eq": "import"},
            {"field": "transport.mode", "in": ["1", "4"]},
            {"field": "item.origin_country", "eq": "CN"},
        ]
    }
    assert kinds(origin) == {("item.origin_country", "eq")}
    only_weak = {"all": [{"field": "kind", "eq": "import"}, {"field": "trader.aeo", "eq": False}]}
    assert kinds(only_weak) == {("kind", "eq")}


def test_candidates_grow_with_the_matching_profiles_not_with_all_profiles() -> None:
    """Profiles of every kind of key, a few that the declaration matches and many more
    that it does not: the index offers the matching ones only, however many others."""

    def profiles(others: int) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": {"field": "item.commodity_code", "prefix": ["6109"]},
            "list": {"field": "consignee.eori", "in_list": "watch"},
            "words": {"field": "item.description", "contains": "cotton"},
            "above": {"field": "item.value", "gt": 100},
            "any": {
                "any": [
                    {"field": "item.origin_country", "eq": "PK"},
                    {"field": "consignor.country", "eq": "MY"},
                ]
            },
            "weak": {
                "all": [{"field": "kind", "eq": "import"}, {"field": "trader.aeo", "eq": True}]
            },
        }
        for i in range(others):
            out[f"code-{i}"] = {"field": "item.commodity_code", "prefix": [f"{i + 100:04d}"]}
            out[f"list-{i}"] = {"field": "consignor.eori", "in_list": "watch"}
            out[f"words-{i}"] = {"field": "item.description", "contains": f"word{i}"}
            out[f"above-{i}"] = {"field": "item.value", "gt": 1000 + i}
            out[f"any-{i}"] = {
                "any": [
                    {"field": "item.origin_country", "eq": f"Q{i}"},
                    {"field": "consignor.country", "eq": f"R{i}"},
                ]
            }
            out[f"weak-{i}"] = {
                "all": [{"field": "kind", "eq": "ens"}, {"field": "trader.aeo", "eq": True}]
            }
        return out

    rows = declaration(
        {"kind": "import", "consignee.eori": "NL123", "consignor.country": "MY"},
        {"item.commodity_code": "61091000", "item.description": "Cotton", "item.value": 500.0},
        {"item.commodity_code": "84713000", "item.description": "Laptops", "item.value": 50.0},
    )
    matching = ["code", "list", "words", "above", "any", "weak"]
    for others in (0, 10, 200):
        index = indexed(profiles(others))
        assert index.size == 6 + 6 * others
        assert [e.key for e in index.candidates(rows)] == matching


def test_rows_that_disagree_on_declaration_fields_are_assessed_row_by_row() -> None:
    """``rows_of`` repeats the declaration's fields on every row; a caller's rows that do
    not still get the meaning of the language: the profile holds on some row."""
    profiles: dict[str, Any] = {
        "ens-cn": {
            "all": [{"field": "kind", "eq": "ens"}, {"field": "item.origin_country", "eq": "CN"}]
        },
        "mode": {
            "all": [{"field": "transport.mode", "eq": "4"}, {"field": "trader.aeo", "eq": False}]
        },
        "listed": {"field": "consignor.eori", "in_list": "watch"},
        "aeo": {"field": "trader.aeo", "eq": True},
    }
    rows: list[dict[str, Any]] = [
        {"kind": "import", "transport.mode": "1", "item.origin_country": "CN"},
        {"kind": "ens", "transport.mode": "1", "item.origin_country": "VN", "trader.aeo": True},
        {"kind": "ens", "item.origin_country": "CN", "consignor.eori": "NL123"},
        {"transport.mode": "4", "trader.aeo": False},
    ]
    assert_index_finds(profiles, rows, {"ens-cn": 2, "mode": 3, "listed": 2, "aeo": 1})
    # rows that differ only in a field no profile is indexed by
    rows = [
        {"kind": "import", "item.origin_country": "CN"},
        {"kind": "ens", "item.origin_country": "VN"},
        {"kind": "ens", "item.origin_country": "CN"},
    ]
    assert_index_finds(profiles, rows, {"ens-cn": 2})


def test_declaration_tests_are_passed_once_and_hits_come_in_the_order_added() -> None:
    profiles: dict[str, Any] = {
        "z-item": {"field": "item.value", "gte": 1},
        "declaration-only": {
            "all": [{"field": "kind", "eq": "import"}, {"not": {"field": "trader.aeo", "eq": True}}]
        },
        "a-mixed": {
            "all": [
                {"field": "item.description", "matches": "t-?shirt"},
                {"field": "kind", "eq": "import"},
                {"field": "item.value", "lt": 100},
            ]
        },
        "refused": {"all": [{"field": "kind", "eq": "ens"}, {"field": "item.value", "gte": 1}]},
    }
    rows = declaration(
        {"kind": "import", "trader.aeo": False},
        {"item.description": "T-shirt", "item.value": 500.0},
        {"item.description": "tshirts", "item.value": 50.0},
    )
    expected = {"z-item": 0, "declaration-only": 0, "a-mixed": 1}
    assert_index_finds(profiles, rows, expected)
    hits = indexed(profiles).assess(rows)
    assert [h.key for h in hits] == ["z-item", "declaration-only", "a-mixed"]
    assert hits[2].values == {"item.description": "tshirts", "kind": "import", "item.value": 50.0}


def _condition(name: str, op: str, operand: Any) -> dict[str, Any]:
    return {"field": name, op: operand}


#: conditions of every kind of key, on item and declaration fields, with few values so
#: that they often hold (and at the bounds of the thresholds)
conditions = st.one_of(
    st.builds(
        _condition,
        st.sampled_from(["item.value", "total_gross_mass"]),
        st.sampled_from(["gt", "gte", "lt"]),
        st.integers(0, 9),
    ),
    st.builds(
        _condition,
        st.sampled_from(["item.origin_country", "consignee.eori", "kind"]),
        st.just("eq"),
        st.sampled_from(["CN", "NL123"]),
    ),
    st.builds(
        _condition,
        st.sampled_from(["item.origin_country", "consignee.eori"]),
        st.just("in_list"),
        st.sampled_from(["origins", "watch"]),
    ),
    st.builds(
        _condition,
        st.just("item.commodity_code"),
        st.just("prefix"),
        st.lists(st.sampled_from(["6", "61", "6109", "8"]), min_size=1, max_size=2),
    ),
    st.builds(
        _condition,
        st.sampled_from(["item.description", "consignor.name"]),
        st.just("contains"),
        st.lists(st.sampled_from(["cot", "cotton", "ton", "shirt", "zz"]), min_size=1, max_size=2),
    ),
)
whens = st.recursive(
    conditions,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda cs: {"all": cs}),
        st.lists(inner, min_size=1, max_size=3).map(lambda cs: {"any": cs}),
        inner.map(lambda c: {"not": c}),
    ),
    max_leaves=5,
)
heads = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["CN", "import", "ens"]),
        "consignee.eori": st.sampled_from(["NL123", "CN", "XX"]),
        "total_gross_mass": st.one_of(st.none(), st.floats(-1, 10)),
        "consignor.name": st.sampled_from(["COTTON CO", "ACME", "SHIRTON"]),
    }
)
items = st.fixed_dictionaries(
    {
        "item.value": st.one_of(st.none(), st.integers(-1, 10), st.floats(-1, 10)),
        "item.origin_country": st.sampled_from(["CN", "VN", "NL123"]),
        "item.commodity_code": st.sampled_from(["61091000", "6", "85171200", "8"]),
        "item.description": st.sampled_from(["Cotton shirts", "COT", "pants", ""]),
    }
)


@settings(max_examples=300, deadline=None)
@given(
    profiles=st.lists(whens, min_size=1, max_size=6),
    head=heads,
    rows=st.lists(items, min_size=1, max_size=3),
    disagree=st.booleans(),
)
def test_the_index_and_its_shortcuts_find_what_every_profile_on_every_row_finds(
    profiles: list[dict[str, Any]], head: dict[str, Any], rows: list[dict[str, Any]], disagree: bool
) -> None:
    named = {f"p{i}": p for i, p in enumerate(profiles)}
    facts = declaration(head, *rows)
    if disagree:
        facts[-1] = facts[-1] | {"kind": "ens", "consignee.eori": "NL123"}
    assert {h.key: h.row for h in indexed(named).assess(facts)} == brute(named, facts)


def spec(**overrides: Any) -> ProfileSpec:
    data: dict[str, Any] = {
        "id": "P-1",
        "title": "profile",
        "risk_area": "ipr",
        "risk_level": 50,
        "stage": "clearance",
        "control": "documentary",
        "rationale": "a reason for it",
        "when": {"field": "kind", "eq": "import"},
    }
    data.update(overrides)
    return ProfileSpec.model_validate(data)


def hit(pid: str, **overrides: Any) -> ProfileHit:
    return ProfileHit(pid, 1, spec(id=pid, **overrides), 0, {"kind": "import"})


def test_rm_11_the_strongest_control_wins_and_levels_combine() -> None:
    d = decide(
        [hit("P-A"), hit("P-B", control="physical", stage="arrival")],
        aeo=False,
        declaration_key="k",
        stratum="import",
    )
    assert d.decision is Control.PHYSICAL and d.stage is not None and d.stage.value == "arrival"
    assert d.score == 75  # 1 - 0.5 * 0.5
    assert [r["profile_id"] for r in d.reasons] == ["P-A", "P-B"]
    assert decide([], aeo=False, declaration_key="k", stratum="import").decision is Control.RELEASE


def test_rm_23_aeo_facilitation_never_waives_security_criteria() -> None:
    ipr = hit("IPR", control="physical")
    d = decide([ipr], aeo=True, declaration_key="k", stratum="import")
    assert d.decision is Control.DOCUMENTARY and d.reasons[0]["aeo_facilitated"]
    security = hit("AVSEC", risk_area="aviation-security", control="scan", stage="pre-loading")
    d = decide([ipr, security], aeo=True, declaration_key="k", stratum="import")
    assert d.decision is Control.SCAN
    assert not next(r for r in d.reasons if r["profile_id"] == "AVSEC")["aeo_facilitated"]


def test_rm_12_random_selection_is_reproducible_stratified_and_marked() -> None:
    randomness = RandomSelection(rates={"import": 0.2, "default": 0.0}, seed="s")
    keys = [f"decl-{i}" for i in range(5000)]
    picked = [
        k
        for k in keys
        if decide([], aeo=False, declaration_key=k, stratum="import", randomness=randomness).random
    ]
    assert 850 < len(picked) < 1150
    again = [k for k in keys if randomness.draw(k, "import")]
    assert picked == again
    assert not any(randomness.draw(k, "ens") for k in keys)
    d = decide([], aeo=False, declaration_key=picked[0], stratum="import", randomness=randomness)
    assert d.decision is Control.DOCUMENTARY and d.random and "Random control" in d.instructions
