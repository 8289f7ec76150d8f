"""Prebuilt publications: the workbook of every figure (`xlsx.py`, 24–39 s at 4,000 structures × 5 years) and the
PDF plaquette of the nation, each region and each department (`pdf.py`, 2–3 s each), built by the worker after each
figures refresh and kept as files, so that the views send a file instead of building it.

A file's name carries a tag of the *version* of the figures it was built from: for the workbook, when aggregates
were last computed and the newest campaign (`xlsx.workbook_version`); for a plaquette, when the aggregates of the
years it shows were last computed (`reports.report_version`, the key of the report cache). The view computes the
current version (one small query) and sends the file of that name if it exists; a file built from older figures
has another name, so a stale file is never sent: the view then builds the publication as before and queues its
build. A version is read before the figures it stamps, so a file may hold newer figures than its name says (it is
then rebuilt once more), never older ones.

Files are written under ``PUBLICATIONS_ROOT`` (a temporary file, then ``os.replace``: a reader sees the old file or
the new one, never half a file); the older versions of the same publication are then removed. The bytes are those
the view builds: the same functions (`plaquette_bytes`, `xlsx.aggregates_workbook`) with the same inputs.

One job per publication (`build_plaquette`, `build_workbook`): a killed worker loses one plaquette, which the job,
run again, rebuilds. `prebuild_publications(year)` queues the jobs after a refresh of `year`: the workbook, and the
plaquettes of every territory for `year` and the published years after it whose reports show it (evolution).
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django_tasks import task

from maillage.jobs.queue import enqueue_once
from maillage.referentials.models import Department, Region

from ..models import AggregateScope
from . import pdf, reports, xlsx
from .editorial import editorial_version
from .plaquette import plaquette_context
from .report_context import report_context, territory_urls

logger = logging.getLogger(__name__)

WORKBOOK = "observatoire-agregats"


@dataclass(frozen=True)
class Stored:
    """A prebuilt file of the current version; ``tag`` serves as its ETag."""

    path: Path
    tag: str


def version_tag(version: str) -> str:
    return hashlib.sha256(version.encode()).hexdigest()[:20]


def root() -> Path:
    return Path(settings.PUBLICATIONS_ROOT)


def workbook_path(version: str) -> Path:
    return root() / "classeur" / f"{WORKBOOK}.{version_tag(version)}.xlsx"


def plaquette_version(place: reports.Territory, year: int) -> str:
    """The figures' version, the editorial's and the layout's: new figures, a new editorial text or logo, or a new
    layout make a new plaquette."""
    version = reports.report_version(place, year)
    figures = version.isoformat() if version else "-"
    return f"{figures}|{editorial_version(place.scope, place.code)}|{pdf.LAYOUT}"


def plaquette_path(place: reports.Territory, year: int, version: str) -> Path:
    return root() / "plaquettes" / str(int(year)) / f"{_place_name(place)}.{version_tag(version)}.pdf"


def _place_name(place: reports.Territory) -> str:
    return "france" if place.scope == AggregateScope.NATION else f"{place.scope}-{place.code}"


def _stored(path: Path) -> Stored | None:
    return Stored(path, path.suffixes[-2].lstrip(".")) if path.is_file() else None


def stored_workbook() -> Stored | None:
    """The prebuilt workbook of the current figures, if built."""
    return _stored(workbook_path(xlsx.workbook_version()))


def stored_plaquette(place: reports.Territory, year: int) -> Stored | None:
    """The prebuilt plaquette of the current figures of a territory and year, if built."""
    return _stored(plaquette_path(place, year, plaquette_version(place, year)))


def plaquette_bytes(place: reports.Territory, year: int, published: list[int]) -> bytes:
    """The plaquette as the view sends it (`published`: the published years, newest first)."""
    report = reports.territory_report(place, year)
    context = report_context(report, territory_urls(place, year, published[0]), for_pdf=True)
    context.update(plaquette_context(report, context))
    return pdf.report_pdf(report, context, base_url=f"{settings.SITE_URL}/")


def store(path: Path, data: bytes) -> None:
    """Write the file atomically, then remove the other versions of the same publication."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    stem = path.name.split(".", 1)[0]
    for other in path.parent.glob(f"{stem}.*{path.suffix}"):
        if other != path and other.name.split(".", 1)[0] == stem:
            other.unlink(missing_ok=True)


def territories() -> list[tuple[str, str]]:
    """(scope, code) of every territory with a plaquette: the nation, the regions, the departments."""
    regions = Region.objects.order_by("code").values_list("code", flat=True)
    departments = Department.objects.order_by("code").values_list("code", flat=True)
    return [
        (AggregateScope.NATION, ""),
        *((AggregateScope.REGION, code) for code in regions),
        *((AggregateScope.DEPARTMENT, code) for code in departments),
    ]


# --- the jobs ---------------------------------------------------------------------------------------------------------


@task()
def build_workbook() -> str:
    """Build the workbook of the current figures unless it is built; returns its path."""
    version = xlsx.workbook_version()
    path = workbook_path(version)
    if not path.is_file():
        store(path, xlsx.aggregates_workbook())
        logger.info("Classeur des chiffres construit : %s", path.name)
    return str(path)


@task()
def build_plaquette(scope: str, code: str, year: int) -> str:
    """Build the plaquette of a territory and year unless it is built; returns its path ("" when the territory or the
    year has no plaquette any more)."""
    try:
        place = reports.territory(scope, code)
    except reports.UnknownTerritory:
        return ""
    published = reports.published_years()
    if year not in published:
        return ""
    version = plaquette_version(place, year)
    path = plaquette_path(place, year, version)
    if not path.is_file():
        store(path, plaquette_bytes(place, year, published))
    return str(path)


@task()
def prebuild_publications(year: int) -> int:
    """Queue the builds that follow a refresh of `year`'s figures; returns the number of plaquettes queued."""
    enqueue_once(build_workbook)
    years = [y for y in reports.published_years() if year <= y < year + reports.EVOLUTION_YEARS]
    places = territories()
    for shown in sorted(years, reverse=True):
        for scope, code in places:
            enqueue_once(build_plaquette, scope, code, shown)
    return len(years) * len(places)


def schedule_prebuild(year: int) -> None:
    """After a refresh of `year` (on commit): queue the prebuild, unless PUBLICATIONS_PREBUILD is off."""
    if settings.PUBLICATIONS_PREBUILD:
        enqueue_once(prebuild_publications, year)


def schedule_workbook() -> None:
    """The view found no workbook of the current figures: queue its build."""
    if settings.PUBLICATIONS_PREBUILD:
        enqueue_once(build_workbook)


def schedule_plaquette(place: reports.Territory, year: int) -> None:
    """The view found no plaquette of the current figures: queue its build."""
    if settings.PUBLICATIONS_PREBUILD:
        enqueue_once(build_plaquette, place.scope, place.code, year)
