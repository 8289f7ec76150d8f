"""Whether this process can serve: the checks behind `/sante/pret`, and the warm-up done when a server starts.

Each check is cheap enough for a probe every few seconds: one `SELECT 1`, the migration plan until it is
found empty (then remembered: migrations are not undone under a running server), a flag for the facet
index, a `statvfs` per data directory. Nothing names a person, a path or a host: a failed check says which
part failed, and the exception goes to the log.
"""

import logging
import shutil
import threading
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.urls import get_resolver, reverse
from django.utils import translation

from maillage.jobs.status import queue_status
from maillage.search import facets, vocabulary
from maillage.search.backends import get_backend

logger = logging.getLogger(__name__)

OK = "ok"
ERROR = "error"

_migrations_applied = False
_facets_loading = threading.Lock()


def readiness() -> tuple[bool, dict]:
    """(ready, the checks by name). Ready: the database answers, every migration is applied, the facet index
    is loaded and the data directories have room. The task queue is reported, never required: the site serves
    pages without its worker (`maillage.jobs.status`)."""
    checks = {
        "database": check_database(),
        "migrations": check_migrations(),
        "facet_index": check_facet_index(),
        "task_queue": check_task_queue(),
        "disk": check_disk(),
    }
    required = ("database", "migrations", "facet_index", "disk")
    return all(checks[name]["status"] == OK for name in required), checks


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("Contrôle de disponibilité : base de données injoignable", exc_info=True)
        return {"status": ERROR, "detail": "base de données injoignable"}
    return {"status": OK}


def check_migrations() -> dict:
    global _migrations_applied
    if _migrations_applied:
        return {"status": OK}
    try:
        executor = MigrationExecutor(connection)
        unapplied = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except DatabaseError:
        logger.warning("Contrôle de disponibilité : migrations illisibles", exc_info=True)
        return {"status": ERROR, "detail": "état des migrations illisible"}
    if unapplied:
        return {"status": ERROR, "detail": "migrations non appliquées", "unapplied": unapplied}
    _migrations_applied = True
    return {"status": OK}


def check_facet_index() -> dict:
    """Loaded at start (`warm_up`); if that failed (database down), loading is started in the background so
    that the process becomes ready without waiting for a search that a load balancer would not send it."""
    if facets.loaded():
        return {"status": OK}
    start_loading_facets()
    return {"status": ERROR, "detail": "index des facettes en cours de chargement"}


def start_loading_facets() -> None:
    if not _facets_loading.locked():
        threading.Thread(target=load_facets, name="facet-index-warm-up", daemon=True).start()


def load_facets() -> None:
    """Load the facet index and the words of the text index; then close this thread's connections (its own, or
    the master's before a fork)."""
    with _facets_loading:
        try:
            facets.facet_index()
            load_vocabulary()
        except DatabaseError:
            logger.warning("Index des facettes non chargé", exc_info=True)
        finally:
            connections.close_all()


def load_vocabulary() -> None:
    """The sorted words of the text index, that every query word is expanded from (0.8–1 s on SQLite at 100,000
    sheets): read here rather than by the first search. (Reading the sheets of the 50 commonest words too made
    the start twice as long and the first searches no quicker: docs/benchmarks.md.)"""
    vocabulary.indexed_terms(get_backend())


def load_code() -> None:
    """What Django loads at a process's first request: the URL configuration, so every view module (about 1 s
    under load), and the French translations. Loaded before gunicorn forks, they are shared by its workers."""
    get_resolver().url_patterns  # noqa: B018 (imports config/urls.py and every module of views)
    from maillage.www.page_cache import code_version

    code_version()  # the page cache's fingerprint of the code: a walk of the package's files, once
    # The resolver keeps its lookups of names and namespaces per active language (LocaleMiddleware activates
    # `fr`, not LANGUAGE_CODE's `fr-fr`): each is filled here, with the language's translations.
    for language in {settings.LANGUAGE_CODE, *(code for code, _ in settings.LANGUAGES)}:
        with translation.override(language):
            reverse("www:home")
            translation.gettext("Accueil")


def warm_up() -> None:
    """What a server does once on start (`config/wsgi.py`): gunicorn's master imports the views, reads the
    migration plan, loads the facet index and the vocabulary and asks each kind of public page once
    (`warm_pages`) before forking its workers, which inherit them all; and no connection is left open for the
    workers to share."""
    load_code()
    check_migrations()
    load_facets()
    if settings.WARM_PAGES:
        from maillage.warm_pages import warm_pages

        warm_pages()


def check_task_queue() -> dict:
    try:
        return queue_status()
    except DatabaseError:
        logger.warning("Contrôle de disponibilité : file des tâches illisible", exc_info=True)
        return {"status": ERROR, "detail": "file des tâches illisible", "lag_seconds": None}


def check_disk() -> dict:
    minimum = settings.HEALTH_MIN_FREE_DISK_MB
    free = min(_free_mb(path) for path in _data_directories())
    status = OK if free >= minimum else ERROR
    result = {"status": status, "free_mb": free, "minimum_mb": minimum}
    if status == ERROR:
        result["detail"] = "espace disque insuffisant"
    return result


def _data_directories() -> set[Path]:
    """Where the site writes: attachments, imports waiting for confirmation, and the SQLite file if any."""
    directories = {Path(settings.MEDIA_ROOT), Path(settings.IMPORT_UPLOAD_DIR)}
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3" and not str(database["NAME"]).startswith(":memory:"):
        directories.add(Path(database["NAME"]).parent)
    return directories


def _free_mb(path: Path) -> int:
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free // (1024 * 1024)
