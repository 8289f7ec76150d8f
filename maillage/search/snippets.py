"""Highlighted extracts of the sheets a search found, built in Python from the stored text.

The embedded index keeps no copy of the text, so FTS5's `snippet()` cannot serve; one code path for
both backends also keeps the extracts alike. A word is highlighted when it is a query word or shares
its search key (`ateliers` for `atelier`, `vélos` for `vélo`: `analysis.search_keys`), accents and case
aside. The text is escaped before the `<mark>` tags are added.
"""

import functools
import re
from html import escape  # Django's escape is this one, behind a wrapper for lazy strings that costs more

from django.utils.safestring import SafeString, mark_safe

from maillage.actions.models import Action

from .analysis import fold, search_keys
from .query import ParsedQuery

# Fields an extract is taken from, most telling first.
SNIPPET_FIELDS = (
    "summary",
    "experience",
    "general_description",
    "result_inhabitants",
    "result_territory",
    "result_centre",
    "perspectives",
    "limits",
)
WINDOW = 30
_WORD = re.compile(r"[^\W_]+")


@functools.lru_cache(maxsize=100_000)
def word_key(folded: str) -> str:
    """The search key of a folded word, kept per process: an extract tests every word of a text, and stemming
    them one by one took about half of an API search (a few thousand words: 0.1–0.2 s on a loaded machine)."""
    return search_keys([folded])[0]


class Highlighter:
    def __init__(self, parsed: ParsedQuery):
        self.words = set(parsed.words)
        self.keys = set(search_keys(sorted(self.words)))
        self.known: dict[str, bool] = {}  # each word as written: a page's texts say « de », « la »… again and again

    def matches(self, word: str) -> bool:
        known = self.known.get(word)
        if known is None:
            folded = fold(word)
            known = self.known[word] = folded in self.words or word_key(folded) in self.keys
        return known

    def extract(self, text: str, window: int = WINDOW) -> SafeString | None:
        """About `window` words of `text` around its first highlighted word; None if none is."""
        words = list(_WORD.finditer(text))
        hit = next((position for position, found in enumerate(words) if self.matches(found.group())), None)
        if hit is None:
            return None
        first = max(0, hit - window // 3)
        last = min(len(words), first + window)
        start = words[first].start() if first else 0
        end = words[last - 1].end() if last < len(words) else len(text)
        pieces = ["… " if start else ""]
        cursor = start
        for found in words[first:last]:
            if self.matches(found.group()):
                pieces += [escape(text[cursor : found.start()]), "<mark>", escape(found.group()), "</mark>"]
                cursor = found.end()
        pieces.append(escape(text[cursor:end]))
        pieces.append(" …" if end < len(text) else "")
        return mark_safe("".join(pieces).replace("\r\n", " ").replace("\n", " "))  # noqa: S308 - escaped above


def snippets(ids: list[int], parsed: ParsedQuery) -> dict[int, SafeString]:
    """An extract for each sheet of `ids` whose text holds a query word (one query)."""
    if not parsed or not ids:
        return {}
    highlighter = Highlighter(parsed)
    found = {}
    for pk, *texts in Action.objects.filter(pk__in=ids).values_list("pk", *SNIPPET_FIELDS):
        for text in texts:
            extract = highlighter.extract(text) if text else None
            if extract:
                found[pk] = extract
                break
    return found
