"""Text normalisation used to match names typed by people against stored ones."""

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case, accent-free form of `text` (`Côtes-d’Armor` → `cotes-d’armor`)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def match_key(text: str) -> str:
    """Key comparing names case-, accent-, punctuation- and spacing-insensitively.

    `CS L'Abeille`, `cs l’abeille ` and `CS  L ABEILLE` share the key `cs l abeille`.
    """
    return _NON_ALNUM.sub(" ", fold(text)).strip()


def compact_key(text: str) -> str:
    """`match_key` without spaces: `Val-d'Oise`, `val d oise` and `Val dOise` all give `valdoise`."""
    return match_key(text).replace(" ", "")
