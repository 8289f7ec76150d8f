"""The observatory's public reports (nation, regions, departments), their CSV tables, PDF "plaquettes" and XLSX
export, and "se situer" for a structure's team. Figures come from `observatory.reports` and `observatory.situation`
(precomputed aggregates, secrecy applied); this module only picks the territory and year and renders.

Public pages show validated aggregates only (aggregates are computed from validated responses). An unknown
territory code or year answers 404. "Se situer" answers 404 to anyone but the structure's members, its
department's correspondents and national administrators.
"""

from __future__ import annotations

import os

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.safestring import mark_safe

from maillage.accounts import perms
from maillage.observatory.definitions.wording import campaign_slug
from maillage.observatory.figures import key_figures, publications, reports, sections, situation
from maillage.observatory.figures.charts import data_table, responsive_chart_svg, table_csv
from maillage.observatory.figures.formatting import format_percent
from maillage.observatory.figures.report_context import KEY_FIGURES_SLUG, report_context
from maillage.observatory.figures.report_context import territory_urls as _urls
from maillage.observatory.figures.secrecy import SECRET_NOTE
from maillage.observatory.models import AggregateScope
from maillage.parameters import positive_int
from maillage.referentials.models import Department
from maillage.structures.models import Structure

from .page_cache import figures_version, public_page_cache
from .throttling import export_limited

SCOPES = {"region": AggregateScope.REGION, "departement": AggregateScope.DEPARTMENT}
MAX_YEAR = 9999
PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _place(scope_slug: str | None, code: str | None) -> reports.Territory:
    if scope_slug is None:
        return reports.territory(AggregateScope.NATION)
    try:
        return reports.territory(SCOPES[scope_slug], code or "")
    except (KeyError, reports.UnknownTerritory) as exc:
        raise Http404("Territoire inconnu.") from exc


def _year(request, year: int | None, published: list[int]) -> int | None:
    """The year asked (path or ?annee=), else the newest published one; 404 for a year without figures, 400 for
    an `annee` that is no year."""
    raw = request.GET.get("annee")
    if year is None and raw is not None:
        year = positive_int(raw, "annee", maximum=MAX_YEAR, what="une année")
    if year is None:
        return published[0] if published else None
    if year not in published:
        raise Http404("Aucun chiffre publié pour cette année.")
    return year


def page_sections(report: reports.Report, context: dict) -> list[dict]:
    """The web page's sections: each block's figures, its drawn charts and the tables folded under them."""
    charts = {chart["slug"]: chart for chart in context["charts"]}
    rows = dict(context["sections"])
    return [
        {"slug": section.slug, "title": section.title, "rows": rows[section.title],
         "charts": [charts[c.slug] for c in section.charts],
         "tables": [charts[c.slug] for c in (*section.charts, *section.tables_only)]}
        for section in sections.page_sections(report)
    ]  # fmt: skip


def _resolve(request, scope_slug: str | None, code: str | None, year: int | None):
    place = _place(scope_slug, code)
    published = reports.published_years()
    chosen = _year(request, year, published)
    return place, published, chosen


@public_page_cache(figures_version)
def territory_page(request, scope_slug: str | None = None, code: str | None = None, year: int | None = None):
    place, published, chosen = _resolve(request, scope_slug, code, year)
    context = {"place": place, "published_years": published, "year": chosen}
    if chosen is None:
        return render(request, "observatory/report.html", context)
    report = reports.territory_report(place, chosen)
    urls = _urls(place, chosen, published[0])
    context.update(report_context(report, urls))
    context["year_links"] = [(y, _urls(place, y, published[0])["page"]) for y in published]
    context["key_figures"] = key_figures.cached_key_figures(place, chosen, report.computed_at)
    context["page_sections"] = page_sections(report, context)
    if place.scope == AggregateScope.NATION:
        context["departments"] = list(Department.objects.order_by("code").values_list("code", "name"))
    return render(request, "observatory/report.html", context)


@export_limited
def chart_csv(request, slug: str, scope_slug: str | None = None, code: str | None = None):
    place, published, chosen = _resolve(request, scope_slug, code, None)
    if chosen is None:
        raise Http404("Aucun chiffre publié.")
    report = reports.territory_report(place, chosen)
    if slug == KEY_FIGURES_SLUG:
        table = reports.key_figures_table(report)
    else:
        item = report.chart(slug)
        if item is None:
            raise Http404("Tableau inconnu.")
        table = data_table(item.chart)
    response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
    filename = f"observatoire-{place.scope}-{place.code or 'france'}-{campaign_slug(chosen)}-{slug}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@export_limited
