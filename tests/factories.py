"""Valid filings in one line, with keyword overrides (deep keys as ``a__b``)."""

from __future__ import annotations

import copy
from typing import Any

from tollgate.declarations.identifiers import container_check_digit


def container(owner: str = "MSC", serial: int = 1) -> str:
    body = f"{owner}U{serial:06d}"
    return body + str(container_check_digit(body))


def _apply(doc: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    for key, value in overrides.items():
        node = doc
        parts = key.split("__")
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node[part]
        last = parts[-1]
        if value is _DROP:
            node.pop(last, None)
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return doc


_DROP = object()
DROP: Any = _DROP


def party(
    name: str = "Shenzhen Bright Textiles Co",
    country: str = "CN",
    eori: str | None = None,
    **kw: Any,
) -> dict[str, Any]:
    p: dict[str, Any] = {
        "name": name,
        "address": {
            "street": "1 Harbour Road",
            "city": "Shenzhen",
            "postcode": "518000",
            "country": country,
        },
    }
    if eori:
        p["eori"] = eori
    p.update(kw)
    return p


def goods(seq: int = 1, **kw: Any) -> dict[str, Any]:
    g: dict[str, Any] = {
        "sequence": seq,
        "description": "Men's cotton knitted T-shirts",
        "commodity_code": "610910",
        "origin_country": "CN",
        "gross_mass": 120.0,
        "net_mass": 110.0,
        "packaging": {"number": 10, "kind": "CT"},
        "item_price": "2400.00",
        "currency": "EUR",
    }
    g.update(kw)
    return g


def house(
    lrn: str = "H-0001",
    filer: str = "NL100000001",
    htd: str = "HAWB0001",
    mtd: str = "MAWB0001",
    **overrides: Any,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "kind": "ens",
        "filing_type": "F12",
        "layer": "house",
        "lrn": lrn,
        "filer": filer,
        "lodged_at": "2026-11-20T08:00:00Z",
        "office_of_first_entry": "NL000396",
        "expected_arrival": "2026-11-21T08:00:00Z",
        "house_transport_document": htd,
        "master_transport_document": mtd,
        "consignor": party(),
        "consignee": party("Jansen Mode BV", "NL", eori="NL123456789"),
        "transport": {
            "mode": 4,
            "itinerary": ["CN", "NL"],
            "place_of_loading": "CNSZX",
            "place_of_unloading": "NLAMS",
        },
        "total_packages": 10,
        "total_gross_mass": 120.0,
        "goods_items": [goods()],
    }
    return _apply(doc, overrides)


def master(
    lrn: str = "M-0001",
    filer: str = "NL200000002",
    mtd: str = "MAWB0001",
    containers: list[str] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "kind": "ens",
        "filing_type": "F11",
        "layer": "master",
        "lrn": lrn,
        "filer": filer,
        "lodged_at": "2026-11-20T07:00:00Z",
        "office_of_first_entry": "NL000396",
        "expected_arrival": "2026-11-21T08:00:00Z",
        "master_transport_document": mtd,
        "carrier": party("Cargo Air Lines", "NL", eori="NL200000002"),
        "transport": {
            "mode": 4,
            "means_identity": "KL0876",
            "voyage": "KL0876",
            "itinerary": ["CN", "NL"],
            "place_of_loading": "CNSZX",
            "place_of_unloading": "NLAMS",
            "containers": containers or [],
        },
        "total_packages": 10,
        "total_gross_mass": 120.0,
    }
    return _apply(doc, overrides)


def import_h1(
    lrn: str = "I-0001", filer: str = "NL123456789", htd: str | None = "HAWB0001", **overrides: Any
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "kind": "import",
        "declaration_type": "H1",
        "lrn": lrn,
        "filer": filer,
        "lodged_at": "2026-11-21T09:00:00Z",
        "office_of_lodgement": "NL000396",
        "declarant": party("Jansen Mode BV", "NL", eori="NL123456789"),
        "importer": party("Jansen Mode BV", "NL", eori="NL123456789"),
        "exporter": party(),
        "invoice_currency": "EUR",
        "invoice_total": "2400.00",
        "goods_items": [goods(commodity_code="61091000", procedure_code="4000")],
    }
    if htd:
        doc["transport_document"] = htd
    return _apply(doc, overrides)


def csm(
    lrn: str = "C-0001", filer: str = "NL200000002", number: str | None = None, **overrides: Any
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "kind": "csm",
        "lrn": lrn,
        "filer": filer,
        "lodged_at": "2026-11-19T10:00:00Z",
        "reported_to": "NL",
        "container_number": number or container(),
        "event": "loaded",
        "place": "CNSHA",
        "event_time": "2026-11-19T09:00:00Z",
    }
    return _apply(doc, overrides)
