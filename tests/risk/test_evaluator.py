"""The in-process evaluator and control selection (issue 3 points 4a and 5)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tollgate.risk.evaluator import ManagedLists, ProfileIndex, compile_node
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
    profiles = {
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
