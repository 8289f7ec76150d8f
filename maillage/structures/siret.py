"""SIRET numbers: 14 digits whose Luhn checksum is valid (La Poste's establishments excepted)."""

import re

_SPACES = re.compile(r"[\s.\u00a0\u202f]+")
# La Poste's establishments share the SIREN 356 000 000 and use a digit-sum rule instead of Luhn.
LA_POSTE_SIREN = "356000000"
_FOURTEEN_DIGITS = re.compile(r"[0-9]{14}")


def normalize_siret(raw: str) -> str:
    """The digits of a SIRET typed with spaces or dots; other characters are kept so they can be flagged."""
    return _SPACES.sub("", raw or "")


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def is_valid_siret(siret: str) -> bool:
    if not _FOURTEEN_DIGITS.fullmatch(siret):  # not `isdigit()`: `²` is a digit to it, not to `int()`
        return False
    if siret.startswith(LA_POSTE_SIREN):
        return sum(int(c) for c in siret) % 5 == 0
    return luhn_ok(siret)
