"""Driving `maillage` processes from a test: a named pipe as the file they read (so that the test decides when
the reading goes on), their output line by line with a time limit, their children as Linux lists them."""

import errno
import fcntl
import os
import queue
import threading
import time
from pathlib import Path


def open_for_writing(fifo: Path, process, timeout: float = 60):
    """The writing end of the named pipe `fifo`, once a process opened it for reading (the importing process or its
    parser): from then on, what reads it waits for what the test writes."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            descriptor = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as error:
            if error.errno != errno.ENXIO:  # ENXIO: nobody reads it yet
                raise
        else:
            flags = fcntl.fcntl(descriptor, fcntl.F_GETFL)
            fcntl.fcntl(descriptor, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
            return os.fdopen(descriptor, "wb")
        if process.poll() is not None:
            raise AssertionError(f"le processus s'est arrêté (code {process.returncode}) sans ouvrir {fifo.name}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{fifo.name} n'a pas été ouvert en {timeout} s")
        time.sleep(0.02)


class Lines:
    """The lines a process writes on a pipe, each awaited at most `timeout` seconds."""

    def __init__(self, stream):
        self._lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            self._lines.put(line)
        self._lines.put(None)

    def next(self, timeout: float = 60) -> str | None:
        """The next line, None at the end of the output."""
        try:
            return self._lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"aucune ligne en {timeout} s") from None

    def rest(self, timeout: float = 60) -> list[str]:
        lines = []
        while (line := self.next(timeout)) is not None:
            lines.append(line)
        return lines


def children(pid: int) -> list[int]:
    """Processes whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def running(pid: int) -> bool:
    """The process exists and is not a zombie (dead, waiting for its new parent to collect it)."""
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
