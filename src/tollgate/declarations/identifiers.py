"""Identifier syntaxes that a declaration is rejected for getting wrong (DM-5, DM-7).

EORI numbers and container numbers are keys that link filings into consignments and match
them against alerts; a malformed one would silently break that link, so intake refuses it
instead of storing it with a quality finding.
"""

from __future__ import annotations

import re

from tollgate.reference.codes import is_country

_EORI = re.compile(r"^([A-Z]{2})([A-Z0-9]{1,15})$")
_CONTAINER = re.compile(r"^([A-Z]{3})([UJZ])(\d{6})(\d)$")
_LOCODE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")
_OFFICE = re.compile(r"^[A-Z]{2}[A-Z0-9]{6}$")


def eori_problem(value: str) -> str | None:
    """Why ``value`` is not a syntactically valid EORI, or None when it is.

    DM-5: an ISO country code followed by up to 15 alphanumeric characters, 17 at most.
    """
    m = _EORI.match(value)
    if m is None:
        return "EORI must be a 2-letter country code followed by 1 to 15 letters or digits"
    if not is_country(m.group(1)):
        return f"EORI country prefix {m.group(1)!r} is not an ISO 3166 country code"
    return None


def _letter_value(ch: str) -> int:
    """ISO 6346 letter values: A=10 upward, skipping multiples of 11."""
    value = 10
    for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if value % 11 == 0:
            value += 1
        if c == ch:
            return value
        value += 1
    raise ValueError(ch)


_LETTER_VALUES = {c: _letter_value(c) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def container_check_digit(first_ten: str) -> int:
    """The ISO 6346 check digit of owner code, category and serial number."""
    total = 0
    for i, ch in enumerate(first_ten):
        v = _LETTER_VALUES[ch] if ch.isalpha() else int(ch)
        total += v << i
    return total % 11 % 10


def container_problem(value: str) -> str | None:
    """Why ``value`` is not a valid ISO 6346 container number, or None when it is."""
    m = _CONTAINER.match(value)
    if m is None:
        return (
            "container number must be 3 owner letters, a category letter (U, J or Z), "
            "6 digits and a check digit"
        )
    expected = container_check_digit(value[:10])
    if int(value[10]) != expected:
        return f"container check digit is {value[10]}, ISO 6346 gives {expected}"
    return None


def locode_problem(value: str) -> str | None:
    if _LOCODE.match(value) is None:
        return "UN/LOCODE must be a 2-letter country code and 3 letters or digits 2-9"
    if not is_country(value[:2]):
        return f"UN/LOCODE country {value[:2]!r} is not an ISO 3166 country code"
    return None


def office_problem(value: str) -> str | None:
    """Customs office reference numbers: country code + 6 characters (e.g. ``NL000396``)."""
    if _OFFICE.match(value) is None:
        return "customs office reference must be a 2-letter country code and 6 letters or digits"
    if not is_country(value[:2]):
        return f"customs office country {value[:2]!r} is not an ISO 3166 country code"
    return None
