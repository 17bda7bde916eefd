"""Column mappings: foreign layouts load without code; bad mappings are refused precisely."""

from __future__ import annotations

import pytest

from tollgate.errors import ValidationFailed
from tollgate.intake.mapping import parse_mapping

KCS_LIKE = """
record_id: Declaration ID
constants: {kind: import, declaration_type: H1, "goods_items[0].sequence": 1}
fields:
  lrn: Declaration ID
  lodged_at: {column: Date, format: date}
  office_of_lodgement: {column: Office ID, template: "KR{value:0>6}"}
  "goods_items[0].item_price": {column: Item Price, round: 2}
  "goods_items[0].commodity_code": {column: HS6, template: "{value:0>6}"}
  national_data.tax_type: Tax Type
labels: {fraud: Fraud}
"""


def test_mapping_builds_nested_filing_and_labels() -> None:
    m = parse_mapping(KCS_LIKE)
    row = {
        "Declaration ID": "97061800",
        "Date": "2020-01-01",
        "Office ID": "30",
        "Item Price": "19807.800000000007",
        "HS6": "40890",
        "Tax Type": "",
        "Fraud": "1",
    }
    assert m.apply(row) == {
        "kind": "import",
        "declaration_type": "H1",
        "goods_items": [{"sequence": 1, "item_price": "19807.80", "commodity_code": "040890"}],
        "lrn": "97061800",
        "lodged_at": "2020-01-01T00:00:00Z",
        "office_of_lodgement": "KR000030",
    }
    assert m.labels_of(row) == {"fraud": "1"}
    assert m.missing_columns(["Declaration ID", "Date"]) == [
        "Fraud",
        "HS6",
        "Item Price",
        "Office ID",
        "Tax Type",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fields: {lrn: {column: A, template: '{value.__class__}'}}", "may only use {value}"),
        ("fields: {lrn: {column: A, template: '{0}'}}", "may only use {value}"),
        ("fields: {'goods items': A}", "not a field path"),
        ("fields: {lrn: {column: A, format: epoch}}", "format must be one of"),
        ("fields: {lrn: {column: A, round: 20}}", "round must be"),
        ("fields: {}", "non-empty 'fields'"),
        ("extras: 1\nfields: {lrn: A}", "unknown sections"),
        ("fields: [", "not valid YAML"),
    ],
)
def test_bad_mapping_is_refused_with_reason(text: str, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message.replace("{", r"\{").replace("}", r"\}")):
        parse_mapping(text)
