"""`maillage backup DIR`: one consistent archive of the database and the attachments, then the oldest pruned.

The database is copied while the site runs: SQLite through its online backup API (one step, under a read
transaction: a consistent snapshot, WAL writers go on), PostgreSQL through `pg_dump -Fc` (one snapshot too). The
archive is written to a hidden temporary file in DIR, readable by its owner only (it holds personal data and
password hashes), and renamed at the end: a failed backup leaves no partial archive.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from .archive import (
    ARCHIVE_NAME,
    DATABASE_MEMBERS,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MEDIA_PREFIX,
    ArchiveError,
    HashingReader,
)

QUESTIONNAIRES_NOTE = "in the database: observatory_questionnaire.sources keeps each questionnaire's YAML texts"


def create_backup(directory: Path, *, keep: int = 14, now: datetime.datetime | None = None) -> tuple[Path, list]:
    """Write the archive into `directory`, then delete all but the `keep` most recent; (archive, deleted)."""
    if not directory.is_dir():
        raise ArchiveError(f"{directory} : dossier introuvable (créez-le d'abord).")
    if keep < 1:
        raise ArchiveError("--keep doit valoir 1 au moins.")
    now = now or timezone.now()
    target = directory / f"maillage-{now:%Y%m%d-%H%M%S}.tar.gz"
    if target.exists():
        raise ArchiveError(f"{target} existe déjà.")
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=".maillage-backup-", suffix=".tmp", dir=directory)
    except OSError as error:
        raise ArchiveError(f"{directory} : impossible d'y écrire ({error.strerror}).") from None
    os.close(descriptor)
    dump = Path(temporary + ".db")
    try:
        vendor = dump_database(dump)
        write_archive(Path(temporary), dump, vendor, now)
        os.replace(temporary, target)
    except OSError as error:
        raise ArchiveError(f"{target} : échec de l'écriture ({error}) ; aucune archive n'est gardée.") from None
    finally:
        for leftover in (Path(temporary), dump):
            leftover.unlink(missing_ok=True)
    return target, prune(directory, keep)


def dump_database(output: Path) -> str:
    """Copy the configured database into `output`; returns its vendor."""
    connection.ensure_connection()
    if connection.in_atomic_block:
        # SQLite's backup of a connection that is writing waits forever; pg_dump would not see the writes.
        raise ArchiveError("La sauvegarde ne se lance pas dans une transaction ouverte.")
    if connection.vendor == "sqlite":
        with sqlite3.connect(output) as copy:
            connection.connection.backup(copy)
        copy.close()
    elif connection.vendor == "postgresql":
        run_postgres_tool(["pg_dump", "--format=custom", "--file", str(output)], "pg_dump")
    else:
        raise ArchiveError(f"Base de données « {connection.vendor} » non prise en charge par la sauvegarde.")
    return connection.vendor


def postgres_environment() -> dict[str, str]:
    """libpq's variables from Django's settings: the password never appears on a command line."""
    config = connection.settings_dict
    values = {
        "PGDATABASE": config["NAME"],
        "PGUSER": config.get("USER"),
        "PGPASSWORD": config.get("PASSWORD"),
        "PGHOST": config.get("HOST"),
        "PGPORT": str(config.get("PORT") or ""),
        "PGSSLMODE": config.get("OPTIONS", {}).get("sslmode"),
    }
    return {**os.environ, **{name: value for name, value in values.items() if value}}


def run_postgres_tool(command: list[str], label: str) -> None:
    try:
        result = subprocess.run(command, env=postgres_environment(), capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ArchiveError(f"{label} introuvable : installez le client PostgreSQL (postgresql-client).") from None
    if result.returncode != 0:
        raise ArchiveError(f"{label} a échoué : {result.stderr.strip()[-2000:]}")


def write_archive(path: Path, dump: Path, vendor: str, now: datetime.datetime) -> None:
    files = {}
    with tarfile.open(path, "w:gz", compresslevel=6) as archive:
        files[DATABASE_MEMBERS[vendor]] = add_file(archive, dump, DATABASE_MEMBERS[vendor])
        media_root = Path(settings.MEDIA_ROOT)
        for source in sorted(media_root.rglob("*")) if media_root.is_dir() else ():
            if source.is_file() and not source.is_symlink():
                name = MEDIA_PREFIX + source.relative_to(media_root).as_posix()
                files[name] = add_file(archive, source, name)
        content = json.dumps(manifest(vendor, now, files), ensure_ascii=False, indent=2).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(content), int(now.timestamp()), 0o600
        archive.addfile(info, io.BytesIO(content))


def add_file(archive: tarfile.TarFile, source: Path, name: str) -> dict:
    with open(source, "rb") as stream:
        info = archive.gettarinfo(fileobj=stream, arcname=name)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = HashingReader(stream)
        archive.addfile(info, reader)
    return {"sha256": reader.digest.hexdigest(), "size": info.size}


def manifest(vendor: str, now: datetime.datetime, files: dict) -> dict:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": now.isoformat(),
        "app_version": metadata.version("maillage"),
        "database": {"vendor": vendor, "file": DATABASE_MEMBERS[vendor]},
        "migrations": applied_migrations(),
        "questionnaires": QUESTIONNAIRES_NOTE,
        "files": files,
    }


def applied_migrations() -> dict[str, list[str]]:
    """App label → names of its applied migrations, in the order they were applied (the last one last)."""
    applied: dict[str, list[str]] = {}
    for app, name in MigrationRecorder.Migration.objects.order_by("id").values_list("app", "name"):
        applied.setdefault(app, []).append(name)
    return applied


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete the archives of `directory` named like ours beyond the `keep` most recent; never any other file."""
    archives = sorted(path for path in directory.iterdir() if ARCHIVE_NAME.match(path.name))
    old = archives[:-keep]
    for path in old:
        path.unlink()
    return old
