"""Imports write in one short transaction, after the file has been read and checked outside any.

On SQLite a write transaction holds the only write lock of the database from its first statement (the settings
begin transactions IMMEDIATE): had an import parsed its file inside one, every other person's save (a login, an
autosave) would wait for the whole import, and fail once the lock timeout is past. So an import goes in two steps:
reading, parsing and checking the file, and the whole of a dry run, with no transaction; then `write_import`,
whose work is only the writes, all or nothing.

An import run as a background job watches its write (`watching_write`): the job says « enregistrement » before the
transaction begins, and marks itself committed inside it, as its first statement, so that a job whose write was
kept is never applied a second time when a killed worker's job runs again (and a write undone leaves no mark).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol

from django.db import OperationalError, transaction

BUSY_MESSAGE = (
    "la base de données est occupée par une autre écriture (un import, sans doute) : rien n'a été enregistré, "
    "réessayez dans une minute"
)


class AlreadyCommitted(Exception):
    """The background job's write was kept by an earlier run of the job: it must not be applied again."""


class WriteWatcher(Protocol):
    def before_write(self) -> None:
        """Called before the transaction begins (outside it)."""

    def in_write(self) -> None:
        """Called inside the transaction, before the writes; raising (`AlreadyCommitted`) undoes everything."""


_watchers: ContextVar[tuple[WriteWatcher, ...]] = ContextVar("import_write_watchers", default=())


@contextmanager
def watching_write(watcher: WriteWatcher) -> Iterator[None]:
    """Let `watcher` follow every `write_import` run in this block (by this thread)."""
    token = _watchers.set((*_watchers.get(), watcher))
    try:
        yield
    finally:
        _watchers.reset(token)


def write_import(write: Callable[[], None]) -> None:
    """Run the writing step of an import in one transaction: kept when `write` returns, undone when it raises."""
    watchers = _watchers.get()
    for watcher in watchers:
        watcher.before_write()
    with transaction.atomic():
        for watcher in watchers:
            watcher.in_write()
        write()


def is_database_busy(error: BaseException) -> bool:
    """The database refused a statement because another connection holds its lock, past the wait allowed."""
    if not isinstance(error, OperationalError):
        return False
    # SQLite says it in words; PostgreSQL gives the state "lock_not_available" (under a lock_timeout).
    cause = error.__cause__
    return "is locked" in str(error) or getattr(cause, "sqlstate", None) == "55P03"
