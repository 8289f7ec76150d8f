"""The progress bar of long imports: shown on a terminal, silent in a pipe or with --quiet."""

import fcntl
import io
import os
import pty
import struct
import termios

import pytest

from maillage.exchange.management.commands._progress import file_progress


@pytest.fixture
def terminal(monkeypatch):
    """A pseudo-terminal of 100 columns; yields a function that makes it standard error (pytest sets its
    own standard error again when the test starts) and returns what is written to it."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    stream = open(slave, "w", encoding="utf-8", buffering=1)  # noqa: SIM115 - closed below

    def use() -> None:
        monkeypatch.setattr("sys.stderr", stream)

    def written() -> str:
        stream.flush()
        os.set_blocking(master, False)
        try:
            return os.read(master, 1 << 16).decode("utf-8", "replace")
        except BlockingIOError:
            return ""

    yield use, written
    stream.close()
    os.close(master)


def feed(path, quiet: bool) -> None:
    with file_progress(path, quiet=quiet) as progress:
        for _ in range(4):
            progress(250)


def test_a_terminal_shows_the_bar(tmp_path, terminal):
    source = tmp_path / "fiches.txt"
    source.write_bytes(b"x" * 1000)
    use, written = terminal
    use()
    feed(source, quiet=False)
    assert "fiches.txt:   0%|" in written()


def test_quiet_hides_the_bar(tmp_path, terminal):
    source = tmp_path / "fiches.txt"
    source.write_bytes(b"x" * 1000)
    use, written = terminal
    use()
    feed(source, quiet=True)
    assert written() == ""


def test_a_pipe_gets_no_bar(tmp_path, monkeypatch):
    source = tmp_path / "fiches.txt"
    source.write_bytes(b"x" * 1000)
    piped = io.StringIO()
    monkeypatch.setattr("sys.stderr", piped)
    feed(source, quiet=False)
    assert piped.getvalue() == ""
