"""The query syntax people know from web search engines, parsed once for both backends.

- several words: all of them (`atelier vélo`);
- `"an exact phrase"`;
- `-word` or `-"a phrase"`: without it;
- `OR` between two words or phrases: either (`vélo OR mobilité`).

Words are folded (case, accents) as the index folds them; French stop words are left out of plain
words (on both backends alike), kept inside phrases. A query that cannot be
understood raises `InvalidParameter` with a French message, never a database error.
"""

import re
from dataclasses import dataclass

from .analysis import tokens
from .params import MAX_QUERY_LENGTH, InvalidParameter
from .stopwords import STOP_WORDS

# A phrase in double quotes (straight or French « » and curly ones), or a run of non-space characters.
_PIECE = re.compile(r'(-?)(?:["“”«»]([^"“”«»]*)["“”«»]|([^\s"“”«»]+))')
_QUOTES = re.compile(r'["“”«»]')


@dataclass(frozen=True)
class Term:
    """A folded word, or a phrase (its folded words, adjacent and in order)."""

    words: tuple[str, ...]
    phrase: bool = False

    @property
    def text(self) -> str:
        joined = " ".join(self.words)
        return f'"{joined}"' if self.phrase else joined


@dataclass(frozen=True)
class ParsedQuery:
    """Groups that must all match (each group: terms of which one must match), and excluded terms."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.groups)

    @property
    def words(self) -> list[str]:
        """Every folded word the reader looks for (to highlight them), excluded ones left out."""
        return [word for group in self.groups for term in group for word in term.words]


def parse_query(text: str) -> ParsedQuery:
    """Parse what a reader typed; an empty query gives an empty (falsy) `ParsedQuery`."""
    text = text.strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidParameter("q", f"la recherche est trop longue (au plus {MAX_QUERY_LENGTH} caractères).")
    if not text:
        return ParsedQuery(groups=())
    if len(_QUOTES.findall(text)) % 2:
        raise InvalidParameter("q", "un guillemet ouvert n'est pas refermé.")
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    pending_or = False
    for match in _PIECE.finditer(text):
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        if phrase is None and word == "OR":
            if not groups or pending_or:
                raise InvalidParameter("q", "« OR » doit relier deux mots ou deux expressions.")
            pending_or = True
            continue
        terms = _terms(phrase, word)
        if not terms:
            continue
        if negated:
            if pending_or:
                raise InvalidParameter("q", "« OR » ne peut pas relier un mot exclu.")
            excluded.extend(terms)
        elif pending_or:
            groups[-1].extend(terms[:1])
            groups.extend([term] for term in terms[1:])
        else:
            groups.extend([term] for term in terms)
        pending_or = False
    if pending_or:
        raise InvalidParameter("q", "« OR » doit relier deux mots ou deux expressions.")
    if not groups:
        if excluded:
            raise InvalidParameter("q", "ajoutez au moins un mot à chercher en plus des mots exclus.")
        raise InvalidParameter("q", "la recherche ne contient aucun mot à chercher.")
    return ParsedQuery(groups=_without_stop_words(groups), excluded=tuple(excluded))


def _without_stop_words(groups: list[list[Term]]) -> tuple[tuple[Term, ...], ...]:
    """Groups without the stop words ("de", "la"), unless the query has nothing else ("le", "à")."""
    kept = [[term for term in group if term.phrase or term.words[0] not in STOP_WORDS] for group in groups]
    kept = [group for group in kept if group]
    return tuple(tuple(group) for group in (kept or groups))


def _terms(phrase: str | None, word: str | None) -> list[Term]:
    if phrase is not None:
        words = tuple(tokens(phrase))
        if len(words) > 1:
            return [Term(words, phrase=True)]
        return [Term(words)] if words else []
    return [Term((item,)) for item in tokens(word or "")]
