"""What the action list page shows of a search: chips, facets, pages, links — URLs built once here."""

import functools
from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from maillage.exchange.action_json import action_path, listed_records
from maillage.search.engine import ActionResults
from maillage.search.params import FACET_LABELS, ActionFilters
from maillage.search.snippets import snippets

PAGE_WINDOW = 2


@dataclass(frozen=True)
class Chip:
    facet: str
    label: str
    remove_url: str


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: a gap ("…")
    url: str = ""
    current: bool = False


def list_url(filters: ActionFilters, page: int = 1, **extra) -> str:
    pairs = filters.query_pairs()
    if page > 1:
        pairs.append(("page", str(page)))
    pairs += list(extra.items())
    query = urlencode(pairs)
    return _list_path(get_script_prefix(), get_urlconf()) + (f"?{query}" if query else "")


@functools.lru_cache(maxsize=8)
def _list_path(script_prefix: str, urlconf) -> str:
    """The list page's path: reversed once, not for each of a page's dozen links (chips, pages, sorts)."""
    return reverse("www:action-list")


def chips(results: ActionResults) -> list[Chip]:
    filters = results.filters
    found = []
    if filters.query:
        found.append(Chip("Recherche", f"« {filters.query} »", list_url(filters.without("q", ""))))
    for name, values in filters.selected.items():
        labels = {option.value: option.label for option in results.facets[name]}
        for value in values:
            found.append(Chip(FACET_LABELS[name], labels.get(value, value), list_url(filters.without(name, value))))
    return found


def facet_options_html(name: str, options) -> SafeString:
    """The checkboxes of one facet's options, as the template wrote them (`action_list.html`).

    Written here rather than with template tags: a page shows 150 to 200 options, and their eight template
    variables each (lookups, escaping, localized numbers) were a third of the CPU of a search page.
    Counts are plain integers, as the template showed them (no thousands separator); values and labels are
    stored text, escaped as the template does (`html.escape`, without Django's wrapper for lazy strings).
    """
    name = escape(name)
    return mark_safe(
        "".join(
            _FACET_OPTION.format(
                name=name,
                number=number,
                value=escape(option.value),
                checked=" checked" if option.selected else "",
                label=escape(option.label),
                count=int(option.count),
            )
            for number, option in enumerate(options, 1)
        )
    )


_FACET_OPTION = (  # the lines and indentation of the template's loop, so that the page did not change
    '\n              <li class="form-check">\n'
    '                <input class="form-check-input" type="checkbox" name="{name}" value="{value}"'
    ' id="f-{name}-{number}"{checked}>\n                <label class="form-check-label" for="f-{name}-{number}">{label}'
    ' <span class="facet-count">({count}<span class="visually-hidden"> fiches</span>)</span></label>\n'
    "              </li>\n              "
)


def page_links(results: ActionResults) -> list[PageLink]:
    """Numbered pages: the first, the last, and a few around the current one."""
    last = results.page_count
    shown = {1, last, *range(results.page - PAGE_WINDOW, results.page + PAGE_WINDOW + 1)}
    links: list[PageLink] = []
    for number in sorted(n for n in shown if 1 <= n <= last):
        if links and links[-1].number is not None and number > links[-1].number + 1:
            links.append(PageLink(None))
        links.append(PageLink(number, list_url(results.filters, number), number == results.page))
    return links


def result_items(results: ActionResults) -> list[dict]:
    """The sheets of the page, as records with their link and, when searching, a highlighted extract."""
    items = with_paths(listed_records(results.ids))
    extracts = snippets(results.ids, results.parsed)
    for item in items:
        item["snippet"] = extracts.get(item["id"])
    return items


def result_items_html(items: list[dict]) -> SafeString:
    """The sheets of the page as the template wrote them (`action_list.html`): twenty sheets with eight
    conditions and ten variables each were, after the facets, the largest part of the page's rendering."""
    return mark_safe("".join(_RESULT_ITEM.format(**_result_item_parts(item)) for item in items))  # noqa: S308


def _result_item_parts(item: dict) -> dict[str, str]:
    structure = item["structure"]
    if structure:
        meta = escape(str(structure["name"]))
        if structure["department"]:
            meta += f" — {escape(str(structure['department']))}"
    else:
        meta = "Sans structure rattachée"
    if item["year"]:
        meta += f" · {item['year']}"
    if item["status"]:
        meta += f" · {escape(str(item['status']))}"
    if item["snippet"]:
        extract = f'<p class="result-snippet mb-1">{item["snippet"]}</p>'  # escaped and marked by `snippets`
    elif item["summary"]:
        extract = f'<p class="result-snippet mb-1">{escape(Truncator(item["summary"]).words(40, truncate=" …"))}</p>'
    else:
        extract = ""
    keywords = ""
    if item["keywords"]:
        keywords = (
            '<p class="result-keywords mb-0"><span class="visually-hidden">Mots clés : </span>'
            f"{' · '.join(escape(str(keyword)) for keyword in item['keywords'])}</p>"
        )
    return {
        "path": escape(item["path"]),
        "title": escape(str(item["title"] or "Fiche sans titre")),
        "meta": meta,
        "extract": extract,
        "keywords": keywords,
    }


_RESULT_ITEM = (  # the lines and indentation of the template's loop, so that the page did not change
    '\n        <li class="result">\n'
    '          <h3 class="h5 mb-1"><a href="{path}">{title}</a></h3>\n'
    '          <p class="result-meta mb-1">{meta}</p>\n'
    "          {extract}\n"
    "          {keywords}\n"
    "        </li>\n        "
)


def with_paths(items: list[dict]) -> list[dict]:
    """Add the site-relative link of each sheet (`url` is the absolute one, for the API and exports)."""
    for item in items:
        item["path"] = action_path(item["id"], item["title"])
    return items


def export_links(filters: ActionFilters) -> list[tuple[str, str, str]]:
    query = urlencode(filters.query_pairs())
    suffix = f"?{query}" if query else ""
    return [
        (label, reverse("www:action-export", kwargs={"fmt": fmt}) + suffix, help_text)
        for fmt, label, help_text in (
            ("csv", "CSV", "tableur, séparateur point-virgule"),
            ("xlsx", "Excel", "XLSX"),
            ("json", "JSON", "format ouvert"),
        )
    ]
