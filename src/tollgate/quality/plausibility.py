"""Credible ranges for the DQ-5 plausibility checks: value per kg, mass per package and
mass per supplementary unit.

The ranges are deliberately wide. A DQ-5 finding says "a risk analyst would not believe
this number", not "this is unusual": a range that flags honest filings teaches filers to
ignore findings and drowns the scorecards (DQ-7) in noise. The table is data, kept apart
from the checks, so that risk analysts can tune it without touching the check logic; the
defaults below are starting values from public unit-value statistics, rounded outward.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

#: (lowest, highest) credible value in EUR per kg for goods without a narrower chapter
#: range. Below a cent per kg is not a trade price; above EUR 50 000 per kg is the realm
#: of the chapters that have their own entry (precious stones, watches, medicines, art).
DEFAULT_VALUE_PER_KG: tuple[float, float] = (0.01, 50_000.0)

#: Value per kg by HS chapter (first two digits of the commodity code), EUR per kg.
#: Bulk chapters get a narrow band, because under- and over-valuation of bulk goods is
#: a classic revenue and trade-based money-laundering pattern; precious and luxury
#: chapters a wide one, because a gram can legitimately be worth thousands.
VALUE_PER_KG_BY_CHAPTER: Mapping[str, tuple[float, float]] = MappingProxyType(
    {
        "10": (0.03, 50.0),  # cereals (seed grain for sowing is the dear end)
        "25": (0.005, 500.0),  # salt, sulphur, earths, stone, plaster, lime, cement
        "26": (0.005, 5_000.0),  # ores, slag and ash (precious-metal concentrates are dear)
        "27": (0.01, 200.0),  # mineral fuels and oils, bitumen, waxes
        "30": (0.1, 10_000_000.0),  # pharmaceutical products (biologics cost a fortune per kg)
        "71": (0.05, 100_000_000.0),  # pearls, precious stones and metals, imitation jewellery
        "72": (0.05, 500.0),  # iron and steel, ferro-alloys
        "91": (0.5, 10_000_000.0),  # clocks and watches
        "97": (0.01, 1_000_000_000.0),  # works of art, collectors' pieces, antiques
    }
)

#: Gross mass per package in kg. A gram is the lightest credible parcel (a letter with a
#: memory card); 40 t is a full 40' container counted as one package.
MASS_PER_PACKAGE: tuple[float, float] = (0.001, 40_000.0)

_PIECES = (0.000_001, 1_000_000.0)  # a microchip to a small ship, per piece
#: Net mass in kg per supplementary unit, keyed by the normalised unit code (upper case,
#: no spaces). CN codes as in the reference data (``PST``, ``L``, ``M2``) and the usual
#: printed abbreviations (``P/ST``, ``NAR``, ``M²``) both map here. Units measured in kg
#: of a component (``KG_N``, ``KG_P2O5``, ...) need net mass >= component mass.
MASS_PER_SUPPLEMENTARY_UNIT: Mapping[str, tuple[float, float]] = MappingProxyType(
    {
        "PST": _PIECES,
        "P/ST": _PIECES,
        "NAR": _PIECES,
        "PCE": _PIECES,
        "PCS": _PIECES,
        "100_PST": (0.000_1, 100_000_000.0),
        "1000_PST": (0.001, 1_000_000_000.0),
        "1000P/ST": (0.001, 1_000_000_000.0),
        "PA": (0.000_1, 1_000.0),  # pairs (shoes, gloves, socks)
        "NPR": (0.000_1, 1_000.0),
        "L": (0.05, 25.0),  # litres: from light foams to mercury
        "L_ALC_100PCT": (0.1, 1_000.0),  # litres of pure alcohol: strong spirits to 0.5 % beer
        "LALC.100%": (0.1, 1_000.0),
        "M": (0.000_01, 10_000.0),  # metres: thread to heavy rail
        "M2": (0.000_1, 1_000.0),  # square metres: tissue paper to steel plate
        "M²": (0.000_1, 1_000.0),
        "M3": (0.5, 25_000.0),  # cubic metres: balsa wood to solid metal
        "M³": (0.5, 25_000.0),
        "G": (0.000_95, 10.0),  # grams of fine precious metal: net mass cannot be less
        "CK": (0.000_19, 0.01),  # carats (0.2 g) of stones
        "C/K": (0.000_19, 0.01),
        "KG_N": (0.95, 100_000.0),
        "KG_P2O5": (0.95, 100_000.0),
        "KG_K2O": (0.95, 100_000.0),
        "KG_NAOH": (0.95, 100_000.0),
        "KG_KOH": (0.95, 100_000.0),
        "KG_H2O2": (0.95, 100_000.0),
        "KG_U": (0.95, 100_000.0),
        "KG_MET_AM": (0.95, 100_000.0),
        "KG_90PCT_SDT": (0.5, 100_000.0),
        "KG_NET_EDA": (0.95, 100.0),
    }
)


def value_per_kg_range(commodity_code: str | None) -> tuple[float, float]:
    """The credible EUR-per-kg range for a commodity code (DQ-5); the default without one."""
    if commodity_code is None:
        return DEFAULT_VALUE_PER_KG
    return VALUE_PER_KG_BY_CHAPTER.get(commodity_code[:2], DEFAULT_VALUE_PER_KG)


def mass_per_unit_range(unit_code: str | None) -> tuple[float, float] | None:
    """The credible kg-per-unit range for a supplementary unit, or None when it is unknown.

    An unknown unit yields no range rather than a guess, so that DQ-5 stays silent instead
    of flagging a unit it does not understand.
    """
    if unit_code is None:
        return None
    return MASS_PER_SUPPLEMENTARY_UNIT.get(unit_code.upper().replace(" ", ""))
