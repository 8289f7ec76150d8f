"""A progress bar on a terminal, silent in a pipe or with --quiet."""

import sys
from contextlib import contextmanager
from pathlib import Path

from tqdm import tqdm


@contextmanager
def file_progress(path: Path, *, quiet: bool):
    enabled = not quiet and sys.stderr.isatty()
    with tqdm(
        total=path.stat().st_size,
        unit="o",
        unit_scale=True,
        desc=path.name,
        disable=not enabled,
        leave=False,
    ) as bar:
        yield bar.update
