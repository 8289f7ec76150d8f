"""Attached files (« Fichier(s) associé(s) »): what may be attached, how it is stored and named.

The type of a file is read from its content (magic bytes; for the zip-based office formats, the
zip's `mimetype` entry or `[Content_Types].xml`), never from its name: a `.pdf` that is really a
program is refused. Files are stored under random names; the name the person gave is kept only
for display and for the download's `Content-Disposition`.
"""

import errno
import logging
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction

logger = logging.getLogger(__name__)

MAX_FILE_SIZE = 10 * 1024 * 1024
MAX_FILES_PER_SHEET = 5
MAX_NAME_LENGTH = 150
# Only the small manifest of a zip is read: never decompress more than this (zip bombs).
MAX_MANIFEST_SIZE = 512 * 1024


@dataclass(frozen=True)
class FileType:
    mime: str
    extension: str
    label: str


PDF = FileType("application/pdf", ".pdf", "PDF")
PNG = FileType("image/png", ".png", "image PNG")
JPEG = FileType("image/jpeg", ".jpg", "image JPEG")
WEBP = FileType("image/webp", ".webp", "image WebP")
ODT = FileType("application/vnd.oasis.opendocument.text", ".odt", "texte OpenDocument")
ODS = FileType("application/vnd.oasis.opendocument.spreadsheet", ".ods", "tableur OpenDocument")
ODP = FileType("application/vnd.oasis.opendocument.presentation", ".odp", "présentation OpenDocument")
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "document Word")
XLSX = FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "classeur Excel")
PPTX = FileType(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx", "présentation PowerPoint"
)
FILE_TYPES = (PDF, PNG, JPEG, WEBP, ODT, ODS, ODP, DOCX, XLSX, PPTX)
BY_EXTENSION = {file_type.extension: file_type for file_type in FILE_TYPES} | {".jpeg": JPEG}
ODF_TYPES = {file_type.mime: file_type for file_type in (ODT, ODS, ODP)}
# Main part of an Office Open XML package → its type (macro-enabled variants are not listed: refused).
OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
}
ACCEPTED_TYPES_TEXT = "PDF, images (PNG, JPEG, WebP), documents bureautiques (odt, ods, odp, docx, xlsx, pptx)"
ACCEPT_ATTRIBUTE = ",".join([*BY_EXTENSION, *(file_type.mime for file_type in FILE_TYPES)])

_OOXML_CONTENT_TYPE = re.compile(rb'ContentType="([^"]+)"')
_UNSAFE_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')


def detect_type(uploaded) -> FileType | None:
    """The type of an uploaded file, read from its content; None if it is not one we accept."""
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04"):
        return _office_type(uploaded)
    return None


def _office_type(uploaded) -> FileType | None:
    try:
        with zipfile.ZipFile(uploaded) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                return ODF_TYPES.get(_read_small(archive, "mimetype").strip().decode("ascii", "replace"))
            if "[Content_Types].xml" in names:
                manifest = _read_small(archive, "[Content_Types].xml")
                found = {match.decode("ascii", "replace") for match in _OOXML_CONTENT_TYPE.findall(manifest)}
                return next((OOXML_MAIN_PARTS[mime] for mime in found if mime in OOXML_MAIN_PARTS), None)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return None
    finally:
        uploaded.seek(0)
    return None


def _read_small(archive: zipfile.ZipFile, name: str) -> bytes:
    if archive.getinfo(name).file_size > MAX_MANIFEST_SIZE:
        return b""
    with archive.open(name) as member:
        return member.read(MAX_MANIFEST_SIZE)


