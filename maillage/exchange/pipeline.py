"""Reading and parsing a big export in a second process while this one writes to the database.

Parsing is pure Python and the database work is mostly inside SQLite or PostgreSQL, so on a machine
with two cores the two halves overlap and a 100,000-sheet file imports in about half the time.
Small files are parsed inline: a process start costs more than it saves. This module imports no
Django model, so that the worker starts quickly.
"""

import gc
import multiprocessing
import os
import queue
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from maillage.referentials.text import match_key

from .action_text import DepartmentMatcher, ParsedSheet, ParseError, parse_blocks
from .reading import ImportFileError, iter_line_blocks
from .records import fingerprint

# Files smaller than this are parsed in the importing process.
PARALLEL_MIN_BYTES = 8 * 1024 * 1024
_BATCH = 500
_FIRST_BATCH = 50
_QUEUE_BATCHES = 8


@dataclass
class PreparedSheet:
    """A parsed sheet with what the loader needs to compare it, computed on the parsing side."""

    sheet: ParsedSheet
    digest: str | None
    title_key: str


def prepared_sheets(
    path: Path | str, name: str, department_names: list[str], progress: Callable[[int], None] | None = None
) -> Iterator[PreparedSheet]:
    """Parsed sheets with their fingerprint; raises `ImportFileError` on bad input."""
    if os.path.getsize(path) < PARALLEL_MIN_BYTES:
        yield from _prepare(path, name, department_names, progress)
    else:
        yield from _prepare_in_worker(path, name, department_names, progress)


def _prepare(path, name, department_names, progress) -> Iterator[PreparedSheet]:
    matcher = DepartmentMatcher(department_names)
    try:
        for sheet in parse_blocks(iter_line_blocks(path, display_name=name, progress=progress), matcher):
            if sheet.record:
                yield PreparedSheet(sheet, fingerprint(sheet.record), match_key(sheet.record["title"]))
            else:
                yield PreparedSheet(sheet, None, "")
    except ParseError as error:
        raise ImportFileError(name, error.line, error.message) from None


def _worker(path: str, name: str, department_names: list[str], out) -> None:
    gc.disable()
    batch: list[PreparedSheet] = []
    size = _FIRST_BATCH  # a small first batch lets the importing process start writing sooner
    try:
        for prepared in _prepare(path, name, department_names, lambda read: out.put(("progress", read))):
            batch.append(prepared)
            if len(batch) >= size:
                out.put(("sheets", batch))
                batch, size = [], _BATCH
        out.put(("sheets", batch))
        out.put(("done", None))
    except ImportFileError as error:
        out.put(("error", (error.line, error.message)))
    except Exception:  # noqa: BLE001 - reported to the importing process, which raises it
        out.put(("crash", traceback.format_exc()))


def _prepare_in_worker(path, name, department_names, progress) -> Iterator[PreparedSheet]:
    context = multiprocessing.get_context("spawn")
    messages = context.Queue(maxsize=_QUEUE_BATCHES)
    worker = context.Process(target=_worker, args=(str(path), name, department_names, messages), daemon=True)
    worker.start()
    try:
        while True:
            kind, payload = _next_message(messages, worker)
            if kind == "sheets":
                yield from payload
            elif kind == "progress":
                if progress:
                    progress(payload)
            elif kind == "done":
                return
            elif kind == "error":
                raise ImportFileError(name, *payload)
            else:
                raise RuntimeError(f"l'analyse du fichier {name} a échoué :\n{payload}")
    finally:
        if worker.is_alive():
            worker.terminate()
        worker.join()
        messages.close()


def _next_message(messages, worker):
    while True:
        try:
            return messages.get(timeout=1)
        except queue.Empty:
            if not worker.is_alive():
                raise RuntimeError("le processus d'analyse s'est arrêté sans rendre compte") from None


@contextmanager
def gc_paused():
    """Imports allocate millions of short-lived objects and free them by reference counting; the cyclic
    collector would only rescan them over and over."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