def plaquette_pdf(request, scope_slug: str | None = None, code: str | None = None):
    """The plaquette: the prebuilt file of the current figures when there is one, else built here (as the worker
    would) and its build queued."""
    place, published, chosen = _resolve(request, scope_slug, code, None)
    if chosen is None:
        raise Http404("Aucun chiffre publié.")
    filename = f"observatoire-{place.code or 'france'}-{campaign_slug(chosen)}.pdf"
    disposition = f'inline; filename="{filename}"'
    stored = publications.stored_plaquette(place, chosen)
    response = _stored_response(request, stored, PDF_TYPE, disposition)
    if response is not None:
        return response
    publications.schedule_plaquette(place, chosen)
    response = HttpResponse(publications.plaquette_bytes(place, chosen, published), content_type=PDF_TYPE)
    response["Content-Disposition"] = disposition
    return response


@export_limited
def export_xlsx(request):
    """The workbook of every figure: the prebuilt file of the current figures, else built here and its build
    queued."""
    from maillage.observatory.figures import xlsx

    disposition = 'attachment; filename="observatoire-agregats.xlsx"'
    response = _stored_response(request, publications.stored_workbook(), XLSX_TYPE, disposition)
    if response is not None:
        return response
    publications.schedule_workbook()
    response = HttpResponse(xlsx.aggregates_workbook(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = disposition
    return response


def _stored_response(request, stored: publications.Stored | None, content_type: str, disposition: str):
    """The prebuilt file as it is (ETag: its version's tag; Last-Modified: when it was written), or 304 when the
    client holds it; None when there is no such file (or it was replaced by a newer one meanwhile)."""
    if stored is None:
        return None
    try:
        handle = open(stored.path, "rb")  # noqa: SIM115 (FileResponse closes it)
    except FileNotFoundError:
        return None
    etag, modified = f'"{stored.tag}"', os.fstat(handle.fileno()).st_mtime
    not_modified = get_conditional_response(request, etag=etag, last_modified=int(modified))
    if not_modified is not None:
        handle.close()
        return not_modified
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = disposition
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    return response


@login_required
def situate(request, pk: int):
    structure = Structure.objects.select_related("department__region").filter(pk=pk).first()
    if structure is None or not perms.can_view_observatory_answers(request.user, structure):
        raise Http404("Structure inconnue.")
    peers = situation.EVERYONE if request.GET.get("comparer") == situation.EVERYONE else situation.PEERS
    situated = situation.situate(structure, peers)
    comparisons = []
    for item in situated.comparisons:
        svg = mark_safe(responsive_chart_svg(item.chart, item.indicator.code))
        comparisons.append({"label": item.indicator.label, "svg": svg, "table": data_table(item.chart),
                            "code": item.indicator.code})  # fmt: skip
    proportions = [
        {"label": item.indicator.label, "own": _own_text(item),
         "groups": [format_percent(value) for value in item.groups]}
        for item in situated.proportions
    ]  # fmt: skip
    return render(request, "observatory/situate.html", {
        "structure": structure, "situation": situated, "comparisons": comparisons, "proportions": proportions,
        "secret_note": SECRET_NOTE, "peer_choices": _peer_choices(structure, situated.peers),
    })  # fmt: skip


def _peer_choices(structure: Structure, peers: str) -> list[dict]:
    """The links that narrow or widen the comparison (none for a structure whose kind is unknown)."""
    if not structure.kind:
        return []
    url = reverse("observatory:situate", kwargs={"pk": structure.pk})
    return [
        {"label": f"les {situation.KIND_PLURALS[structure.kind].lower()}", "url": url,
         "current": peers == situation.PEERS},
        {"label": "toutes les structures", "url": f"{url}?comparer={situation.EVERYONE}",
         "current": peers == situation.EVERYONE},
    ]  # fmt: skip


@login_required
def situate_choice(request):
    """« Se situer » from a report page: the structures the person belongs to, each to compare."""
    structures = Structure.objects.filter(memberships__user=request.user).select_related("department").order_by("name")
    return render(request, "observatory/situate_choice.html", {"structures": structures})


def _own_text(item: situation.Proportion) -> str:
    if item.indicator.kind == "share":
        return "oui" if item.own else "non"
    return format_percent(item.own)
