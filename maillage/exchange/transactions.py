"""Imports write in one short transaction, after the file has been read and checked outside any.

On SQLite a write transaction holds the only write lock of the database from its first statement (the settings
begin transactions IMMEDIATE): had an import parsed its file inside one, every other person's save (a login, an
autosave) would wait for the whole import, and fail once the lock timeout is past. So an import goes in two steps:
reading, parsing and checking the file, and the whole of a dry run, with no transaction; then `write_import`,
whose work is only the writes, all or nothing.
"""

from collections.abc import Callable

from django.db import OperationalError, transaction

BUSY_MESSAGE = (
    "la base de données est occupée par une autre écriture (un import, sans doute) : rien n'a été enregistré, "
    "réessayez dans une minute"
)


def write_import(write: Callable[[], None]) -> None:
    """Run the writing step of an import in one transaction: kept when `write` returns, undone when it raises."""
    with transaction.atomic():
        write()


def is_database_busy(error: BaseException) -> bool:
    """The database refused a statement because another connection holds its lock, past the wait allowed."""
    if not isinstance(error, OperationalError):
        return False
    # SQLite says it in words; PostgreSQL gives the state "lock_not_available" (under a lock_timeout).
    cause = error.__cause__
    return "is locked" in str(error) or getattr(cause, "sqlstate", None) == "55P03"
