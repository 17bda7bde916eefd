"""Per-filing data-quality checks DQ-1..DQ-5 and the quality score.

Every test builds its filing through the pydantic model, from a factory that yields a
*clean* filing of its kind, and changes only what the test is about.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tollgate.declarations.identifiers import container_check_digit
from tollgate.declarations.models import (
    Address,
    ContainerStatusMessage,
    EntrySummaryDeclaration,
    GoodsItem,
    ImportDeclaration,
    Packaging,
    Party,
    Transport,
)
from tollgate.quality.checks import Finding, check_filing, quality_score
from tollgate.reference.codes import TransportMode

LODGED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
RECEIVED = LODGED + timedelta(minutes=1)


def container(serial: str) -> str:
    first_ten = "MSCU" + serial
    return first_ten + str(container_check_digit(first_ten))


def address(country: str, **overrides: Any) -> Address:
    fields: dict[str, Any] = {
        "street": "12 Harbour Road",
        "city": "Rotterdam",
        "postcode": "3011 AA",
        "country": country,
    }
    fields.update(overrides)
    return Address(**fields)


def party(name: str, country: str, eori: str | None = None, **overrides: Any) -> Party:
    fields: dict[str, Any] = {"name": name, "address": address(country), "eori": eori}
    fields.update(overrides)
    return Party(**fields)


def item(sequence: int = 1, **overrides: Any) -> GoodsItem:
    fields: dict[str, Any] = {
        "sequence": sequence,
        "description": "men's cotton knitted T-shirts",
        "commodity_code": "610910",
        "origin_country": "CN",
        "gross_mass": 120.0,
        "net_mass": 110.0,
        "packaging": Packaging(number=10, kind="CT"),
        "containers": [container("123456")],
    }
    fields.update(overrides)
    return GoodsItem(**fields)


def ens(layer: str = "house", **overrides: Any) -> EntrySummaryDeclaration:
    """A clean ENS of the given layer."""
    fields: dict[str, Any] = {
        "lrn": "LRN-ENS-1",
        "filer": "NL123456789",
        "lodged_at": LODGED,
        "filing_type": {"pre-loading": "F10", "master": "F31", "house": "F32"}.get(layer, "F30"),
        "layer": layer,
        "office_of_first_entry": "NL000396",
        "expected_arrival": LODGED + timedelta(days=12),
        "house_transport_document": "HBL-1",
        "master_transport_document": "MBL-1",
    }
    if layer in ("master", "complete"):
        fields["transport"] = Transport(
            mode=TransportMode.SEA,
            means_identity="9321483",
            place_of_loading="CNSHA",
            place_of_unloading="NLRTM",
            itinerary=["CN", "SG", "NL"],
            containers=[container("123456")],
        )
        fields["total_packages"] = 10
        fields["total_gross_mass"] = 120.0
    if layer != "master":
        fields["consignor"] = party("Shenzhen Garment Export Co", "CN")
        fields["consignee"] = party("Acme Textiles BV", "NL", "NL123456789")
        fields["goods_items"] = [item()]
    fields.update(overrides)
    return EntrySummaryDeclaration(**fields)


def h1_item(sequence: int = 1, **overrides: Any) -> GoodsItem:
    fields: dict[str, Any] = {
        "commodity_code": "61091000",
        "item_price": Decimal("900"),
        "currency": "EUR",
        "procedure_code": "4000",
    }
    fields.update(overrides)
    return item(sequence, **fields)


def h1(**overrides: Any) -> ImportDeclaration:
    """A clean H1 (standard) import declaration."""
    fields: dict[str, Any] = {
        "lrn": "LRN-IMP-1",
        "filer": "NL987654321",
        "lodged_at": LODGED,
        "declaration_type": "H1",
        "office_of_lodgement": "NL000396",
        "transport_document": "HBL-1",
        "declarant": Party(name="Broker BV", eori="NL987654321"),
        "importer": party("Acme Textiles BV", "NL", "NL123456789"),
        "exporter": party("Shenzhen Garment Export Co", "CN"),
        "goods_items": [h1_item()],
    }
    fields.update(overrides)
    return ImportDeclaration(**fields)


def h7(**overrides: Any) -> ImportDeclaration:
    """A clean H7 (low-value) declaration with the reduced data set plus risk elements."""
    fields: dict[str, Any] = {
        "lrn": "LRN-H7-1",
        "filer": "NL987654321",
        "lodged_at": LODGED,
        "declaration_type": "H7",
        "office_of_lodgement": "NL000396",
        "importer": party("Jan Jansen", "NL", is_person=True),
        "seller": party("Shenzhen Garment Export Co", "CN"),
        "goods_items": [
            GoodsItem(
                sequence=1,
                description="men's cotton knitted T-shirts",
                commodity_code="610910",
                gross_mass=0.4,
                item_price=Decimal("24.90"),
                currency="EUR",
            )
        ],
    }
    fields.update(overrides)
    return ImportDeclaration(**fields)


def csm(**overrides: Any) -> ContainerStatusMessage:
    fields: dict[str, Any] = {
        "lrn": "CSM-1",
        "filer": "DK123456789",
        "lodged_at": LODGED,
        "reported_to": "NL",
        "container_number": container("123456"),
        "event": "discharged",
        "place": "NLRTM",
        "event_time": LODGED,
    }
    fields.update(overrides)
    return ContainerStatusMessage(**fields)


def check(
    filing: ContainerStatusMessage | EntrySummaryDeclaration | ImportDeclaration,
) -> list[Finding]:
    return check_filing(filing, received_at=RECEIVED)


def only(findings: list[Finding], code: str) -> Finding:
    """The single finding with ``code``; fails when there is none or several."""
    matching = [f for f in findings if f.code == code]
    assert len(matching) == 1, f"expected one {code!r}, got {findings}"
    return matching[0]


def codes(findings: list[Finding]) -> set[str]:
    return {f.code for f in findings}


# ------------------------------------------------------------------ clean filings


@pytest.mark.parametrize("layer", ["pre-loading", "master", "house", "complete"])
def test_dq_clean_ens_of_every_layer_has_no_findings(layer: str) -> None:
    assert check(ens(layer)) == []


def test_dq_2_complete_filing_needs_one_transport_document_not_two() -> None:
    assert check(ens("complete", master_transport_document=None)) == []
    missing = check(ens("complete", master_transport_document=None, house_transport_document=None))
    assert "missing_master_transport_document" in codes(missing)
    assert "missing_master_transport_document" in codes(
        check(ens("master", master_transport_document=None))
    )


def test_dq_clean_import_declarations_and_csm_have_no_findings() -> None:
    assert check(h1()) == []
    assert check(h7()) == []
    assert check(csm()) == []


# -------------------------------------------------------------------------- DQ-1


def test_dq_1_unknown_cn_code_at_declared_length() -> None:
    # 6109 10 exists in the HS, but 6109 10 90 is not a CN 2026 code
    findings = check(h1(goods_items=[h1_item(commodity_code="61091090")]))
    f = only(findings, "unknown_commodity_code")
    assert (f.rule, f.field, f.severity) == ("DQ-1", "goods_items[0].commodity_code", "error")
    assert "'61091090'" in f.message and "CN" in f.message


def test_dq_1_unknown_hs_subheading() -> None:
    f = only(check(ens(goods_items=[item(commodity_code="610999")])), "unknown_commodity_code")
    assert f.field == "goods_items[0].commodity_code"
    assert "HS" in f.message


def test_dq_1_taric_code_valid_through_its_cn_code() -> None:
    findings = check(h1(goods_items=[h1_item(commodity_code="6109100010")]))
    assert "unknown_commodity_code" not in codes(findings)


def test_dq_1_taric_code_with_unknown_cn_part() -> None:
    findings = check(h1(goods_items=[h1_item(commodity_code="6109109010")]))
    f = only(findings, "unknown_commodity_code")
    assert "'61091090'" in f.message


def test_dq_1_commodity_code_of_a_length_no_nomenclature_uses() -> None:
    # the model lets 7 digits through (6 + a national digit); no nomenclature has them
    f = only(check(ens(goods_items=[item(commodity_code="6109100")])), "unknown_commodity_code")
    assert f.severity == "error"
    assert "7 digits" in f.message


def test_dq_1_unknown_locode_in_transport() -> None:
    transport = Transport(
        mode=TransportMode.SEA,
        means_identity="9321483",
        place_of_loading="CNSHA",
        place_of_unloading="NLZZZ",
        itinerary=["CN", "NL"],
    )
    f = only(check(ens("master", transport=transport)), "unknown_locode")
    assert (f.rule, f.field, f.severity) == ("DQ-1", "transport.place_of_unloading", "error")
    assert "'NLZZZ'" in f.message


def test_dq_1_csm_gets_only_the_place_check() -> None:
    f = only(check(csm(place="NLZZZ")), "unknown_locode")
    assert (f.field, f.severity) == ("place", "error")
    # a CSM lodged far in the future is not checked for it: only the place applies
    assert check(csm(lodged_at=RECEIVED + timedelta(days=3))) == []


def test_dq_1_lodged_in_future_beyond_tolerance() -> None:
    f = only(check(h1(lodged_at=RECEIVED + timedelta(minutes=6))), "lodged_in_future")
    assert (f.rule, f.field, f.severity) == ("DQ-1", "lodged_at", "error")


def test_dq_1_lodged_slightly_ahead_is_clock_skew() -> None:
    assert check(h1(lodged_at=RECEIVED + timedelta(minutes=4))) == []


def test_dq_1_ens_lodged_after_expected_arrival() -> None:
    findings = check(ens(expected_arrival=LODGED - timedelta(hours=2)))
    f = only(findings, "lodged_after_expected_arrival")
    assert (f.rule, f.field, f.severity) == ("DQ-1", "lodged_at", "error")


def test_dq_1_zero_masses_packages_and_values() -> None:
    findings = check(
        h1(
            goods_items=[
                h1_item(
                    gross_mass=0.0,
                    net_mass=0.0,
                    packaging=Packaging(number=0),
                    item_price=Decimal(0),
                    supplementary_units=0.0,
                )
            ]
        )
    )
    by_field = {f.field: f for f in findings if f.rule == "DQ-1"}
    assert by_field["goods_items[0].gross_mass"].code == "zero_mass"
    assert by_field["goods_items[0].net_mass"].code == "zero_mass"
    assert by_field["goods_items[0].packaging.number"].code == "zero_packages"
    assert by_field["goods_items[0].item_price"].code == "zero_value"
    assert by_field["goods_items[0].supplementary_units"].code == "zero_supplementary_units"
    assert all(f.severity == "error" for f in by_field.values())


def test_dq_1_zero_totals_on_ens() -> None:
    findings = check(ens("master", total_packages=0, total_gross_mass=0.0))
    assert {(f.code, f.field) for f in findings} == {
        ("zero_packages", "total_packages"),
        ("zero_mass", "total_gross_mass"),
    }


# -------------------------------------------------------------------------- DQ-2


def test_dq_2_pre_loading_7_plus_1_missing_elements_are_errors() -> None:
    bare_item = item(packaging=None, gross_mass=None, net_mass=None)
    findings = check(
        ens(
            "pre-loading",
            consignee=None,
            house_transport_document=None,
            goods_items=[bare_item],
        )
    )
    assert {(f.code, f.field, f.severity) for f in findings if f.rule == "DQ-2"} == {
        ("missing_consignee", "consignee", "error"),
        ("missing_house_transport_document", "house_transport_document", "error"),
        ("missing_packages", "total_packages", "error"),
        ("missing_gross_mass", "total_gross_mass", "error"),
    }


def test_dq_2_pre_loading_totals_may_come_from_items_or_header() -> None:
    on_items = ens("pre-loading", total_packages=None, total_gross_mass=None)
    on_header = ens(
        "pre-loading",
        total_packages=10,
        total_gross_mass=120.0,
        goods_items=[item(packaging=None, gross_mass=None, net_mass=None)],
    )
    assert check(on_items) == []
    assert check(on_header) == []


def test_dq_2_pre_loading_without_goods_lacks_description() -> None:
    f = only(check(ens("pre-loading", goods_items=[])), "missing_goods_items")
    assert (f.field, f.severity) == ("goods_items", "error")


def test_dq_2_pre_loading_risk_elements_are_warnings() -> None:
    findings = check(
        ens(
            "pre-loading",
            consignor=Party(name="Shenzhen Garment Export Co"),
            goods_items=[item(commodity_code=None)],
        )
    )
    assert {(f.code, f.field, f.severity) for f in findings} == {
        ("missing_party_address", "consignor.address", "warning"),
        ("missing_commodity_code", "goods_items[0].commodity_code", "warning"),
    }


def test_dq_2_master_needs_transport_means_places_and_master_document() -> None:
    transport = Transport(mode=TransportMode.SEA)
    findings = check(ens("master", transport=transport, master_transport_document=None))
    assert {(f.code, f.field, f.severity) for f in findings} == {
        ("missing_transport_means", "transport.means_identity", "error"),
        ("missing_place_of_loading", "transport.place_of_loading", "error"),
        ("missing_place_of_unloading", "transport.place_of_unloading", "error"),
        ("missing_itinerary", "transport.itinerary", "warning"),
        ("missing_master_transport_document", "master_transport_document", "error"),
    }


def test_dq_2_master_without_transport() -> None:
    f = only(check(ens("master", transport=None)), "missing_transport")
    assert (f.rule, f.field, f.severity) == ("DQ-2", "transport", "error")


def test_dq_2_house_parties_need_addresses() -> None:
    findings = check(
        ens(
            "house",
            consignee=Party(name="Acme Textiles BV", eori="NL123456789"),
            consignor=party("Shenzhen Garment Export Co", "CN", address=address("CN", city=None)),
        )
    )
    by_field = {f.field: f for f in findings}
    assert by_field["consignee.address"].code == "missing_party_address"
    assert by_field["consignee.address"].severity == "error"
    assert "has no address" in by_field["consignee.address"].message
    assert by_field["consignor.address"].severity == "error"
    assert "no city" in by_field["consignor.address"].message


def test_dq_2_house_needs_consignor_document_and_goods() -> None:
    findings = check(ens("house", consignor=None, house_transport_document=None, goods_items=[]))
    assert codes(findings) == {
        "missing_consignor",
        "missing_house_transport_document",
        "missing_goods_items",
    }
    assert all(f.severity == "error" for f in findings)


def test_dq_2_house_commodity_code_is_a_risk_warning() -> None:
    f = only(check(ens("house", goods_items=[item(commodity_code=None)])), "missing_commodity_code")
    assert (f.rule, f.severity) == ("DQ-2", "warning")


def test_dq_2_h1_mandatory_elements() -> None:
    findings = check(
        h1(
            importer=party("Acme Textiles BV", "NL"),
            declarant=None,
            goods_items=[
                h1_item(
                    commodity_code=None,
                    origin_country=None,
                    item_price=None,
                    currency=None,
                    procedure_code=None,
                )
            ],
        )
    )
    assert {(f.code, f.field, f.severity) for f in findings} == {
        ("missing_importer_eori", "importer.eori", "error"),
        ("missing_declarant", "declarant", "error"),
        ("missing_commodity_code", "goods_items[0].commodity_code", "error"),
        ("missing_origin_country", "goods_items[0].origin_country", "error"),
        ("missing_item_price", "goods_items[0].item_price", "error"),
        ("missing_currency", "goods_items[0].currency", "error"),
        ("missing_procedure_code", "goods_items[0].procedure_code", "error"),
    }


def test_dq_2_h1_needs_eight_digit_commodity_code() -> None:
    f = only(check(h1(goods_items=[h1_item(commodity_code="610910")])), "commodity_code_too_short")
    assert (f.rule, f.field, f.severity) == ("DQ-2", "goods_items[0].commodity_code", "error")


def test_dq_2_h1_currency_may_come_from_invoice() -> None:
    dec = h1(invoice_currency="EUR", goods_items=[h1_item(currency=None)])
    assert check(dec) == []


def test_dq_2_h1_missing_importer() -> None:
    f = only(check(h1(importer=None)), "missing_importer")
    assert (f.field, f.severity) == ("importer", "error")


def test_dq_2_h7_reduced_data_set_misses_only_risk_elements() -> None:
    minimal = h7(
        seller=None,
        goods_items=[
            GoodsItem(
                sequence=1, description="wireless earbuds", item_price=Decimal(30), currency="EUR"
            )
        ],
    )
    findings = check(minimal)
    assert {(f.code, f.severity) for f in findings} == {
        ("missing_commodity_code", "warning"),
        ("missing_exporter", "warning"),
    }


def test_dq_2_h7_importer_address_and_value_are_mandatory() -> None:
    findings = check(
        h7(
            importer=Party(name="Jan Jansen", is_person=True),
            goods_items=[item(item_price=None, currency=None)],
        )
    )
    assert {(f.code, f.field, f.severity) for f in findings if f.rule == "DQ-2"} == {
        ("missing_party_address", "importer.address", "error"),
        ("missing_item_price", "goods_items[0].item_price", "error"),
        ("missing_currency", "goods_items[0].currency", "error"),
    }


# -------------------------------------------------------------------------- DQ-3


@pytest.mark.parametrize(
    "description",
    [
        "Gifts",
        "gift",
        "spare parts",
        "Spare Parts.",
        "GENERAL CARGO",
        "parts and accessories",
        "Parts & Accessories",
        "Samples",
        "consumer goods",
        "daily necessities",
        "Household goods",
        "N/A",
        "FAK",
        "said to contain",
        "various goods, textiles",
        "Toys / Gifts",
        "freight of all kinds",
        "Electronics",
        "personal effects",
    ],
)
def test_dq_3_vague_description_alone_is_flagged(description: str) -> None:
    findings = check(ens(goods_items=[item(description=description)]))
    f = only(findings, "vague_description")
    assert (f.rule, f.field, f.severity) == ("DQ-3", "goods_items[0].description", "error")
    assert repr(description) in f.message
    # a flagged description is not also tested against the commodity code
    assert "description_code_mismatch" not in codes(findings)


@pytest.mark.parametrize(
    "description",
    [
        "men's cotton knitted T-shirts",
        "cotton T-shirts and accessories for babies",
        "spare parts for knitting machines: needles",
        "knitted T-shirts, various colours",
        "fish food",
        "glass bottles",
    ],
)
def test_dq_3_precise_description_with_vague_words_is_accepted(description: str) -> None:
    findings = check(ens(goods_items=[item(description=description)]))
    assert not [f for f in findings if f.rule == "DQ-3" and f.severity == "error"]


@pytest.mark.parametrize(
    ("description", "code"),
    [
        ("1234567", "description_digits_only"),
        ("12 / 34", "description_digits_only"),
        ("invoice_2026.pdf", "description_file_name"),
        ("Packing list.XLSX", "description_file_name"),
        ("xxx", "description_repeated_character"),
        ("AAAAA", "description_repeated_character"),
        ("---", "description_without_letters"),
        ("?!*", "description_without_letters"),
    ],
)
def test_dq_3_meaningless_description_patterns(description: str, code: str) -> None:
    f = only(check(ens(goods_items=[item(description=description)])), code)
    assert (f.rule, f.field, f.severity) == ("DQ-3", "goods_items[0].description", "error")


def test_dq_3_description_that_does_not_fit_the_code_is_an_info() -> None:
    findings = check(ens(goods_items=[item(description="frozen shrimps")]))
    f = only(findings, "description_code_mismatch")
    assert (f.rule, f.field, f.severity) == ("DQ-3", "goods_items[0].description", "info")
    assert "610910" in f.message and "'frozen shrimps'" in f.message


def test_dq_3_description_fitting_the_code_is_not_flagged() -> None:
    pairs = [
        ("frozen shrimps", "030617"),
        ("lithium-ion batteries for laptops", "850760"),
        ("roasted coffee beans", "090121"),
        ("Cotton T-shirt", "610910"),
    ]
    for description, code in pairs:
        findings = check(ens(goods_items=[item(description=description, commodity_code=code)]))
        assert "description_code_mismatch" not in codes(findings), (description, code)


# -------------------------------------------------------------------------- DQ-4


def test_dq_4_non_latin_goods_description_is_an_error() -> None:
    f = only(check(ens(goods_items=[item(description="Футболки хлопковые")])), "non_latin_script")
    assert (f.rule, f.field, f.severity) == ("DQ-4", "goods_items[0].description", "error")
    assert "Cyrillic" in f.message


def test_dq_4_mixed_script_description_is_flagged() -> None:
    f = only(check(ens(goods_items=[item(description="cotton T-shirts 棉")])), "non_latin_script")
    assert "Han" in f.message


def test_dq_4_non_latin_party_name_and_address_are_warnings() -> None:
    consignor = party(
        "深圳服装出口有限公司", "CN", address=address("CN", street="Shennan Road 1", city="深圳")
    )
    findings = check(ens(consignor=consignor))
    assert {(f.code, f.field, f.severity) for f in findings} == {
        ("non_latin_script", "consignor.name", "warning"),
        ("non_latin_script", "consignor.address.city", "warning"),
    }


def test_dq_4_latin_diacritics_digits_and_punctuation_are_accepted() -> None:
    consignee = party(
        "Łódź Café Crème Müller Sp. z o.o.",
        "PL",
        address=address("PL", street="ul. Piotrkowska 12/3", city="Łódź"),
    )
    description = "Café crème T-shirts, 100 % coton, « été » – № 5, ½ sleeve"
    findings = check(ens(consignee=consignee, goods_items=[item(description=description)]))
    assert "non_latin_script" not in codes(findings)


def test_dq_4_greek_import_party() -> None:
    f = only(check(h1(exporter=party("Αθήνα Εξαγωγές", "GR"))), "non_latin_script")
    assert (f.field, f.severity) == ("exporter.name", "warning")
    assert "Greek" in f.message


# -------------------------------------------------------------------------- DQ-5


def test_dq_5_net_mass_above_gross_mass() -> None:
    f = only(
        check(ens(goods_items=[item(gross_mass=100.0, net_mass=101.0)])),
        "net_mass_exceeds_gross_mass",
    )
    assert (f.rule, f.field, f.severity) == ("DQ-5", "goods_items[0].net_mass", "error")


@pytest.mark.parametrize("gross_mass", [50_000.0, 0.000_5])
def test_dq_5_mass_per_package_out_of_range(gross_mass: float) -> None:
    goods = [item(gross_mass=gross_mass, net_mass=None, packaging=Packaging(number=1))]
    f = only(check(ens(goods_items=goods)), "implausible_mass_per_package")
    assert (f.rule, f.field, f.severity) == ("DQ-5", "goods_items[0].gross_mass", "warning")


def test_dq_5_mass_per_package_in_range() -> None:
    goods = [item(gross_mass=25_000.0, net_mass=None, packaging=Packaging(number=1))]
    assert check(ens(goods_items=goods)) == []


def test_dq_5_header_mass_per_package() -> None:
    f = only(
        check(ens("master", total_packages=1, total_gross_mass=45_000.0)),
        "implausible_mass_per_package",
    )
    assert f.field == "total_gross_mass"


def test_dq_5_value_per_kg_above_default_range() -> None:
    goods = [h1_item(item_price=Decimal(1_000_000), gross_mass=2.0, net_mass=1.0)]
    f = only(check(h1(goods_items=goods)), "implausible_value_per_kg")
    assert (f.rule, f.field, f.severity) == ("DQ-5", "goods_items[0].item_price", "warning")
    assert "1e+06 EUR/kg" in f.message


def test_dq_5_value_per_kg_uses_narrow_bulk_chapter_range() -> None:
    # 100 EUR/kg is fine for T-shirts but not for wheat (chapter 10)
    wheat = h1_item(
        commodity_code="10019900", item_price=Decimal(1000), net_mass=10.0, gross_mass=11.0
    )
    f = only(check(h1(goods_items=[wheat])), "implausible_value_per_kg")
    assert "chapter 10" in f.message
    shirts = h1_item(item_price=Decimal(1000), net_mass=10.0, gross_mass=11.0)
    assert check(h1(goods_items=[shirts])) == []


def test_dq_5_value_per_kg_wide_for_watches() -> None:
    watch = h1_item(
        description="wrist-watches with gold case",
        commodity_code="91011100",
        item_price=Decimal(250_000),
        gross_mass=0.3,
        net_mass=0.2,
    )
    assert "implausible_value_per_kg" not in codes(check(h1(goods_items=[watch])))


def test_dq_5_value_per_kg_skipped_for_unconvertible_currency() -> None:
    goods = [h1_item(item_price=Decimal(1_000_000), currency="USD", net_mass=1.0)]
    assert "implausible_value_per_kg" not in codes(check(h1(goods_items=goods)))


def test_dq_5_value_per_kg_converted_with_exchange_rate() -> None:
    goods = [h1_item(item_price=Decimal(1_000_000), currency="USD", net_mass=1.0)]
    dec = h1(goods_items=goods, invoice_currency="USD", exchange_rate=Decimal("1.08"))
    assert only(check(dec), "implausible_value_per_kg").severity == "warning"


def test_dq_5_mass_per_supplementary_unit_from_cn_unit() -> None:
    # CN 2204 21 09 is counted in litres: 1000 l of wine cannot weigh 5 kg
    wine = h1_item(
        description="red wine in bottles",
        commodity_code="22042109",
        supplementary_units=1000.0,
        gross_mass=6.0,
        net_mass=5.0,
        item_price=Decimal(50),
    )
    f = only(check(h1(goods_items=[wine])), "implausible_mass_per_unit")
    assert (f.rule, f.field, f.severity) == (
        "DQ-5",
        "goods_items[0].supplementary_units",
        "warning",
    )
    plausible = wine.model_copy(
        update={"gross_mass": 1600.0, "net_mass": 1000.0, "item_price": Decimal(5000)}
    )
    assert check(h1(goods_items=[plausible])) == []


def test_dq_5_mass_per_supplementary_unit_with_declared_unit() -> None:
    goods = [
        h1_item(
            supplementary_units=2.0,
            supplementary_unit_code="m2",
            net_mass=5000.0,
            gross_mass=5100.0,
        )
    ]
    assert only(check(h1(goods_items=goods)), "implausible_mass_per_unit").severity == "warning"


def test_dq_5_h7_value_above_threshold() -> None:
    goods = [
        GoodsItem(
            sequence=1,
            description="wireless earbuds",
            commodity_code="851830",
            item_price=Decimal(100),
            currency="EUR",
        ),
        GoodsItem(
            sequence=2,
            description="smartwatch straps of leather",
            commodity_code="911390",
            item_price=Decimal(51),
            currency="EUR",
        ),
    ]
    f = only(check(h7(goods_items=goods)), "h7_value_above_threshold")
    assert (f.rule, f.field, f.severity) == ("DQ-5", "goods_items", "error")
    assert "151.00 EUR" in f.message


def test_dq_5_h7_value_at_threshold_is_fine() -> None:
    goods = [h7().goods_items[0].model_copy(update={"item_price": Decimal(150)})]
    assert "h7_value_above_threshold" not in codes(check(h7(goods_items=goods)))


def test_dq_5_h7_value_converted_with_exchange_rate() -> None:
    def dec(usd: int) -> ImportDeclaration:
        goods = [
            h7().goods_items[0].model_copy(update={"item_price": Decimal(usd), "currency": "USD"})
        ]
        return h7(goods_items=goods, invoice_currency="USD", exchange_rate=Decimal("1.25"))

    assert "h7_value_above_threshold" not in codes(check(dec(170)))  # 136 EUR
    assert "h7_value_above_threshold" in codes(check(dec(200)))  # 160 EUR


def test_dq_5_h7_value_from_invoice_total_when_items_lack_prices() -> None:
    goods = [h7().goods_items[0].model_copy(update={"item_price": None})]
    dec = h7(goods_items=goods, invoice_currency="EUR", invoice_total=Decimal(400))
    f = only(check(dec), "h7_value_above_threshold")
    assert f.field == "invoice_total"


# ------------------------------------------------------------------ quality score


def _finding(severity: str) -> Finding:
    return Finding("DQ-2", "x", "y", severity, "z")


def test_dq_7_quality_score_weights() -> None:
    assert quality_score([]) == 100
    assert quality_score([_finding("error")]) == 80
    assert quality_score([_finding("warning"), _finding("info")]) == 94
    assert quality_score([_finding("error")] * 6) == 0


def test_dq_7_quality_score_of_checked_filing() -> None:
    findings = check(h1(importer=None, goods_items=[h1_item(description="frozen shrimps")]))
    assert quality_score(findings) == 100 - 20 - 1
