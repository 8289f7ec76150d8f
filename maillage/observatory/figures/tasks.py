"""The figures' background work: a year's aggregates recomputed by the worker, never inside a request.

A validation calls `schedule_refresh(year)`: one refresh per campaign year waits in the queue at most, run
`FIGURES_REFRESH_DELAY_SECONDS` later, so that ten validations in a minute give one refresh. The refresh is
idempotent (the year's rows are replaced in one transaction): a job run again after a killed worker, or twice,
leaves the same figures. Once the figures are stored, the publications built from them are prebuilt
(`after_refresh`).
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django_tasks import task

from maillage.jobs.queue import enqueue_once

from . import aggregates, publications

logger = logging.getLogger(__name__)


@task()
def refresh_figures(year: int) -> int:
    """Recompute the year's public figures, then prebuild what is published from them; returns the rows
    written."""
    started = time.monotonic()
    count = aggregates.refresh_year(year)
    logger.info("Chiffres %s recalculés : %s agrégats en %.1f s", year, count, time.monotonic() - started)
    after_refresh(year)
    return count


def schedule_refresh(year: int) -> None:
    """Queue a refresh of the year's figures once the current transaction commits, unless one is waiting."""
    enqueue_once(refresh_figures, year, delay_seconds=settings.FIGURES_REFRESH_DELAY_SECONDS)


def after_refresh(year: int) -> None:
    """What follows a refresh of the year's figures: the prebuilt publications (workbook, plaquettes), one job
    each (`publications.prebuild_publications`)."""
    publications.schedule_prebuild(year)
