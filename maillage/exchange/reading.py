"""Reading text files safely: UTF-8 (with or without BOM), LF or CRLF, bounded memory.

Bad input raises `ImportFileError` naming the file and the line, before anything is stored.
"""

import codecs
import re
from collections.abc import Callable, Iterator
from pathlib import Path

MAX_LINE_CHARS = 100_000
# A UTF-8 character is at most 4 bytes: a line longer than this many bytes is surely too long.
_MAX_LINE_BYTES = 4 * MAX_LINE_CHARS + 4
_BLOCK_BYTES = 4 * 1024 * 1024
# Control characters never found in text (tab, line feed, form feed, carriage return and escape are allowed).
_BINARY = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
_BINARY_BYTES = bytes(byte for byte in range(32) if _BINARY.match(bytes([byte])))
_TEXT_BYTES = bytes(byte for byte in range(256) if byte not in _BINARY_BYTES)


class ImportFileError(Exception):
    """Bad input: the file cannot be imported at all."""

    def __init__(self, filename: str, line: int | None, message: str):
        self.filename = filename
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.filename}:{self.line}" if self.line else self.filename
        return f"{where}: {self.message}"


def iter_line_blocks(
    path: Path | str, *, display_name: str | None = None, progress: Callable[[int], None] | None = None
) -> Iterator[tuple[int, list[str]]]:
    """Yield `(number of the first line, lines)` for successive blocks of the file.

    Lines come without their end-of-line characters. Blocks keep memory bounded whatever the size of
    the file; checking a whole block at once keeps the per-line cost low.
    """
    name = display_name or Path(path).name
    with open(path, "rb") as stream:
        yield from _blocks(stream, name, progress)


def _blocks(stream, name: str, progress) -> Iterator[tuple[int, list[str]]]:
    first_line = 1
    carry = b""
    at_start = True
    saw_content = False
    while True:
        chunk = stream.read(_BLOCK_BYTES)
        if progress and chunk:
            progress(len(chunk))
        data = carry + chunk
        if not chunk:
            if data:
                yield first_line, _decode(data, name, first_line, at_start)
                saw_content = True
            break
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            if len(data) > _MAX_LINE_BYTES:
                raise ImportFileError(name, first_line, f"ligne trop longue (plus de {MAX_LINE_CHARS} caractères)")
            carry = data
            continue
        block, carry = data[:cut], data[cut:]
        if len(carry) > _MAX_LINE_BYTES:
            line = first_line + block.count(b"\n")
            raise ImportFileError(name, line, f"ligne trop longue (plus de {MAX_LINE_CHARS} caractères)")
        lines = _decode(block[:-1], name, first_line, at_start)
        at_start = False
        saw_content = True
        yield first_line, lines
        first_line += len(lines)
    if not saw_content:
        raise ImportFileError(name, None, "le fichier est vide")


def _decode(block: bytes, name: str, first_line: int, at_start: bool) -> list[str]:
    # Deleting every text byte is much faster than a regular-expression search over the block.
    if block.translate(None, _TEXT_BYTES):
        binary = _BINARY.search(block)
        line = first_line + block.count(b"\n", 0, binary.start())
        raise ImportFileError(name, line, "données binaires : ce n'est pas un fichier texte")
    if at_start and block.startswith(codecs.BOM_UTF8):
        block = block[len(codecs.BOM_UTF8) :]
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError as error:
        line = first_line + block.count(b"\n", 0, error.start)
        raise ImportFileError(name, line, "le fichier n'est pas encodé en UTF-8") from None
    lines = text.split("\n")
    if max(map(len, lines)) > MAX_LINE_CHARS:
        index = next(i for i, line in enumerate(lines) if len(line) > MAX_LINE_CHARS)
        raise ImportFileError(name, first_line + index, f"ligne trop longue (plus de {MAX_LINE_CHARS} caractères)")
    return lines
