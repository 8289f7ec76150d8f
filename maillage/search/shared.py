"""What one process worked out from the text index, kept for the other processes of the node (and for the other
nodes, with Redis): a query's ranked matches, a sheet's « Actions similaires », how many sheets hold a word.

Each process keeps these in memory too (`engine`, `similar`), but a server runs several processes (gunicorn's
2 per core + 1) and each met every word for itself: under `make loadtest` on PostgreSQL, ranking, reading and
counting the same words in each of five processes was most of what the database did. Here the first process to
work one out leaves it in the node's shared cache (`CACHES["pages"]`: files under `PAGE_CACHE_DIR`, or Redis),
where the others find it in a fraction of a millisecond.

A key holds the database and what the value depends on — the content version of the published sheets
(`facet_index().content_change`) for matches and similar sheets —, so that a change of the bank is seen at once:
the old values are never read again and expire. `SEARCH_SHARED_SECONDS` bounds how long a value is kept (0: no
sharing). A cache that fails (a full disk, Redis away) is logged and the value worked out again.
"""

import hashlib
import logging
from array import array

from django.conf import settings
from django.core.cache import caches
from django.db import connection

logger = logging.getLogger(__name__)

CACHE_ALIAS = "pages"


def shared_key(kind: str, *parts) -> str:
    """A cache key for a value of this database (`parts`: what the value depends on, with stable `repr`s)."""
    material = repr((kind, connection.vendor, connection.settings_dict["NAME"], *parts))
    return f"search:{kind}:" + hashlib.sha256(material.encode()).hexdigest()


def enabled() -> bool:
    return settings.SEARCH_SHARED_SECONDS > 0


def get_many(keys: list[str]) -> dict:
    if not enabled() or not keys:
        return {}
    try:
        return caches[CACHE_ALIAS].get_many(keys)
    except Exception:  # noqa: BLE001 - whatever the backend raises, the value is worked out again
        logger.warning("Cache partagé de la recherche : lecture impossible", exc_info=True)
        return {}


def get(key: str):
    return get_many([key]).get(key)


def put_many(values: dict, seconds: int | None = None) -> None:
    if not enabled() or not values:
        return
    try:
        caches[CACHE_ALIAS].set_many(values, min(seconds or settings.SEARCH_SHARED_SECONDS,
                                                 settings.SEARCH_SHARED_SECONDS))  # fmt: skip
    except Exception:  # noqa: BLE001
        logger.warning("Cache partagé de la recherche : écriture impossible", exc_info=True)


def put(key: str, value, seconds: int | None = None) -> None:
    put_many({key: value}, seconds)


def ids_of(value: bytes) -> array:
    """Sheet ids stored as the bytes of an `array("I")`: 4 bytes each (a list of 70,000 Python ints would pickle
    to five times as much)."""
    found = array("I")
    found.frombytes(value)
    return found
