"""The generator's hand-written data agrees with the shared reference data."""

from __future__ import annotations

from tollgate.declarations.identifiers import container_check_digit, container_problem
from tollgate.reference.codes import EU_MEMBER_STATES, countries
from tollgate.reference.nomenclature import locodes, nomenclature, vague_description_terms
from tollgate.synthetic.commodities import (
    CATALOGUE,
    LAUNDERING_GOODS,
    LAUNDERING_VIA,
    MISCLASSIFICATION,
    RESTRICTED,
)
from tollgate.synthetic.generator import (
    build_world,
    container_number,
    s10_check_digit,
    s10_item_id,
    scramble,
)
from tollgate.synthetic.irregularities import VAGUE_TERMS, checked_vague_terms
from tollgate.synthetic.lanes import describe_from_hs
from tollgate.synthetic.operators import registered_countries
from tollgate.synthetic.routes import (
    AIR_ENTRIES,
    EXPRESS_ENTRIES,
    POSTAL_ENTRIES,
    ROAD_ORIGINS,
    SEA_ENTRIES,
    all_locodes,
)


def test_every_catalogue_code_exists_in_the_hs_nomenclature_with_cn_subdivisions() -> None:
    nom = nomenclature()
    codes = [c.hs6 for c in CATALOGUE] + [c.hs6 for c, _ in RESTRICTED]
    codes += list(MISCLASSIFICATION) + list(MISCLASSIFICATION.values()) + list(LAUNDERING_GOODS)
    for code in codes:
        assert nom.hs_exists(code), code
        assert any(cn.startswith(code) for cn in nom.cn), code


def test_catalogue_origins_are_iso_countries_outside_the_eu() -> None:
    known = countries()
    for commodity in (*CATALOGUE, *(c for c, _ in RESTRICTED)):
        for origin in commodity.origins:
            assert origin in known and origin not in EU_MEMBER_STATES, (commodity.hs6, origin)


def test_every_exporting_country_has_names_and_addresses_in_its_own_style() -> None:
    origins = {o for c in (*CATALOGUE, *(c for c, _ in RESTRICTED)) for o in c.origins}
    origins |= {country for country, _ in LAUNDERING_VIA} | set(ROAD_ORIGINS)
    assert origins - registered_countries() == set()


def test_every_place_the_routes_can_use_is_a_real_un_locode() -> None:
    missing = all_locodes() - locodes()
    assert not missing
    assert {port for _, port in LAUNDERING_VIA} <= locodes()


def test_entry_points_are_in_member_states_with_offices_of_that_country() -> None:
    for entry in (*SEA_ENTRIES, *AIR_ENTRIES, *EXPRESS_ENTRIES, *POSTAL_ENTRIES):
        assert entry.country in EU_MEMBER_STATES
        assert entry.office[:2] == entry.country
    assert any(e.office == "NL000396" and e.locode == "NLRTM" for e in SEA_ENTRIES)


def test_every_planted_vague_term_is_on_the_reference_stop_list() -> None:
    assert checked_vague_terms() == VAGUE_TERMS
    terms = vague_description_terms()
    for commodity in CATALOGUE:
        for description in commodity.descriptions:
            assert description.lower() not in terms, description


def test_container_numbers_carry_valid_iso_6346_check_digits() -> None:
    for serial in range(0, 200_000, 997):
        assert container_problem(container_number("NSL", serial)) is None


def test_table_check_digits_equal_the_reference_computation() -> None:
    owners = ["NSL", "ABC", "ZZZ", "AAA", "KLM", "A1B"]
    world = build_world(1)
    owners += [c.owner_code for c in world.operators.sea_carriers]
    owners += [c.operator.code for c in world.operators.rail]
    for owner in owners:
        for serial in (*range(2_000), *range(2_000, 10_000_000, 9_973)):
            number = container_number(owner, serial)
            assert int(number[10]) == container_check_digit(number[:10]), number


def test_scrambled_serials_stay_unique() -> None:
    assert len({scramble(n, 6) for n in range(1_000_000)}) == 1_000_000


def test_postal_item_ids_follow_the_s10_layout_and_check_digit() -> None:
    assert s10_check_digit(47312482) == 9  # the UPU example RA 47312482 9 CH
    item = s10_item_id("LX", 1234, "CN")
    assert len(item) == 13 and item[:2] == "LX" and item[-2:] == "CN" and item[2:11].isdigit()
    assert int(item[10]) == s10_check_digit(int(item[2:10]))


def test_descriptions_derived_from_hs_text_read_as_goods() -> None:
    text = describe_from_hs("Footwear; n.e.c. in heading no. 6402, with outer soles of rubber")
    assert "n.e.c" not in text and ";" not in text
    assert text.startswith("Footwear")
