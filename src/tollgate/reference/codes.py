"""ISO countries and currencies, EU transport-mode codes (DM-7, DM-9).

Countries and currencies come from ``pycountry``; customs adds a few codes that ISO 3166
does not assign but EU declarations use (``XI`` Northern Ireland, ``XK`` Kosovo, ``XS``
Serbia in older lists, ``EU`` for EORI-like EU-level identifiers is *not* accepted).
"""

from __future__ import annotations

from enum import IntEnum
from functools import lru_cache

import pycountry

#: Country codes outside ISO 3166-1 that EU customs data element 'country' accepts.
CUSTOMS_EXTRA_COUNTRIES = frozenset({"XI", "XK", "XC", "XL", "XS"})

#: EU Member States (for ownership of filings and EU-level coordinators' scope).
EU_MEMBER_STATES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)


class TransportMode(IntEnum):
    """EU codes for the mode of transport at the border (DM-7)."""

    SEA = 1
    RAIL = 2
    ROAD = 3
    AIR = 4
    POST = 5
    FIXED_INSTALLATION = 7
    INLAND_WATERWAY = 8
    OWN_PROPULSION = 9


@lru_cache(maxsize=1)
def countries() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries) | CUSTOMS_EXTRA_COUNTRIES


@lru_cache(maxsize=1)
def currencies() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies)


def is_country(code: str) -> bool:
    return code in countries()


def is_currency(code: str) -> bool:
    return code in currencies()
