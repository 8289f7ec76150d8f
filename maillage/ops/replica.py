"""Anonymous public reads on a PostgreSQL streaming replica, when `DATABASE_REPLICA_URL` is set.

`ReplicaReadsMiddleware` marks a request as one the replica may serve: GET or HEAD, nobody logged in (not even
before the second factor), and a public page (search and sheet pages, the directory and the territories, the
observatory, the open API). `ReplicaRouter` then sends that request's ORM reads of the public data to the
replica, and everything else to the primary:
- every write; and once the request has written something, its later reads too (it must read what it wrote);
- sessions, accounts, the login lockout, the shared cache, the audit log: they decide who may do what, or count
  what was done, and a replica may lag;
- the search's change log (`IndexChange`), and the raw SQL of the facet index and of the text search, which use
  Django's default connection: they feed per-process caches keyed by the primary's log, that a lagging replica
  would fill with an older state.
A sheet published a moment ago may so be counted in the facets before its record reaches the replica: the page
lists the records the replica has (loopback replication lags by milliseconds).
"""

import contextvars

from django.urls import Resolver404, resolve

PRIMARY = "default"
REPLICA = "replica"
# Apps whose tables hold the public data that anonymous pages read.
PUBLIC_DATA_APPS = frozenset({"actions", "structures", "referentials", "observatory", "history"})
# Pages the replica may serve to an anonymous visitor: URL namespaces whole, and single URL names.
PUBLIC_NAMESPACES = frozenset({"api", "observatory"})
PUBLIC_VIEWS = frozenset({"www:home", "www:action-list", "www:action-detail", "www:action-permalink",
                          "www:structure-list", "www:structure-detail", "www:territory-index",
                          "www:territory-detail"})  # fmt: skip
SAFE_METHODS = ("GET", "HEAD")

_replica_reads = contextvars.ContextVar("maillage_replica_reads", default=False)


class ReplicaRouter:
    """Reads of the public data go to the replica while the current request allows it; all else to the primary."""

    def db_for_read(self, model, **hints) -> str:
        if _replica_reads.get() and model._meta.app_label in PUBLIC_DATA_APPS:
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints) -> str:
        if model._meta.app_label != "django_cache":  # a rate counter is not data the request reads back
            _replica_reads.set(False)
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the replica is a copy of the primary: an object read from one is the other's too

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints) -> bool:
        return db == PRIMARY


def replica_may_serve(request) -> bool:
    if request.method not in SAFE_METHODS or request.user.is_authenticated:
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.namespace in PUBLIC_NAMESPACES or match.view_name in PUBLIC_VIEWS


class ReplicaReadsMiddleware:
    """Right after `AuthenticationMiddleware`: a person logged in before the second factor still reads the
    primary (RequireTwoFactorMiddleware shows them the public pages as to a visitor, but they are logged in)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _replica_reads.set(replica_may_serve(request))
        try:
            return self.get_response(request)
        finally:
            _replica_reads.reset(token)


def reading_replica() -> bool:
    """Whether the current request's reads of public data go to the replica (tests, logs)."""
    return _replica_reads.get()
