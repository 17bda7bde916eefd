"""Facts: a filing flattened into the rows every evaluator reads (see ``language``).

One row per goods item (declaration fields repeated), keyed by the names of
``language.FIELDS``. Derived facts — unit values, the comparison with the unit-value
benchmarks, the trader's AEO status, segment and first appearance, data-quality
findings — are computed here once, so the in-process evaluator and the SQL evaluators
read the same values and cannot disagree about them. The history store restates the
benchmark facts of stored rows with ``benchmark_facts`` when a new set is computed, so
a back-test sees what live assessment would see.
"""

from __future__ import annotations

import math
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


# ------------------------------------------------------------ unit-value benchmarks (RM-15)

#: Where a goods item's benchmark is looked for, most specific first: (level, HS digits,
#: same origin). The goods come before the origin: prices differ far more between
#: subheadings than between origins of one subheading, so the same HS6 from anywhere is
#: a closer comparison than the same heading from the same country. At each width of
#: code the same origin is tried before any origin.
LEVELS: tuple[tuple[str, int, bool], ...] = (
    ("hs6_origin", 6, True),
    ("hs6", 6, False),
    ("hs4_origin", 4, True),
    ("hs4", 4, False),
    ("hs2_origin", 2, True),
    ("hs2", 2, False),
)
#: what a benchmark is of: value per kg of net (else gross) mass, or per supplementary unit
PER_KG, PER_UNIT = "kg", "unit"
#: scales a median absolute deviation to a standard deviation for normal data, so that a
#: deviation reads as a z-score
MAD_TO_SD = 1.4826
#: the smallest spread (MAD of natural-log unit values, about ±10 % in price) a deviation
#: is measured against: where every trader declares the same price, the MAD is 0 and a
#: 5 % discount would otherwise be an infinite deviation
MIN_LOG_MAD = 0.1
#: |deviation| at which ``item.undervalued`` / ``item.overvalued`` are set: three robust
#: standard deviations, beyond which an honest price is rare (with the MAD floor, at least
#: a 36 % drop below the median or a 56 % rise above it); a profile wanting another
#: cut-off tests ``item.unit_value_deviation`` itself
OUTLIER_DEVIATION = 3.0


@dataclass(frozen=True, slots=True)
class Benchmark:
    """The unit values of one group of goods items over the window: ``median`` of the
    values (for ``item.benchmark_ratio``) and the median and MAD of their natural logs
    (for the deviation; None in sets computed before they were recorded)."""

    median: float
    log_median: float | None = None
    log_mad: float | None = None
    items: int = 0


@dataclass(frozen=True, slots=True)
class Benchmarks:
    """One authority's benchmark set, keyed ``(per, code prefix, origin or None)``;
    ``set_id`` names the set (empty: none), so that stored rows know which set their
    benchmark facts came from."""

    set_id: str = ""
    table: Mapping[tuple[str, str, str | None], Benchmark] = field(default_factory=dict)

    def find(self, per: str, code: str | None, origin: str | None) -> tuple[str, Benchmark] | None:
        """The most specific benchmark that exists for the goods (``LEVELS``)."""
        if not code or not self.table:
            return None
        for level, digits, by_origin in LEVELS:
            if len(code) < digits or (by_origin and origin is None):
                continue
            found = self.table.get((per, code[:digits], origin if by_origin else None))
            if found is not None:
                return level, found
        return None


BENCHMARK_FIELDS = (
    "item.benchmark_level",
    "item.benchmark_ratio",
    "item.unit_value_deviation",
    "item.benchmark_level_per_unit",
    "item.benchmark_ratio_per_unit",
    "item.unit_value_deviation_per_unit",
    "item.undervalued",
    "item.overvalued",
)


def benchmark_facts(
    code: str | None,
    origin: str | None,
    per_kg: float | None,
    per_unit: float | None,
    benchmarks: Benchmarks,
) -> Row:
    """The item's unit values against its benchmarks: the level each came from, the
    ratio to the median and the robust deviation ``(ln v - median ln) / (1.4826 MAD)``,
    per kg and per supplementary unit, and the outlier flags. A flag is set when either
    measure is beyond ``OUTLIER_DEVIATION`` (both can be: a mass or a quantity out of line
    with the price), and a declared value of 0 against a benchmark is undervalued (its
    logarithm, and so its deviation, does not exist). The flags are missing when neither
    measure could be compared."""
    row: Row = {}
    under = over = None
    for per, value, suffix in ((PER_KG, per_kg, ""), (PER_UNIT, per_unit, "_per_unit")):
        found = benchmarks.find(per, code, origin) if value is not None else None
        level, benchmark = found if found is not None else (None, None)
        deviation = _deviation(value, benchmark)
        row[f"item.benchmark_level{suffix}"] = level
        median = benchmark.median if benchmark is not None else None
        row[f"item.benchmark_ratio{suffix}"] = _ratio(value, median)
        row[f"item.unit_value_deviation{suffix}"] = deviation
        if deviation is not None:
            under = bool(under) or deviation <= -OUTLIER_DEVIATION
            over = bool(over) or deviation >= OUTLIER_DEVIATION
        elif benchmark is not None and value == 0:
            under, over = True, bool(over)
    row["item.undervalued"] = under
    row["item.overvalued"] = over
    return row


def _deviation(value: float | None, benchmark: Benchmark | None) -> float | None:
    if value is None or value <= 0 or benchmark is None:
        return None
    if benchmark.log_median is None or benchmark.log_mad is None:
        return None
    spread = MAD_TO_SD * max(benchmark.log_mad, MIN_LOG_MAD)
    return (math.log(value) - benchmark.log_median) / spread


# ------------------------------------------------------------------------------ context


@dataclass(slots=True)
class Context:
    """What the assessing authority knows beyond the filing itself."""

    #: the authority's newest unit-value benchmark set, from stored history (RM-15)
    benchmarks: Benchmarks = field(default_factory=Benchmarks)
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
    *BENCHMARK_FIELDS,
    "item.procedure_code",
    "item.preference_code",
    "item.un_dangerous_goods_number",
)


def item_facts(item: GoodsItem, filing: AnyFiling, context: Context) -> Row:
    value = _value(item, filing)
    mass = item.net_mass if item.net_mass else item.gross_mass
    per_kg = _ratio(value, mass)
    per_unit = _ratio(value, item.supplementary_units)
    code = item.commodity_code
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
        "item.unit_value_per_unit": per_unit,
        **benchmark_facts(code, item.origin_country, per_kg, per_unit, context.benchmarks),
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
