"""Watching where an import does its work: the SQL it runs and the transactions open meanwhile.

On SQLite a transaction holds the database's only write lock: an import must parse with none open, and a dry run
must write nothing at all.
"""

import functools
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection

WRITES = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE"})


@dataclass
class Watch:
    baseline: int
    statements: list[tuple[str, int]] = field(default_factory=list)  # (first word, transactions open)
    parsed_at: list[int] = field(default_factory=list)  # transactions open when each parsed item came

    def depth(self) -> int:
        """Transactions (atomic blocks) open beyond the test's own."""
        return len(connection.atomic_blocks) - self.baseline

    @property
    def writes(self) -> list[tuple[str, int]]:
        return [(word, depth) for word, depth in self.statements if word in WRITES]

    def parsing(self, produce):
        """`produce` (a function returning an iterator of parsed items), noting the depth as each item comes."""

        @functools.wraps(produce)
        def wrapped(*args, **kwargs):
            for item in produce(*args, **kwargs):
                self.parsed_at.append(self.depth())
                yield item

        return wrapped


@contextmanager
def watching():
    watch = Watch(baseline=len(connection.atomic_blocks))

    def record(execute, sql, params, many, context):
        watch.statements.append((sql.lstrip().split(None, 1)[0].upper(), watch.depth()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield watch
