"""Company identifiers. Pure functions, no ORM.

Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters from a 31-character alphabet
(digits and upper-case letters without I, O, Z, S, V):

    position 1       registration authority (1 编制, 5 民政, 9 市场监管/工商, Y other, …)
    position 2       organisation category under that authority
    positions 3-8    administrative division code (6 digits, GB/T 2260)
    positions 9-17   organisation code (GB 11714)
    position 18      check character

The check character is C18 = 31 - (sum of Ci * Wi, mod 31), with 31 written as 0, for the weights below.
"""

from __future__ import annotations

import unicodedata

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_AUTHORITIES = frozenset("123456789ANY")


class InvalidIdentifier(ValueError):
    """The identifier is malformed; the message says how, for showing next to the field."""


def normalize_uscc(raw: str) -> str:
    """Upper case, full-width characters folded to ASCII (common in Chinese documents), spaces and dashes out."""
    folded = unicodedata.normalize("NFKC", raw or "")
    return "".join(ch for ch in folded.upper() if ch not in " -\u3000\t")


def uscc_check_character(first17: str) -> str:
    """The 18th character for the first 17 (which must already be in the alphabet)."""
    total = sum(USCC_ALPHABET.index(ch) * weight for ch, weight in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(raw: str) -> str:
    """Return the normalised code, or raise InvalidIdentifier saying what is wrong with it."""
    code = normalize_uscc(raw)
    if len(code) != 18:
        raise InvalidIdentifier(f"A unified social credit code has 18 characters, not {len(code)}.")
    bad = sorted({ch for ch in code if ch not in USCC_ALPHABET})
    if bad:
        raise InvalidIdentifier(f"Characters not used in credit codes: {', '.join(bad)}.")
    if code[0] not in USCC_AUTHORITIES:
        raise InvalidIdentifier(f"{code[0]} is not a registration authority code.")
    if not code[2:8].isdigit():
        raise InvalidIdentifier("Characters 3 to 8 must be the 6-digit administrative division code.")
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise InvalidIdentifier("The check character does not match: the code has a typo.")
    return code
