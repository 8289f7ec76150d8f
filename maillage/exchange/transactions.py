"""One transaction per imported file; a dry run does all the work, then rolls it back."""

from collections.abc import Callable

from django.db import transaction


class _DryRunRollback(Exception):
    """Raised inside the transaction of a dry run so that nothing it wrote is kept."""


def run_import(load: Callable[[], None], *, dry_run: bool) -> None:
    """Run `load` in a transaction: kept when it returns, undone when it raises or on a dry run."""
    try:
        with transaction.atomic():
            load()
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
