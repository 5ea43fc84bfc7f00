"""GB 32100-2015 unified social credit codes: published codes, malformed ones, and the checksum's promise
that any single mistyped character is caught."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suppliers.identifiers import (
    USCC_ALPHABET,
    InvalidIdentifier,
    normalize_uscc,
    uscc_check_character,
    validate_uscc,
)

# The same code in full-width characters (U+FF10 onwards), as Chinese documents often carry it.
FULL_WIDTH = "".join(chr(ord(ch) + 0xFEE0) for ch in "9144030071526726XG")

# Codes printed on published business licences.
PUBLISHED = [
    "91350100M000100Y43",
    "911100001000079554",
    "91440300708461136T",
    "91110108551385082Q",
    "9144030071526726XG",
]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code: str) -> None:
    assert validate_uscc(code) == code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("9144 0300 7152 6726 XG", "9144030071526726XG"),
        ("9144-0300-7152-6726-xg", "9144030071526726XG"),
        (FULL_WIDTH, "9144030071526726XG"),  # as pasted from Chinese documents
    ],
)
def test_codes_are_normalised_before_checking(raw: str, expected: str) -> None:
    assert normalize_uscc(raw) == expected
    assert validate_uscc(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("9144030071526726X", "18 characters, not 17"),
        ("9144030071526726XGG", "18 characters, not 19"),
        ("914403007152672IXG", "Characters not used in credit codes: I"),
        ("91440300715267O6XG", "Characters not used in credit codes: O"),
        ("B144030071526726XG", "B is not a registration authority code"),
        ("91A4030071526726XG", "administrative division"),
        ("9144030071526726XH", "check character"),
        ("", "18 characters, not 0"),
    ],
)
def test_malformed_codes_say_what_is_wrong(raw: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier, match=reason):
        validate_uscc(raw)


_BODY = st.tuples(
    st.sampled_from("123456789ANY"),
    st.sampled_from(USCC_ALPHABET),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
).map("".join)


@given(_BODY)
def test_the_computed_check_character_validates(first17: str) -> None:
    code = first17 + uscc_check_character(first17)
    assert validate_uscc(code) == code


@given(_BODY, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=30))
def test_any_single_substitution_is_caught(first17: str, position: int, shift: int) -> None:
    """31 is prime and every weight is below it, so changing one character always changes the sum mod 31."""
    check = uscc_check_character(first17)
    wrong = USCC_ALPHABET[(USCC_ALPHABET.index(first17[position]) + shift) % 31]
    typo = first17[:position] + wrong + first17[position + 1 :]
    assert uscc_check_character(typo) != check
