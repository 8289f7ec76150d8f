"""French phone numbers: read as people write them, stored as ten digits, shown in pairs.

Accepted: `01 23 45 67 89`, `01.23.45.67.89`, `01-23-45-67-89`, `+33 1 23 45 67 89`, `+33 (0)1 23 45 67 89`,
`0033 1 23 45 67 89`, and the overseas departments' prefixes (`+262`, `+590`, `+594`, `+596`). Stored:
`0123456789` (the national form, the same for every way of writing it).
"""

import re

PHONE_HELP = "Dix chiffres, par exemple 01 23 45 67 89 ou +33 1 23 45 67 89."
PHONE_ERROR = "Saisissez un numéro de téléphone français à dix chiffres, par exemple 01 23 45 67 89."
_SEPARATORS = re.compile(r"[\s.\-/\u00a0\u202f]+")
_INTERNATIONAL = re.compile(r"(?:\+|00)(33|262|590|594|596)(?:\(0\))?([1-9][0-9]{8})")
_NATIONAL = re.compile(r"0[1-9][0-9]{8}")


def normalise_phone(text: str) -> str:
    """The stored form of `text` ("" for an empty text); raises `ValueError` (French message) if not French."""
    compact = _SEPARATORS.sub("", text or "")
    if not compact:
        return ""
    if _NATIONAL.fullmatch(compact):
        return compact
    match = _INTERNATIONAL.fullmatch(compact)
    if match:
        return "0" + match[2]
    raise ValueError(PHONE_ERROR)


def format_phone(stored: str) -> str:
    """`0123456789` as `01 23 45 67 89`; any other text as it is."""
    if not _NATIONAL.fullmatch(stored or ""):
        return stored or ""
    return " ".join(stored[index : index + 2] for index in range(0, 10, 2))
