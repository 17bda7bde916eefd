"""DM-1..DM-8: the declaration model accepts the realistic and refuses the malformed with
the precise field path and a stable error code."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from factories import DROP, container, csm, house, import_h1, master
from tollgate.declarations.models import EntrySummaryDeclaration, FilingAdapter, ImportDeclaration
from tollgate.intake.records import PreparedFiling, RecordError, prepare

NOW = datetime(2026, 11, 22, tzinfo=UTC)


def errors_of(doc: dict[str, object]) -> list[RecordError]:
    out = prepare(doc, 1, NOW)
    assert isinstance(out, list), "expected a rejection"
    return out


def test_dm_1_ens_layers_and_filing_type_kept_as_data() -> None:
    for doc in (house(), master(), house(filing_type="F32", layer="house")):
        filing = FilingAdapter.validate_python(doc)
        assert isinstance(filing, EntrySummaryDeclaration)
        assert filing.filing_type == doc["filing_type"]


def test_dm_2_import_h1_and_h7() -> None:
    h1 = FilingAdapter.validate_python(import_h1())
    h7 = FilingAdapter.validate_python(import_h1(declaration_type="H7", lrn="I-7"))
    assert isinstance(h1, ImportDeclaration) and h1.declaration_type == "H1"
    assert isinstance(h7, ImportDeclaration) and h7.declaration_type == "H7"


def test_dm_3_container_status_message() -> None:
    out = prepare(csm(number=container("TGH", 42)), 1, NOW)
    assert isinstance(out, PreparedFiling)
    assert out.links == [("container", container("TGH", 42))]


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"filer": "QQ1"}, "filer", "invalid_eori"),
        (
            {"goods_items__0__origin_country": "XX"},
            "goods_items[0].origin_country",
            "unknown_country",
        ),
        ({"goods_items__0__currency": "EUX"}, "goods_items[0].currency", "unknown_currency"),
        (
            {"goods_items__0__commodity_code": "61091"},
            "goods_items[0].commodity_code",
            "string_pattern_mismatch",
        ),
        ({"transport__mode": 6}, "transport.mode", "enum"),
        (
            {"transport__containers": ["CSQU3054384"]},
            "transport.containers[0]",
            "invalid_container_number",
        ),
        ({"lodged_at": "2026-11-20T08:00:00"}, "lodged_at", "timezone_aware"),
        ({"goods_items__0__gross_mass": -1}, "goods_items[0].gross_mass", "greater_than_equal"),
        ({"consignor": DROP, "colour": "red"}, "colour", "extra_forbidden"),
        ({"office_of_first_entry": "NL39"}, "office_of_first_entry", "invalid_office"),
        ({"filing_type": DROP}, "filing_type", "missing"),
    ],
)
def test_dm_bad_input_gets_field_path_and_code(
    overrides: dict[str, Any], field: str, code: str
) -> None:
    errs = errors_of(house(**overrides))
    assert (field, code) in [(e.field, e.code) for e in errs]
    assert all(e.record_id == house(**overrides).get("lrn") for e in errs)


def test_unknown_and_missing_kind_are_named() -> None:
    assert errors_of({"kind": "invoice"})[0].code == "unknown_kind"
    assert errors_of({"lrn": "x"})[0].code == "missing_kind"
    assert errors_of([1, 2])[0].code == "not_an_object"  # type: ignore[arg-type]


def test_content_hash_ignores_key_order_but_not_content() -> None:
    a = prepare(house(), 1, NOW)
    b = prepare(dict(reversed(list(house().items()))), 2, NOW)
    c = prepare(house(total_packages=11), 3, NOW)
    assert isinstance(a, PreparedFiling) and isinstance(b, PreparedFiling)
    assert isinstance(c, PreparedFiling)
    assert a.content_hash == b.content_hash != c.content_hash


def test_dm_4_links_extracted_for_consignment_view() -> None:
    out = prepare(house(transport__containers=[container()]), 1, NOW)
    assert isinstance(out, PreparedFiling)
    assert set(out.links) == {("htd", "HAWB0001"), ("mtd", "MAWB0001"), ("container", container())}
