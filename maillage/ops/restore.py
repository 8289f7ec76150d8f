"""`maillage restore FILE`: put an archive of `maillage backup` back, after checking all of it.

Order: unpack and check the archive (checksums, manifest, database vendor, migrations not ahead of the code) and
the target database (empty unless `--force`) — nothing stored is touched until then —; then the database (SQLite:
copied into place through the backup API; PostgreSQL: `pg_restore --clean --if-exists --no-owner` in a single
transaction), the attachments (written next to their place and renamed; files not in the archive are left), and
`migrate` when the code has migrations the archive has not. The site is stopped meanwhile.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from maillage.accounts.models import User
from maillage.actions.models import Action
from maillage.french import count_noun
from maillage.observatory.models import Response
from maillage.structures.models import Structure

from .archive import MEDIA_PREFIX, ArchiveError, UnpackedArchive, unpack
from .backup import run_postgres_tool

# What makes a database "not empty": rows people made (a freshly migrated database has none).
CONTENT = ((Structure, "structure"), (Action, "fiche"), (User, "compte"), (Response, "réponse"))


@dataclass
class RestoreResult:
    vendor: str
    media_files: int
    migrated: list[str] = field(default_factory=list)


def restore_backup(path: Path, *, force: bool = False, stdout=None) -> RestoreResult:
    # Unpacked under the data directory rather than /tmp, often a small tmpfs: the database is unpacked whole.
    var = Path(settings.VAR_DIR)
    with tempfile.TemporaryDirectory(prefix=".maillage-restore-", dir=var if var.is_dir() else None) as staging:
        unpacked = unpack(path, Path(staging))
        check_compatible(unpacked)
        if not force:
            check_empty(path)
        restore_database(unpacked)
        count = restore_media(unpacked)
    connection.close()
    plan = pending_migrations()
    if plan:
        call_command("migrate", verbosity=0, stdout=stdout)
    return RestoreResult(unpacked.vendor, count, plan)


def check_compatible(unpacked: UnpackedArchive) -> None:
    path = unpacked.path
    if unpacked.vendor != connection.vendor:
        raise ArchiveError(
            f"{path} : archive d'une base {unpacked.vendor}, base configurée {connection.vendor} : la restauration "
            "d'un moteur de base à l'autre n'est pas prise en charge (passez par les exports JSON)."
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted(unpacked.applied_migrations() - known)
    if unknown:
        names = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        raise ArchiveError(
            f"{path} : l'archive vient d'une version plus récente de Maillage (migrations inconnues de ce code : "
            f"{names}) : mettez d'abord le code à jour."
        )


def check_empty(path: Path) -> None:
    tables = set(connection.introspection.table_names())
    found = []
    with connection.cursor() as cursor:
        for model, label in CONTENT:
            table = model._meta.db_table
            if table in tables:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
                if count := cursor.fetchone()[0]:
                    found.append(count_noun(count, label))
    if found:
        raise ArchiveError(
            f"{path} n'a pas été restaurée : la base configurée n'est pas vide ({', '.join(found)}). "
            "Restaurez dans une base vide, ou ajoutez --force pour la remplacer."
        )


def restore_database(unpacked: UnpackedArchive) -> None:
    connection.ensure_connection()
    if unpacked.vendor == "sqlite":
        source = sqlite3.connect(unpacked.database_file)
        try:
            source.backup(connection.connection)
        except sqlite3.DatabaseError as error:
            raise ArchiveError(
                f"{unpacked.path} : la base de l'archive est illisible ({error}) ; la base est restée telle quelle."
            ) from None
        finally:
            source.close()
    else:
        command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
        command += ["--dbname", connection.settings_dict["NAME"], str(unpacked.database_file)]
        try:
            run_postgres_tool(command, "pg_restore")
        except ArchiveError as error:
            raise ArchiveError(f"{unpacked.path} : {error} ; la base est restée telle quelle.") from None


def restore_media(unpacked: UnpackedArchive) -> int:
    media_root = Path(settings.MEDIA_ROOT)
    names = unpacked.media_files()
    for name in names:
        target = media_root.joinpath(*name.removeprefix(MEDIA_PREFIX).split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.restoring")
        shutil.copyfile(unpacked.staging / name, temporary)
        os.replace(temporary, target)
    return len(names)


def pending_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]
