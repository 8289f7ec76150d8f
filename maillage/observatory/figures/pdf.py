"""The report of a territory as a PDF "plaquette" (WeasyPrint), from the same template body and SVG charts as the
web page.

Generated on demand and cached per (territory, year, time the aggregates were computed): a second download costs a
cache read. WeasyPrint needs Pango and HarfBuzz on the machine (Debian: libpango-1.0-0 libpangoft2-1.0-0
libharfbuzz-subset0) and a font with French glyphs (fonts-dejavu-core); it is imported lazily so that the rest of
the site runs without them.
"""

from __future__ import annotations

from django.core.cache import cache
from django.template.loader import render_to_string

from maillage.observatory.figures.editorial import editorial_version
from maillage.observatory.figures.reports import CACHE_SECONDS, Report

TEMPLATE = "observatory/plaquette.html"
# Changed with the plaquette's layout: plaquettes cached or prebuilt with an older layout are then built again.
LAYOUT = "4-pages-1"


def cache_key(report: Report) -> str:
    place = report.territory
    version = report.computed_at.isoformat() if report.computed_at else "-"
    editorial = editorial_version(place.scope, place.code)
    return f"observatory:pdf:{LAYOUT}:{place.scope}:{place.code}:{report.year}:{version}:{editorial}"


def render_pdf(html: str, base_url: str | None = None) -> bytes:
    from weasyprint import HTML

    # PDF/UA-1: tagged (structure tree, reading order), language and title in the metadata, alt text of figures.
    return HTML(string=html, base_url=base_url).write_pdf(pdf_variant="pdf/ua-1")


def report_pdf(report: Report, context: dict, *, base_url: str | None = None, use_cache: bool = True) -> bytes:
    """The PDF bytes of a report (``context``: the template context of the report page, ``for_pdf`` set)."""
    key = cache_key(report)
    if use_cache:
        cached = cache.get(key)
        if cached is not None:
            return cached
    data = render_pdf(render_to_string(TEMPLATE, context), base_url)
    if use_cache:
        cache.set(key, data, CACHE_SECONDS)
    return data


def pdf_text(data: bytes) -> list[str]:
    """The text of each page of a PDF, for checks (tests, the benchmark): ``pdftotext`` when poppler-utils is
    installed (RuntimeError without it: check the rendered document instead, see ``document_text``)."""
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        raise RuntimeError("pdftotext (poppler-utils) n'est pas installé")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout
    return text.decode("utf-8").split("\f")


def document_text(html: str) -> list[str]:
    """The text WeasyPrint lays out on each page of the document rendered from ``html`` (no PDF parser needed)."""
    from weasyprint import HTML

    document = HTML(string=html).render()
    return [" ".join(_texts(page._page_box)) for page in document.pages]


def _texts(box) -> list[str]:
    text = getattr(box, "text", None)
    if isinstance(text, str):
        return [text]
    result = []
    for child in getattr(box, "children", ()) or ():
        result += _texts(child)
    return result
