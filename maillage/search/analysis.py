"""French word analysis, the same for both backends (ADR 003).

Both indexes hold the folded words of the sheets (lower case, no accents), split at every character that
is not a letter or a digit: FTS5 folds them itself (`unicode61 remove_diacritics 2`), in C, which keeps bulk
imports fast; PostgreSQL through `unaccent` and `simple`. Stemming happens at query time, in Python: a query
word stands for every indexed word (from the index's vocabulary) with the same search key, so `atelier`
finds `ateliers`, `vélo` finds `vélos`.

A word's search key (`search_keys`) is its French Snowball stem (PyStemmer), then `singular`: the stemmer
leaves alone the plural of a word ending in a vowel (`vélos`, `radios`, `ados`, `jeux`), so its final s (or
x after a u) is dropped. Words are first spelt as PostgreSQL's `unaccent` spells them (`œuvre` → `oeuvre`);
words with a digit are not stemmed.
"""

import re
import unicodedata

import Stemmer

# FTS5's unicode61 tokenizer: letters and digits make words; everything else separates them.
_TOKEN = re.compile(r"[^\W_]+")
_stemmer = Stemmer.Stemmer("french")
VOWELS = frozenset("aeiouy")
# What PostgreSQL's `unaccent` makes of the letters that Unicode does not decompose (and FTS5 keeps): `œ`, `æ`,
# `ø`, `ł`… (from its `unaccent.rules`, lower case; `ς` is FTS5's).
UNACCENT = str.maketrans(
    {
        "ß": "ss", "æ": "ae", "ð": "d", "ø": "o", "þ": "th", "đ": "d", "ħ": "h", "ı": "i", "ĸ": "q", "ł": "l",
        "ŋ": "n", "œ": "oe", "ŧ": "t", "ƀ": "b", "ƃ": "b", "ƈ": "c", "ƌ": "d", "ƒ": "f", "ƕ": "hv", "ƙ": "k",
        "ƚ": "l", "ƞ": "n", "ƣ": "oi", "ƥ": "p", "ƫ": "t", "ƭ": "t", "ƴ": "y", "ƶ": "z", "ǥ": "g", "ȡ": "d",
        "ȥ": "z", "ȴ": "l", "ȵ": "n", "ȶ": "t", "ȷ": "j", "ȸ": "db", "ȹ": "qp", "ȼ": "c", "ȿ": "s", "ɀ": "z",
        "ɇ": "e", "ɉ": "j", "ɍ": "r", "ɏ": "y", "ɓ": "b", "ɖ": "d", "ɗ": "d", "ɛ": "e", "ɠ": "g", "ɨ": "i",
        "ɩ": "i", "ɲ": "n", "ʀ": "r", "ʈ": "t", "ʉ": "u", "ʋ": "v", "ẜ": "s", "ẝ": "s", "ỻ": "ll", "ỽ": "v",
        "ỿ": "y", "ⱥ": "a", "ⱦ": "t", "ς": "σ", "·": "", "ʾ": "", "ʼ": "'",
    }
)  # fmt: skip


def fold(word: str) -> str:
    """What `unicode61 remove_diacritics 2` makes of a word: lower case, no accents."""
    lowered = word.lower()
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    """The folded words of `text`, as the index sees them."""
    return [fold(word) for word in _TOKEN.findall(text)]


def stems(words: list[str]) -> list[str]:
    """Stems of folded words (the stemmer is fed accent-free words)."""
    return _stemmer.stemWords(words)


def unaccented(word: str) -> str:
    """A word folded as every backend's index may hold it, spelt alike: FTS5 keeps `œuvre`, PostgreSQL's
    `unaccent` gives `oeuvre`; both give `oeuvre` here."""
    folded = fold(word)
    return folded if folded.isascii() else folded.translate(UNACCENT)


def singular(stem: str) -> str:
    """A stem without the plural mark the stemmer keeps after a vowel: `velos` → `velo`, `jeux` → `jeu`.

    Also drops the s of a few singular words (`plus` → `plu`, `mois` → `moi`): harmless, since the index's
    words and the query's go through the same function. Idempotent: what it gives ends with a vowel.
    """
    if len(stem) >= 3 and ((stem[-1] == "s" and stem[-2] in VOWELS) or (stem[-1] == "x" and stem[-2] == "u")):
        return stem[:-1]
    return stem


def search_keys(words: list[str]) -> list[str]:
    """The search key of each folded word: two words match when their keys are equal."""
    plain = [unaccented(word) for word in words]
    stemmed = iter(stems([word for word in plain if not _has_digit(word)]))
    return [singular(word if _has_digit(word) else next(stemmed)) for word in plain]


def _has_digit(word: str) -> bool:
    return any(ch.isdigit() for ch in word)