def check_upload(uploaded) -> FileType:
    """The type of an acceptable upload, or a `ValidationError` saying in French what is wrong."""
    name = display_name(uploaded.name)
    if uploaded.size > MAX_FILE_SIZE:
        size = f"{uploaded.size / 1024 / 1024:.1f}".replace(".", ",")
        raise ValidationError(
            f"« {name} » pèse {size} Mo : la limite est de 10 Mo par fichier.",
            code="too_big",
        )
    if uploaded.size == 0:
        raise ValidationError(f"« {name} » est vide.", code="empty")
    file_type = detect_type(uploaded)
    if file_type is None:
        raise ValidationError(
            f"« {name} » n'est pas d'un type accepté (le contenu du fichier est vérifié, pas son nom). "
            f"Types acceptés : {ACCEPTED_TYPES_TEXT}.",
            code="bad_type",
        )
    return file_type


def display_name(name: str, file_type: FileType | None = None) -> str:
    """The name given by the person, made safe to show and to send back: no path, no control or
    quoting characters, a bounded length, and the extension of the real type."""
    name = unicodedata.normalize("NFC", PurePath(str(name).replace("\\", "/")).name)
    name = _UNSAFE_NAME_CHARS.sub("_", name).strip(" .") or "fichier"
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    if file_type is not None and BY_EXTENSION.get(f".{suffix.lower()}") != file_type:
        stem, suffix = name, file_type.extension.lstrip(".")
    stem = stem[: MAX_NAME_LENGTH - len(suffix) - 1]
    return f"{stem}.{suffix}" if suffix else stem


def random_name(file_type: FileType) -> str:
    """Storage name: nothing of the person's name reaches the file system."""
    return f"{uuid.uuid4().hex}{file_type.extension}"


class FileNotStored(Exception):
    """An upload could not be written (the disk is full): nothing of it is left; the message is for the person."""


def save_file(path: str, uploaded) -> str:
    """Write `uploaded` at `path` in the storage; returns the stored path. A write that fails midway (full disk)
    leaves no partial file, and raises `FileNotStored` with a French message."""
    uploaded.seek(0)
    try:
        return default_storage.save(path, uploaded)
    except OSError as error:
        if default_storage.exists(path):
            default_storage.delete(path)
        logger.error("Fichier joint non enregistré (%s) : %s", path, error)
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise FileNotStored(
                f"Le fichier « {uploaded.name} » n'a pas pu être enregistré : le serveur n'a plus de place. Rien "
                "n'a été enregistré ; réessayez plus tard ou prévenez l'administrateur du site."
            ) from error
        raise FileNotStored(
            f"Le fichier « {uploaded.name} » n'a pas pu être enregistré à cause d'une erreur du serveur. Rien n'a été "
            "enregistré ; réessayez plus tard ou prévenez l'administrateur du site."
        ) from error


def store_upload(uploaded, file_type: FileType) -> str:
    """Store an upload under `actions/pending/<random>` and return its storage path (for proposals
    that are not applied yet; applied files use `ActionFile.file`'s own `upload_to`)."""
    return save_file(f"actions/pending/{random_name(file_type)}", uploaded)


def type_of_stored(path: str) -> FileType | None:
    """The type of a stored file, from the extension we gave it when we stored it."""
    return BY_EXTENSION.get(PurePath(path).suffix.lower())


IMAGE_TYPES = (PNG, JPEG, WEBP)


def is_stored_image(stored_file) -> bool:
    """Whether a stored attachment is an image by its content (not only its name): the sheet shows it inline."""
    if type_of_stored(stored_file.name) not in IMAGE_TYPES:
        return False
    try:
        with stored_file.open("rb") as handle:
            return detect_type(handle) in IMAGE_TYPES
    except OSError:  # missing from storage: listed as a link, as before
        return False


def delete_after_commit(paths: list[str]) -> None:
    """Remove files from storage once the transaction that stopped referencing them is committed."""
    paths = [path for path in paths if path]
    if paths:
        transaction.on_commit(lambda: delete_now(paths))


def delete_now(paths: list[str]) -> None:
    for path in paths:
        default_storage.delete(path)


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII fallback name and the real name as RFC 5987 `filename*`."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_name = _UNSAFE_NAME_CHARS.sub("_", ascii_name).replace("%", "_").strip() or "fichier"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
