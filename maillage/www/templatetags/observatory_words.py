"""Template filters for the observatory's recurring names (`observatory.definitions.wording`)."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from maillage.observatory.definitions import wording

register = template.Library()


@register.filter
def campaign_label(data_year) -> str:
    """`{{ report.year|campaign_label }}` → « Enquête 2026 — données 2025 »."""
    return wording.campaign_label(data_year)


@register.filter
def campaign_phrase(data_year) -> str:
    """`{{ year|campaign_phrase }}` → « l'enquête 2026 — données 2025 », inside a sentence (built from a year
    read as a number: nothing to escape, and the apostrophe stays one)."""
    return mark_safe(wording.campaign_phrase(data_year))  # noqa: S308 - an int and fixed words


@register.filter
def figure_cell(cell: dict) -> str:
    """`{{ row.value|figure_cell }}`: a figure's text, or « s » marked as a statistical secret. A filter rather than
    an `{% include %}` per cell: a territory's page has about 800 cells, and the includes were most of its
    rendering (25 ms a page)."""
    if cell["secret"]:
        return mark_safe('<abbr title="secret statistique">s</abbr>')  # noqa: S308 - fixed markup
    return conditional_escape(cell["text"])
