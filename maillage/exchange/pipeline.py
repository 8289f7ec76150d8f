"""Reading and parsing a big export in a second process while this one writes to the database.

Parsing is pure Python and the database work is mostly inside SQLite or PostgreSQL, so on a machine
with two cores the two halves overlap and a 100,000-sheet file imports in about half the time.
Small files are parsed inline: a process start costs more than it saves. This module imports no
Django model, so that the worker starts quickly. The worker dies with the importing process, even one killed
with SIGKILL (`_die_with_parent`): an orphan parser would go on reading a file nobody waits for.
"""

import ctypes
import gc
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
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


@dataclass(frozen=True)
class ParseSettings:
    """What parsing needs to know of the database: department names and the known closed-list labels."""

    name: str
    department_names: list[str]
    known_labels: dict[str, frozenset[str]]


@dataclass
class PreparedSheet:
    """A parsed sheet with what the loader needs to compare it, computed on the parsing side."""

    sheet: ParsedSheet
    digest: str | None
    title_key: str
    # Closed-list values not known when parsing started, as (list key, label, line of its field).
    unknown_labels: list[tuple[str, str, int]]


def prepared_sheets(
    path: Path | str, settings: ParseSettings, progress: Callable[[int], None] | None = None
) -> Iterator[PreparedSheet]:
    """Parsed sheets with their fingerprint; raises `ImportFileError` on bad input."""
    if os.path.getsize(path) < PARALLEL_MIN_BYTES:
        yield from _prepare(path, settings, progress)
    else:
        yield from _prepare_in_worker(path, settings, progress)


def _prepare(path, settings: ParseSettings, progress) -> Iterator[PreparedSheet]:
    matcher = DepartmentMatcher(settings.department_names)
    blocks = iter_line_blocks(path, display_name=settings.name, progress=progress)
    try:
        for sheet in parse_blocks(blocks, matcher):
            if not sheet.record:
                yield PreparedSheet(sheet, None, "", [])
                continue
            unknown = _unknown_labels(sheet, settings.known_labels)
            sheet.field_lines = {}  # used up: spare sending it to the importing process
            yield PreparedSheet(sheet, fingerprint(sheet.record), match_key(sheet.record["title"]), unknown)
    except ParseError as error:
        raise ImportFileError(settings.name, error.line, error.message) from None


def _unknown_labels(sheet: ParsedSheet, known_labels: dict[str, frozenset[str]]) -> list[tuple[str, str, int]]:
    unknown = []
    record = sheet.record
    for key, known in known_labels.items():
        value = record[key]
        values = () if value is None else (value,) if value.__class__ is str else value
        for label in values:
            if label not in known:
                unknown.append((key, label, sheet.field_lines.get(key, sheet.line)))
    return unknown


def _worker(path: str, settings: ParseSettings, out, parent: int) -> None:
    _die_with_parent(parent)
    gc.disable()
    # The queue's feeder thread writes each batch to the pipe piece by piece, taking the GIL from the
    # parser each time: a short switch interval keeps the importing process from waiting on it.
    sys.setswitchinterval(0.0002)
    batch: list[PreparedSheet] = []
    size = _FIRST_BATCH  # a small first batch lets the importing process start writing sooner
    try:
        for prepared in _prepare(path, settings, lambda read: out.put(("progress", read))):
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


def _prepare_in_worker(path, settings: ParseSettings, progress) -> Iterator[PreparedSheet]:
    name = settings.name
    context = multiprocessing.get_context("spawn")
    messages = context.Queue(maxsize=_QUEUE_BATCHES)
    _widen_pipe(messages)
    worker = context.Process(target=_worker, args=(str(path), settings, messages, os.getpid()), daemon=True)
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


_PR_SET_PDEATHSIG = 1
_PARENT_POLL_SECONDS = 0.5


def _die_with_parent(parent: int) -> None:
    """Be killed when the importing process dies, however it dies.

    `daemon=True` only helps when the parent exits normally. On Linux the kernel sends SIGKILL to the worker when
    its parent dies (PR_SET_PDEATHSIG); elsewhere a thread watches the parent's pid and ends the process when it
    changes. A parent already gone when this runs is noticed at once."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the watching thread alone
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="watch-parent").start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL_SECONDS)
    os._exit(1)


def _widen_pipe(messages) -> None:
    """A batch of sheets is about 1.5 MB: a 1 MiB pipe (Linux) moves it in two writes instead of 24."""
    try:
        import fcntl

        fcntl.fcntl(messages._reader.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):
        pass  # other systems, or a lower limit: only slower


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
