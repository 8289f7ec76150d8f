"""The table of the shared cache (Django's `DatabaseCache`, the default when `REDIS_URL` is not set), and the
rate counters that go with it.

Declared as a model so that `migrate` creates it wherever the site runs (`make run`, `make serve`, the tests'
databases, a deployment): every worker and node reads the same rate-limit counters and report caches. The
columns are those `createcachetable` would make; Django's cache reads and writes them with its own SQL.
"""

from django.db import models

CACHE_TABLE = "maillage_cache"


class CacheEntry(models.Model):
    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = CACHE_TABLE
        verbose_name = "entrée du cache partagé"
        verbose_name_plural = "entrées du cache partagé"

    def __str__(self) -> str:
        return self.cache_key


class RateCounter(models.Model):
    """A request counter shared by every worker and node (`ops/counters.py`), counted by one atomic statement:
    Django's `DatabaseCache.incr` reads then writes, so two workers counting at once could both see the same
    number and let a request over the limit through."""

    key = models.CharField("clé", max_length=255, primary_key=True)
    count = models.PositiveIntegerField("nombre")
    expires = models.BigIntegerField("expire (secondes Unix)", db_index=True)

    class Meta:
        db_table = "maillage_rate_counter"
        verbose_name = "compteur de requêtes"
        verbose_name_plural = "compteurs de requêtes"

    def __str__(self) -> str:
        return f"{self.key} : {self.count}"
