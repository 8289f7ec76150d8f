"""Text normalisation used to match names typed by people against stored ones."""

import re
import unicodedata

_SEPARATORS = re.compile(r"[\W_]+")
# Combining diacritical marks left by NFKD decomposition (é → e + ◌́).
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})


def fold(text: str) -> str:
    """Lower-case, accent-free form of `text` (`Côtes-d’Armor` → `cotes-d’armor`, `Œuvre` → `oeuvre`)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return _COMBINING.sub("", decomposed).casefold().translate(_LIGATURES)


def match_key(text: str) -> str:
    """Key comparing names case-, accent-, punctuation- and spacing-insensitively.

    `CS L'Abeille`, `cs l’abeille ` and `CS  L ABEILLE` share the key `cs l abeille`.
    """
    return _SEPARATORS.sub(" ", fold(text)).strip()


def compact_key(text: str) -> str:
    """`match_key` without spaces: `Val-d'Oise`, `val d oise` and `Val dOise` all give `valdoise`."""
    return match_key(text).replace(" ", "")
