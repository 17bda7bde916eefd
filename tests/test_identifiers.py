"""DM-5 / DM-7 identifier syntax: EORI, ISO 6346 container numbers, UN/LOCODE, offices."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tollgate.declarations.identifiers import (
    container_check_digit,
    container_problem,
    eori_problem,
    locode_problem,
    office_problem,
)


@pytest.mark.parametrize("eori", ["NL123456789", "DE1234567890123", "XI123456789012345", "FRA1"])
def test_dm_5_valid_eori(eori: str) -> None:
    assert eori_problem(eori) is None


@pytest.mark.parametrize(
    ("eori", "why"),
    [
        ("NL", "followed by 1 to 15"),
        ("NL1234567890123456", "followed by 1 to 15"),  # 18 characters
        ("QQ123", "not an ISO 3166"),
        ("nl123", "2-letter country code"),
        ("NL 123", "2-letter country code"),
    ],
)
def test_dm_5_invalid_eori_says_why(eori: str, why: str) -> None:
    problem = eori_problem(eori)
    assert problem is not None and why in problem


def test_dm_7_iso_6346_worked_example_passes() -> None:
    # CSQU3054383 is the ISO 6346 standard's own worked example
    assert container_check_digit("CSQU305438") == 3
    assert container_problem("CSQU3054383") is None


def test_dm_7_wrong_check_digit_names_the_right_one() -> None:
    problem = container_problem("CSQU3054384")
    assert problem == "container check digit is 4, ISO 6346 gives 3"


@given(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3),
    st.integers(min_value=0, max_value=999_999),
)
def test_dm_7_every_computed_check_digit_validates(owner: str, serial: int) -> None:
    body = f"{owner}U{serial:06d}"
    assert container_problem(body + str(container_check_digit(body))) is None
    wrong = (container_check_digit(body) + 1) % 10
    assert container_problem(body + str(wrong)) is not None


def test_dm_7_locode_and_office_syntax() -> None:
    assert locode_problem("NLRTM") is None
    assert locode_problem("NLRT1") is not None  # digits 0 and 1 are not used in UN/LOCODE
    assert locode_problem("QQRTM") is not None
    assert office_problem("NL000396") is None
    assert office_problem("NL0396") is not None
