"""Reading back the PDFs Maillage makes (plaquettes, sheets), as poppler and a PDF reader see them."""

import re
import subprocess
import zlib


def pdfinfo(data: bytes) -> str:
    """``pdfinfo``'s report: « Pages: », « Tagged: yes »…"""
    return subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout.decode()


def pdf_objects(data: bytes) -> bytes:
    """The PDF's bytes with every Flate stream inflated (WeasyPrint puts the catalog in a compressed object stream):
    where the tags' ``/StructTreeRoot`` and ``/MarkInfo`` are found."""
    parts = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        try:
            parts.append(zlib.decompressobj().decompress(data[match.end() :]))
        except zlib.error:
            continue
    return b"".join(parts)
