"""What a reader sends in a URL: the one error for a bad parameter, and the one way to read a whole number.

`InvalidParameter` is a `BadRequest`: a view that lets it through answers 400 with the French error page
(`www.errors.bad_request`), JSON under `/api/`. Numbers are read from ASCII digits only: `str.isdigit()`
is also true of `²` or `٣`, which `int()` refuses or reads, and a number of twenty digits overflows page
offsets and database integers.
"""

import re

from django.core.exceptions import BadRequest

MAX_ID = 2**63 - 1  # the largest primary key (64-bit integer columns)
MAX_PAGE = 1_000_000
_DIGITS = re.compile(r"[0-9]+")


class InvalidParameter(ValueError, BadRequest):
    """A parameter a reader sent that cannot be answered; `message` is in French."""

    def __init__(self, parameter: str, message: str):
        super().__init__(f"{parameter} : {message}")
        self.parameter = parameter
        self.message = message


def whole_number(text: str, *, maximum: int) -> int | None:
    """`text` read as a number from 0 to `maximum` written with the digits 0 to 9, else None."""
    if not isinstance(text, str) or len(text.lstrip("0")) > len(str(maximum)) or not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= maximum else None


def positive_int(text: str, parameter: str, *, maximum: int, what: str = "un nombre entier") -> int:
    """`text` read as a number from 1 to `maximum`; raises `InvalidParameter` naming `parameter` otherwise.

    `what` names the expected value in the message (« un numéro de page », « une année »…).
    """
    value = whole_number(text, maximum=maximum)
    if value:
        return value
    shown = text[:50]
    if not text:
        raise InvalidParameter(parameter, f"paramètre vide ; indiquez {what}.")
    if _DIGITS.fullmatch(text) and text.lstrip("0"):  # digits, not zero: beyond `maximum`
        raise InvalidParameter(parameter, f"« {shown} » est trop grand pour {what} ({maximum} au plus).")
    if what == "un nombre entier":
        raise InvalidParameter(
            parameter, f"« {shown} » n'est pas un nombre entier supérieur ou égal à 1 (chiffres 0 à 9)."
        )
    raise InvalidParameter(parameter, f"« {shown} » n'est pas {what} (nombre entier à partir de 1, chiffres 0 à 9).")
