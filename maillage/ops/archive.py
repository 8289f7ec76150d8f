"""What a backup archive holds and how it is read back: the manifest, the members, their checksums.

An archive is one `maillage-YYYYmmdd-HHMMSS.tar.gz` (UTC): `database.sqlite3` (SQLite's online backup API) or
`database.pgdump` (`pg_dump -Fc`), the attachments under `media/`, and `manifest.json`, written last, which names
every other member with its SHA-256 and size. Questionnaires live in the database (`Questionnaire.sources` keeps
their YAML texts), so they come with it. Reading an archive unpacks it into a staging directory and checks it
whole before anything stored is touched.
"""

from __future__ import annotations

import hashlib
import json
import re
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

FORMAT = "maillage-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MEDIA_PREFIX = "media/"
ARCHIVE_NAME = re.compile(r"^maillage-\d{8}-\d{6}\.tar\.gz$")
CHUNK = 1024 * 1024


class ArchiveError(Exception):
    """A French message naming the archive, for the command line."""


class HashingReader:
    """Reads a file for `tarfile.addfile` and keeps the SHA-256 of what was read."""

    def __init__(self, stream):
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        return data


@dataclass
class UnpackedArchive:
    path: Path
    staging: Path
    manifest: dict

    @property
    def vendor(self) -> str:
        return self.manifest["database"]["vendor"]

    @property
    def database_file(self) -> Path:
        return self.staging / self.manifest["database"]["file"]

    def media_files(self) -> list[str]:
        return [name for name in self.manifest["files"] if name.startswith(MEDIA_PREFIX)]

    def applied_migrations(self) -> set[tuple[str, str]]:
        return {(app, name) for app, names in self.manifest["migrations"].items() for name in names}


def unpack(path: Path, staging: Path) -> UnpackedArchive:
    """Unpack `path` into `staging` and check it: readable, a manifest of this format, every file listed present
    with its checksum and size, nothing else. Raises ArchiveError."""
    if not path.is_file():
        raise ArchiveError(f"{path} : fichier introuvable.")
    try:
        with tarfile.open(path, "r:*") as archive:
            found = _extract(archive, staging, path)
    except PermissionError:
        raise ArchiveError(f"{path} : fichier illisible (permission refusée).") from None
    except (tarfile.TarError, EOFError, zlib.error, OSError):
        raise ArchiveError(f"{path} : archive illisible ou tronquée.") from None
    manifest = _read_manifest(path, staging, found)
    listed = manifest["files"]
    for name in sorted(set(found) - {MANIFEST}):
        if name not in listed:
            raise ArchiveError(f"{path} : « {name} » n'est pas dans le manifeste.")
    for name, expected in listed.items():
        if name not in found:
            raise ArchiveError(f"{path} : « {name} », annoncé par le manifeste, manque dans l'archive.")
        if found[name] != (expected["sha256"], expected["size"]):
            raise ArchiveError(f"{path} : la somme de contrôle de « {name} » ne correspond pas : archive altérée.")
    return UnpackedArchive(path, staging, manifest)


def _extract(archive: tarfile.TarFile, staging: Path, path: Path) -> dict[str, tuple[str, int]]:
    """Regular files only, under safe relative names; returns name → (sha256, size)."""
    found = {}
    for member in archive:
        name = member.name
        parts = PurePosixPath(name).parts
        if not member.isfile() or name.startswith("/") or ".." in parts or not parts:
            raise ArchiveError(f"{path} : membre inattendu « {name} » : ce n'est pas une archive de Maillage.")
        target = staging.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        source = archive.extractfile(member)
        reader = HashingReader(source)
        size = 0
        with open(target, "wb") as output:
            while chunk := reader.read(CHUNK):
                output.write(chunk)
                size += len(chunk)
        found[name] = (reader.digest.hexdigest(), size)
    return found


def _read_manifest(path: Path, staging: Path, found: dict) -> dict:
    if MANIFEST not in found:
        raise ArchiveError(f"{path} : pas de {MANIFEST} : ce n'est pas une archive de Maillage.")
    try:
        manifest = json.loads((staging / MANIFEST).read_text(encoding="utf-8"))
    except ValueError:
        manifest = None
    if not _well_formed(manifest):
        raise ArchiveError(f"{path} : {MANIFEST} illisible : ce n'est pas une archive de Maillage.")
    if manifest["format_version"] != FORMAT_VERSION:
        raise ArchiveError(
            f"{path} : format de sauvegarde {manifest['format_version']}, cette version de Maillage lit le format "
            f"{FORMAT_VERSION}."
        )
    database = manifest["database"]
    if database["file"] != DATABASE_MEMBERS.get(database["vendor"]):
        raise ArchiveError(f"{path} : base de données « {database['vendor']} » inconnue.")
    return manifest


def _well_formed(manifest) -> bool:
    """The shape the rest of the restore relies on, so that a damaged manifest is a message, not a traceback."""
    try:
        return (
            manifest["format"] == FORMAT
            and isinstance(manifest["format_version"], int)
            and all(isinstance(manifest["database"][key], str) for key in ("vendor", "file"))
            and all(isinstance(names, list) for names in manifest["migrations"].values())
            and all(isinstance(f["sha256"], str) and isinstance(f["size"], int) for f in manifest["files"].values())
        )
    except (KeyError, TypeError, AttributeError):
        return False
