"""DQ-6: consistency between the filings of one consignment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic_core import from_json

from tollgate.declarations.identifiers import container_check_digit
from tollgate.declarations.models import (
    Address,
    AnyFiling,
    EntrySummaryDeclaration,
    FilingAdapter,
    GoodsItem,
    ImportDeclaration,
    Packaging,
    Party,
    Transport,
)
from tollgate.quality.checks import Finding
from tollgate.quality.consistency import LayerView, can_contradict, consistency_findings
from tollgate.reference.codes import TransportMode

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

MASTER_ID, HOUSE_A_ID, HOUSE_B_ID, IMPORT_ID = 1, 2, 3, 4


def container(serial: str) -> str:
    first_ten = "MSCU" + serial
    return first_ten + str(container_check_digit(first_ten))


C1, C2, C_OTHER = container("100001"), container("100002"), container("999999")


def party(name: str, country: str, eori: str | None = None) -> Party:
    return Party(
        name=name,
        eori=eori,
        address=Address(street="1 Main Street", city="Anytown", country=country),
    )


def goods(
    sequence: int = 1,
    *,
    code: str | None = "610910",
    origin: str | None = "CN",
    packages: int = 10,
    mass: float = 100.0,
    containers: tuple[str, ...] = (C1,),
    **overrides: Any,
) -> GoodsItem:
    fields: dict[str, Any] = {
        "sequence": sequence,
        "description": "men's cotton knitted T-shirts",
        "commodity_code": code,
        "origin_country": origin,
        "gross_mass": mass,
        "packaging": Packaging(number=packages, kind="CT"),
        "containers": list(containers),
    }
    fields.update(overrides)
    return GoodsItem(**fields)


def master(*, lodged: timedelta = timedelta(0), **overrides: Any) -> EntrySummaryDeclaration:
    fields: dict[str, Any] = {
        "lrn": "M-1",
        "filer": "DK123456789",
        "lodged_at": T0 + lodged,
        "filing_type": "F31",
        "layer": "master",
        "office_of_first_entry": "NL000396",
        "master_transport_document": "MBL-1",
        "transport": Transport(
            mode=TransportMode.SEA,
            means_identity="9321483",
            place_of_loading="CNSHA",
            place_of_unloading="NLRTM",
            itinerary=["CN", "NL"],
            containers=[C1, C2],
        ),
        "total_packages": 30,
        "total_gross_mass": 300.0,
    }
    fields.update(overrides)
    return EntrySummaryDeclaration(**fields)


def house(
    lrn: str = "H-A", *, lodged: timedelta = timedelta(hours=1), **overrides: Any
) -> EntrySummaryDeclaration:
    fields: dict[str, Any] = {
        "lrn": lrn,
        "filer": "NL123456789",
        "lodged_at": T0 + lodged,
        "filing_type": "F32",
        "layer": "house",
        "mrn": "26NLENS" + lrn,
        "office_of_first_entry": "NL000396",
        "master_transport_document": "MBL-1",
        "house_transport_document": "HBL-" + lrn,
        "consignor": party("Shenzhen Garment Export Co", "CN"),
        "consignee": party("Acme Textiles BV", "NL", "NL123456789"),
        "goods_items": [goods()],
    }
    fields.update(overrides)
    return EntrySummaryDeclaration(**fields)


def import_declaration(
    *, lodged: timedelta = timedelta(days=2), **overrides: Any
) -> ImportDeclaration:
    fields: dict[str, Any] = {
        "lrn": "I-1",
        "filer": "NL987654321",
        "lodged_at": T0 + lodged,
        "declaration_type": "H1",
        "office_of_lodgement": "NL000396",
        "ens_mrn": "26NLENSH-A",
        "transport_document": "HBL-H-A",
        "declarant": Party(name="Broker BV", eori="NL987654321"),
        "importer": party("Acme Textiles BV", "NL", "NL123456789"),
        "goods_items": [
            goods(
                code="61091000",
                item_price=Decimal(900),
                currency="EUR",
                procedure_code="4000",
            )
        ],
    }
    fields.update(overrides)
    return ImportDeclaration(**fields)


def consignment(*members: tuple[int, AnyFiling]) -> list[tuple[int, Finding]]:
    return consistency_findings([(fid, LayerView.of(filing)) for fid, filing in members])


def two_houses(**overrides_b: Any) -> tuple[tuple[int, AnyFiling], tuple[int, AnyFiling]]:
    a = house("H-A", goods_items=[goods(packages=10, mass=100.0)])
    b = house("H-B", lodged=timedelta(hours=2), **overrides_b)
    return (HOUSE_A_ID, a), (HOUSE_B_ID, b)


# ---------------------------------------------------------------------------- tests


def test_dq_6_consistent_consignment_has_no_findings() -> None:
    a, b = two_houses(goods_items=[goods(packages=20, mass=200.0, containers=(C2,))])
    declaration = import_declaration()
    assert consignment((MASTER_ID, master()), a, b, (IMPORT_ID, declaration)) == []


def test_dq_6_house_totals_above_master_are_an_error_on_the_later_filing() -> None:
    a, b = two_houses(goods_items=[goods(packages=25, mass=260.0)])
    findings = consignment((MASTER_ID, master()), a, b)
    assert {(fid, f.code, f.field, f.severity) for fid, f in findings} == {
        (HOUSE_B_ID, "house_packages_mismatch", "total_packages", "error"),
        (HOUSE_B_ID, "house_gross_mass_mismatch", "total_gross_mass", "error"),
    }
    assert all(f.rule == "DQ-6" for _, f in findings)
    packages = next(f for _, f in findings if f.code == "house_packages_mismatch")
    assert "35 packages" in packages.message and "30" in packages.message


def test_dq_6_house_totals_below_master_are_a_warning() -> None:
    a, b = two_houses(goods_items=[goods(packages=5, mass=50.0)])
    findings = consignment((MASTER_ID, master()), a, b)
    assert {(f.code, f.severity) for _, f in findings} == {
        ("house_packages_mismatch", "warning"),
        ("house_gross_mass_mismatch", "warning"),
    }


def test_dq_6_house_totals_within_one_percent_fit() -> None:
    a, b = two_houses(goods_items=[goods(packages=20, mass=202.9)])
    assert consignment((MASTER_ID, master()), a, b) == []


def test_dq_6_house_header_totals_take_precedence_over_items() -> None:
    a, b = two_houses(total_packages=20, total_gross_mass=200.0, goods_items=[goods(packages=99)])
    assert consignment((MASTER_ID, master()), a, b) == []


def test_dq_6_totals_finding_goes_to_master_when_it_is_later() -> None:
    a, b = two_houses(goods_items=[goods(packages=25, mass=200.0)])
    findings = consignment((MASTER_ID, master(lodged=timedelta(hours=5))), a, b)
    assert [(fid, f.code) for fid, f in findings] == [(MASTER_ID, "house_packages_mismatch")]


def test_dq_6_no_totals_check_without_master() -> None:
    a, b = two_houses(goods_items=[goods(packages=500, mass=9000.0, containers=(C_OTHER,))])
    assert consignment(a, b) == []


def test_dq_6_container_of_house_not_in_master() -> None:
    a, b = two_houses(
        goods_items=[
            goods(packages=20, mass=200.0, containers=(C2,)),
            goods(2, containers=(C_OTHER,)),
        ],
        total_packages=20,
        total_gross_mass=200.0,
    )
    findings = consignment((MASTER_ID, master()), a, b)
    assert len(findings) == 1
    fid, f = findings[0]
    assert fid == HOUSE_B_ID
    assert (f.rule, f.code, f.field, f.severity) == (
        "DQ-6",
        "container_not_in_master",
        "goods_items[1].containers[0]",
        "error",
    )
    assert C_OTHER in f.message


def test_dq_6_container_finding_on_later_master() -> None:
    a = house("H-A", goods_items=[goods(containers=(C_OTHER,))])
    m = master(lodged=timedelta(hours=3), total_packages=None, total_gross_mass=None)
    findings = consignment((MASTER_ID, m), (HOUSE_A_ID, a))
    assert [(fid, f.code, f.field) for fid, f in findings] == [
        (MASTER_ID, "container_not_in_master", "transport.containers")
    ]


def test_dq_6_containers_not_checked_when_master_names_none() -> None:
    transport = Transport(mode=TransportMode.SEA, means_identity="9321483")
    m = master(transport=transport, total_packages=None, total_gross_mass=None)
    a = house("H-A", goods_items=[goods(containers=(C_OTHER,))])
    assert consignment((MASTER_ID, m), (HOUSE_A_ID, a)) == []


def test_dq_6_master_document_differs() -> None:
    m = master(total_packages=None, total_gross_mass=None)
    a = house("H-A", master_transport_document="MBL-2")
    findings = consignment((MASTER_ID, m), (HOUSE_A_ID, a))
    assert [(fid, f.code, f.field, f.severity) for fid, f in findings] == [
        (HOUSE_A_ID, "master_document_mismatch", "master_transport_document", "warning")
    ]


def test_dq_6_import_commodity_code_differs_from_ens() -> None:
    declaration = import_declaration(
        goods_items=[
            goods(code="61091000", item_price=Decimal(900), currency="EUR"),
            goods(2, code="62052000", item_price=Decimal(100), currency="EUR"),
        ]
    )
    findings = consignment((HOUSE_A_ID, house()), (IMPORT_ID, declaration))
    assert [(fid, f.code, f.field, f.severity) for fid, f in findings] == [
        (IMPORT_ID, "ens_import_commodity_mismatch", "goods_items[1].commodity_code", "warning")
    ]
    assert "620520" in findings[0][1].message and "610910" in findings[0][1].message


def test_dq_6_import_same_hs_subheading_as_ens_agrees() -> None:
    # the ENS gives HS 6 digits, the declaration CN 8 (+ TARIC): the first 6 must agree
    declaration = import_declaration(goods_items=[goods(code="6109100010")])
    assert consignment((HOUSE_A_ID, house()), (IMPORT_ID, declaration)) == []


def test_dq_6_import_origin_differs_from_ens() -> None:
    declaration = import_declaration(goods_items=[goods(code="61091000", origin="BD")])
    findings = consignment((HOUSE_A_ID, house()), (IMPORT_ID, declaration))
    assert [(fid, f.code, f.field) for fid, f in findings] == [
        (IMPORT_ID, "ens_import_origin_mismatch", "goods_items[0].origin_country")
    ]
    assert "BD" in findings[0][1].message


def test_dq_6_import_importer_differs_from_ens_consignee() -> None:
    declaration = import_declaration(importer=party("Other BV", "NL", "NL555555555"))
    findings = consignment((HOUSE_A_ID, house()), (IMPORT_ID, declaration))
    assert [(fid, f.code, f.field, f.severity) for fid, f in findings] == [
        (IMPORT_ID, "ens_import_party_mismatch", "importer.eori", "warning")
    ]


def test_dq_6_ens_amended_after_import_carries_the_finding() -> None:
    amended = house(lodged=timedelta(days=3), amendment=True, goods_items=[goods(code="620520")])
    declaration = import_declaration()
    findings = consignment((HOUSE_A_ID, amended), (IMPORT_ID, declaration))
    assert [(fid, f.code, f.field) for fid, f in findings] == [
        (HOUSE_A_ID, "ens_import_commodity_mismatch", "goods_items[0].commodity_code")
    ]


def test_dq_6_import_matched_to_its_own_house_by_mrn() -> None:
    a = house("H-A")
    b = house("H-B", goods_items=[goods(code="620520", origin="BD")])
    declaration = import_declaration(ens_mrn="26NLENSH-B", transport_document=None)
    findings = consignment((HOUSE_A_ID, a), (HOUSE_B_ID, b), (IMPORT_ID, declaration))
    assert [(fid, f.code) for fid, f in findings] == [
        (IMPORT_ID, "ens_import_commodity_mismatch"),
        (IMPORT_ID, "ens_import_origin_mismatch"),
    ]


def test_dq_6_import_without_identifiable_ens_is_not_compared() -> None:
    a = house("H-A")
    b = house("H-B", goods_items=[goods(code="620520")])
    declaration = import_declaration(ens_mrn=None, transport_document=None)
    assert consignment((HOUSE_A_ID, a), (HOUSE_B_ID, b), (IMPORT_ID, declaration)) == []


def test_dq_6_missing_data_on_one_side_is_not_a_contradiction() -> None:
    ens_without_codes = house(goods_items=[goods(code=None, origin=None)])
    declaration = import_declaration(importer=party("Acme Textiles BV", "NL"))
    assert consignment((HOUSE_A_ID, ens_without_codes), (IMPORT_ID, declaration)) == []


def test_dq_6_only_groups_with_something_to_compare_can_contradict() -> None:
    assert can_contradict([("ens", "master"), ("ens", "house")])
    assert can_contradict([("import", None), ("ens", "pre-loading")])
    assert not can_contradict([("ens", "master"), ("ens", "complete")])
    assert not can_contradict([("ens", "house"), ("csm", None)])
    assert not can_contradict([("import", None), ("ens", "master")])


def test_dq_6_view_of_a_model_equals_view_of_its_stored_document() -> None:
    filing = house(goods_items=[goods(packages=4, mass=12.5, containers=(C1, C2))])
    stored = FilingAdapter.dump_json(filing, exclude_none=True)
    assert LayerView.of_document(from_json(stored)) == LayerView.of(filing)
