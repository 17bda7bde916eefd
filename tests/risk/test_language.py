"""The profile language: parsing, validation with paths, bounds (issue 3 point 1)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tollgate.risk.language import (
    MAX_VALUES,
    AllOf,
    Condition,
    Not,
    ProfileError,
    normalise_name,
    parse_condition,
)
from tollgate.risk.profiles import parse_profile, parse_profile_set
from tollgate.risk.service import starter_criteria


def error(data: Any, **kwargs: Any) -> ProfileError:
    with pytest.raises(ProfileError) as exc:
        parse_condition(data, **kwargs)
    return exc.value


def test_a_tree_parses_into_combinators_and_conditions() -> None:
    node = parse_condition(
        {
            "all": [
                {"field": "item.commodity_code", "prefix": ["6109", "6110"]},
                {"not": {"field": "trader.aeo", "eq": True}},
                {"field": "item.unit_value_per_kg", "gte": 0, "lt": 2.5},
            ]
        }
    )
    assert isinstance(node, AllOf)
    first, second, third = node.children
    assert isinstance(first, Condition) and first.op("prefix") == ("6109", "6110")
    assert isinstance(second, Not)
    assert isinstance(third, Condition) and third.ops == (("gte", 0.0), ("lt", 2.5))


@pytest.mark.parametrize(
    ("data", "path", "reason"),
    [
        ({"field": "nope", "eq": 1}, "when.field", "unknown field 'nope'"),
        ({"all": []}, "when.all", "non-empty list"),
        ({"all": [{"field": "kind"}]}, "when.all[0]", "has no operator"),
        ({"field": "item.gross_mass", "prefix": ["1"]}, "when.prefix", "does not apply"),
        ({"field": "item.gross_mass", "lt": "ten"}, "when.lt", "expected a number"),
        ({"field": "item.gross_mass", "lt": float("nan")}, "when.lt", "finite number"),
        ({"field": "item.value", "gte": float("inf")}, "when.gte", "finite number"),
        ({"field": "lodged_at", "gte": "yesterday"}, "when.gte", "ISO 8601"),
        ({"field": "item.description", "matches": "(a"}, "when.matches", "RE2"),
        ({"field": "item.description", "matches": "(a)\\1"}, "when.matches", "RE2"),
        ({"field": "kind", "eq": "ens", "all": []}, "when", "must stand alone"),
        ({"any": [{"field": "kind", "in": "ens"}]}, "when.any[0].in", "non-empty list"),
        ({"field": "kind", "frobnicate": 1}, "when.frobnicate", "unknown operator"),
        (
            {"field": "consignor.name", "similar": {"list": "x", "threshold": 2}},
            "when.similar.threshold",
            "0.5 to 1",
        ),
    ],
)
def test_invalid_conditions_name_their_path_and_reason(data: Any, path: str, reason: str) -> None:
    exc = error(data)
    assert exc.path == path
    assert reason in exc.reason


def test_a_profile_cannot_read_another_authoritys_national_data() -> None:
    assert parse_condition({"field": "national.NL.excise", "eq": "1"}, own_country="NL")
    exc = error({"field": "national.DE.excise", "eq": "1"}, own_country="NL")
    assert "not readable by a profile of NL" in exc.reason


def test_a_profile_reads_only_lists_it_may_read() -> None:
    lists = {"watch": "names", "eoris": "codes"}
    parse_condition({"field": "consignor.eori", "in_list": "eoris"}, lists=lists)
    assert (
        "no managed list 'other'"
        in error({"field": "consignor.eori", "in_list": "other"}, lists=lists).reason
    )
    assert (
        "holds names" in error({"field": "consignor.eori", "in_list": "watch"}, lists=lists).reason
    )


def test_enormous_lists_and_trees_are_refused() -> None:
    assert "managed list" in error({"field": "kind", "in": ["x"] * (MAX_VALUES + 1)}).reason
    deep: dict[str, Any] = {"field": "kind", "eq": "ens"}
    for _ in range(20):
        deep = {"not": deep}
    assert "nested deeper" in error(deep).reason


def test_a_pathological_regular_expression_cannot_stall_matching() -> None:
    """(a+)+$ backtracks exponentially in Python's re; RE2 is linear in the text."""
    from tollgate.risk.language import compile_pattern

    pattern = compile_pattern("(a+)+$")
    started = time.perf_counter()
    assert pattern.search("a" * 30_000 + "!") is None
    assert time.perf_counter() - started < 1.0


def test_names_are_normalised_to_plain_latin_capitals() -> None:
    assert normalise_name("  Société  Générale, s.a. ") == "SOCIETE GENERALE S A"
    assert normalise_name("Ölmühle Ağrı") == "OLMUHLE AGRI"


def base_profile(**overrides: Any) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "id": "NL-TEST-1",
        "title": "Test profile",
        "risk_area": "financial",
        "financial_risk": "undervaluation",
        "risk_level": 50,
        "stage": "clearance",
        "control": "documentary",
        "rationale": "Because tests need a reason.",
        "when": {"field": "item.unit_value_per_kg", "lt": 1},
    }
    profile.update(overrides)
    return profile


@pytest.mark.parametrize(
    ("overrides", "path", "reason"),
    [
        ({"financial_risk": None}, "$", "financial_risk is required"),
        ({"risk_area": "cash"}, "$", "financial risk area only"),
        ({"control": "do-not-load"}, "$", "pre-loading control"),
        ({"risk_level": 0}, "risk_level", "greater than or equal to 1"),
        ({"risk_area": "weather"}, "risk_area", "Input should be"),
        ({"when": {"field": "item.value", "prefix": ["1"]}}, "when.prefix", "does not apply"),
    ],
)
def test_invalid_profiles_name_their_path(
    overrides: dict[str, Any], path: str, reason: str
) -> None:
    with pytest.raises(ProfileError) as exc:
        parse_profile(base_profile(**overrides), path="profiles[3]")
    assert exc.value.path == f"profiles[3].{path}"
    assert reason in exc.value.reason


def test_profile_sets_refuse_duplicate_ids() -> None:
    with pytest.raises(ProfileError) as exc:
        parse_profile_set({"profiles": [base_profile(), base_profile()]})
    assert exc.value.path == "profiles[1].id"


def test_rm_6_starter_criteria_cover_every_risk_area() -> None:
    from tollgate.risk.profiles import RiskArea

    parsed = parse_profile_set(starter_criteria())
    assert {spec.risk_area for spec, _ in parsed} == set(RiskArea)
