"""Facts: a filing flattened into the rows every evaluator reads (see ``language``).

One row per goods item (declaration fields repeated), keyed by the names of
``language.FIELDS``. Derived facts — unit values, the ratio to the unit-value benchmark,
the trader's AEO status, segment and first appearance, data-quality findings — are
computed here once, so the in-process evaluator and the SQL evaluators read the same
values and cannot disagree about them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tollgate.declarations.models import (
    AnyFiling,
    ContainerStatusMessage,
    EntrySummaryDeclaration,
    GoodsItem,
    ImportDeclaration,
    Party,
)
from tollgate.risk.language import normalise_name

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Trader:
    eori: str
    aeo: bool = False
    segment: str | None = None


@dataclass(slots=True)
class Context:
    """What the assessing authority knows beyond the filing itself."""

    #: (HS6, origin country) -> median unit value per kg, from stored history (RM-15)
    benchmarks: Mapping[tuple[str, str], float] = field(default_factory=dict)
    #: the trader register: EORI -> AEO status and segment (RM-23, RM-24)
    traders: Mapping[str, Trader] = field(default_factory=dict)
    #: EORIs the authority has seen before (in earlier filings or the register)
    known_traders: frozenset[str] | set[str] = field(default_factory=frozenset)
    #: data-quality finding codes and score of the filing (DQ-1..DQ-6)
    quality_codes: tuple[str, ...] = ()
    quality_score: int | None = None


def _name(party: Party | None) -> str | None:
    return normalise_name(party.name) or None if party is not None else None


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _value(item: GoodsItem, filing: AnyFiling) -> float | None:
    """The item's value in EUR: the statistical value, else the price converted at the
    declared exchange rate, else the price when it is in euro."""
    if item.statistical_value is not None:
        return float(item.statistical_value)
    if item.item_price is None:
        return None
    currency = item.currency or getattr(filing, "invoice_currency", None)
    if currency in (None, "EUR"):
        return float(item.item_price)
    rate = getattr(filing, "exchange_rate", None)
    return float(item.item_price * rate) if rate is not None else None


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def trader_eori(filing: AnyFiling) -> str:
    """The trader a filing is assessed for (RM-23, RM-24): the importer of an import
    declaration, the consignee of an entry summary, else whoever filed it."""
    party = None
    if isinstance(filing, ImportDeclaration):
        party = filing.importer
    elif isinstance(filing, EntrySummaryDeclaration):
        party = filing.consignee
    return party.eori if party is not None and party.eori else filing.filer


def declaration_facts(filing: AnyFiling, office_country: str, context: Context) -> Row:
    """The declaration-level facts (the same on every row)."""
    row: Row = {
        "kind": filing.kind,
        "filer": filing.filer,
        "office": filing.office,
        "office_country": office_country,
        "lodged_at": _utc(filing.lodged_at),
        "quality.codes": frozenset(context.quality_codes),
        "quality.score": None if context.quality_score is None else float(context.quality_score),
    }
    consignor = consignee = None
    if isinstance(filing, EntrySummaryDeclaration):
        row["filing_type"], row["layer"] = filing.filing_type, filing.layer
        consignor, consignee = filing.consignor, filing.consignee
        row["total_packages"] = _float(filing.total_packages)
        row["total_gross_mass"] = _float(filing.total_gross_mass)
    elif isinstance(filing, ImportDeclaration):
        row["filing_type"] = filing.declaration_type
        consignor, consignee = filing.exporter, filing.importer
        row["declarant.eori"] = filing.declarant.eori if filing.declarant else None
        row["incoterms"] = filing.incoterms
        row["invoice_currency"] = filing.invoice_currency
        for key, value in filing.national_data.items():
            row[f"national.{office_country}.{key}"] = str(value)
    else:
        row["filing_type"] = "CSM"
    transport = None if isinstance(filing, ContainerStatusMessage) else filing.transport
    if transport is not None:
        row["transport.mode"] = str(int(transport.mode))
        row["transport.means_nationality"] = transport.means_nationality
        row["transport.place_of_loading"] = transport.place_of_loading
        row["transport.loading_country"] = (
            transport.place_of_loading[:2] if transport.place_of_loading else None
        )
        row["transport.place_of_unloading"] = transport.place_of_unloading
        row["transport.itinerary"] = frozenset(transport.itinerary)
    containers = _containers(filing)
    row["transport.container_count"] = float(len(containers))
    for role, party in (("consignor", consignor), ("consignee", consignee)):
        row[f"{role}.name"] = _name(party)
        row[f"{role}.country"] = (
            party.address.country if party is not None and party.address is not None else None
        )
        row[f"{role}.eori"] = party.eori if party is not None else None
    eori = trader_eori(filing)
    trader = context.traders.get(eori)
    row["trader.eori"] = eori
    row["trader.aeo"] = trader.aeo if trader is not None else False
    row["trader.segment"] = trader.segment if trader is not None else None
    row["trader.first_time"] = eori not in context.known_traders and trader is None
    return row


def _float(value: float | int | None) -> float | None:
    return None if value is None else float(value)


def _containers(filing: AnyFiling) -> set[str]:
    if isinstance(filing, ContainerStatusMessage):
        return {filing.container_number}
    found = set(filing.transport.containers) if filing.transport is not None else set()
    for item in filing.goods_items:
        found.update(item.containers)
    return found


ITEM_FIELDS = (
    "item.commodity_code",
    "item.origin_country",
    "item.preferential_origin_country",
    "item.description",
    "item.gross_mass",
    "item.net_mass",
    "item.supplementary_units",
    "item.value",
    "item.unit_value_per_kg",
    "item.unit_value_per_unit",
    "item.benchmark_ratio",
    "item.procedure_code",
    "item.preference_code",
    "item.un_dangerous_goods_number",
)


def item_facts(item: GoodsItem, filing: AnyFiling, context: Context) -> Row:
    value = _value(item, filing)
    mass = item.net_mass if item.net_mass else item.gross_mass
    per_kg = _ratio(value, mass)
    code = item.commodity_code
    benchmark = (
        context.benchmarks.get((code[:6], item.origin_country))
        if code is not None and item.origin_country is not None
        else None
    )
    return {
        "item.commodity_code": code,
        "item.origin_country": item.origin_country,
        "item.preferential_origin_country": item.preferential_origin_country,
        "item.description": item.description,
        "item.gross_mass": item.gross_mass,
        "item.net_mass": item.net_mass,
        "item.supplementary_units": item.supplementary_units,
        "item.value": value,
        "item.unit_value_per_kg": per_kg,
        "item.unit_value_per_unit": _ratio(value, item.supplementary_units),
        "item.benchmark_ratio": _ratio(per_kg, benchmark),
        "item.procedure_code": item.procedure_code,
        "item.preference_code": item.preference_code,
        "item.un_dangerous_goods_number": item.un_dangerous_goods_number,
    }


def rows_of(filing: AnyFiling, office_country: str, context: Context | None = None) -> list[Row]:
    """The rows of one filing: one per goods item, or one without item facts."""
    context = context or Context()
    head = declaration_facts(filing, office_country, context)
    items = [] if isinstance(filing, ContainerStatusMessage) else filing.goods_items
    if not items:
        return [head]
    return [head | item_facts(item, filing, context) for item in items]
