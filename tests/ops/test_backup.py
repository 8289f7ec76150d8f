"""`maillage backup` and `maillage restore`: a round trip into an empty database gives byte-identical exports, on
the database the suite runs on; every bad archive or target is refused in French before anything is touched."""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from maillage.actions.models import Action, ActionFile
from maillage.observatory.models import Response, ResponseStatus
from maillage.ops import backup
from maillage.ops.archive import DATABASE_MEMBERS
from maillage.referentials.models import Region
from maillage.search.services import remove_actions
from maillage.structures.models import Structure
from tests.factories import make_sheet, make_structure
from tests.observatory_check.conftest import clean_answers, questionnaire_for

ROOT = Path(__file__).resolve().parents[2]
# Backups read committed data (pg_dump runs apart; SQLite's backup waits on a writing connection): transactional
# tests, with a flush that truncates with CASCADE
# (on PostgreSQL the search index refers to the sheets) as in tests/browser.
pytestmark = pytest.mark.django_db(transaction=True, available_apps=[config.name for config in apps.get_app_configs()])
# The regions, departments and closed lists: data of a migration, which the flush deletes.
REFERENCE_DATA = import_module("maillage.referentials.migrations.0002_seed_reference_data")


@pytest.fixture(autouse=True)
def reference_data():
    """The reference data back if a previous transactional test flushed it; the sheets out of the search index
    afterwards (on SQLite a virtual table, which the flush leaves alone)."""
    if not Region.objects.exists():
        REFERENCE_DATA.load(apps, None)
    yield
    remove_actions(list(Action.objects.values_list("id", flat=True)))


EXPORTS = {
    "actions.json": ["export_actions", "--format", "json"],
    "structures.json": ["export_structures", "--format", "json"],
    # The observatory's answers, with their questionnaires (whose YAML texts live in the database) and events.
    "observatory.json": ["dumpdata", "observatory", "--indent", "1"],
}


def build_world() -> bytes:
    """A few structures and sheets, one with an attachment, and a campaign with answers; the attachment's bytes."""
    structures = [make_structure(f"Centre social {n}", "13", postcode="13001") for n in range(6)]
    for n, structure in enumerate(structures[:3]):
        make_sheet(f"Ateliers vélo {n}", structure, keywords=["Culture"], summary="Réparer ensemble é ß")
    content = b"%PDF-1.4 compte rendu"
    attachment = ActionFile(action=make_sheet("Jardin partagé", structures[0]), name="compte-rendu.pdf")
    attachment.file.save("compte-rendu.pdf", ContentFile(content))
    questionnaire = questionnaire_for(2025)
    for n, structure in enumerate(structures):
        Response.objects.create(questionnaire=questionnaire, structure=structure, answers=clean_answers(n),
                                status=ResponseStatus.VALIDATED)  # fmt: skip
    return content


def maillage(environment: dict, *arguments: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "maillage.cli", *arguments]
    result = subprocess.run(command, env=environment, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def empty_database(tmp_path):
    """DATABASE_URL of an empty database of the suite's vendor: a new SQLite file, or a new PostgreSQL database
    on the suite's server (dropped afterwards)."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    config = connection.settings_dict
    name = f"maillage_restore_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    yield f"postgres://{config['USER']}{password}@{config['HOST']}:{config['PORT']}/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_restore_into_an_empty_database_gives_the_same_exports(tmp_path, settings, empty_database):
    settings.MEDIA_ROOT = tmp_path / "media"
    attachment = build_world()
    before = {}
    for name, command in EXPORTS.items():
        call_command(*command, "-o", str(tmp_path / name))
        before[name] = (tmp_path / name).read_bytes()
    archives = tmp_path / "archives"
    archives.mkdir()
    call_command("backup", str(archives), stdout=io.StringIO())
    (archive,) = archives.glob("maillage-*.tar.gz")

    restored_media = tmp_path / "restored-media"
    environment = {**os.environ, "DATABASE_URL": empty_database, "MEDIA_ROOT": str(restored_media),
                   "DJANGO_SETTINGS_MODULE": "config.settings.test"}  # fmt: skip
    result = maillage(environment, "restore", str(archive))
    assert f"base {connection.vendor}, 1 fichier joint" in result.stdout
    for name, command in EXPORTS.items():
        maillage(environment, *command, "-o", str(tmp_path / f"restored-{name}"))
        assert (tmp_path / f"restored-{name}").read_bytes() == before[name], name
    assert b"Centre social 5" in before["structures.json"] and b"FIN_CHARGES_TOTAL" in before["observatory.json"]
    (stored,) = (restored_media / "actions").rglob("compte-rendu*.pdf")
    assert stored.read_bytes() == attachment


def test_the_manifest_lists_every_file_with_its_checksum_and_the_migrations(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "actions").mkdir(parents=True)
    (tmp_path / "media" / "actions" / "a.pdf").write_bytes(b"pdf")
    archive, _ = backup.create_backup(tmp_path)
    with tarfile.open(archive) as opened:
        manifest = json.load(opened.extractfile("manifest.json"))
        names = sorted(opened.getnames())
    assert names == sorted([DATABASE_MEMBERS[connection.vendor], "media/actions/a.pdf", "manifest.json"])
    assert manifest["files"]["media/actions/a.pdf"] == {"sha256": hashlib.sha256(b"pdf").hexdigest(), "size": 3}
    assert manifest["migrations"]["observatory"][0] == "0001_initial"
    assert manifest["database"]["vendor"] == connection.vendor
    assert "observatory_questionnaire.sources" in manifest["questionnaires"]
    assert oct(archive.stat().st_mode & 0o777) == "0o600"


def rewritten(archive: Path, target: Path, *, manifest=None, member=None, rename=None) -> Path:
    """A copy of `archive` whose manifest goes through `manifest(dict)`, whose members' bytes go through
    `member(name, bytes)` and names through `rename(name)`; the checksums are left as they were."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as copy:
        for info in source.getmembers():
            content = source.extractfile(info).read()
            if info.name == "manifest.json" and manifest:
                content = json.dumps(manifest(json.loads(content))).encode()
            elif member:
                content = member(info.name, content)
            info.name = rename(info.name) if rename else info.name
            info.size = len(content)
            copy.addfile(info, io.BytesIO(content))
    return target


@pytest.fixture
def stored(tmp_path, settings):
    """An archive of a database with one structure and one attachment, and that database and media left as they
    were: every refusal below must leave them so."""
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "actions").mkdir(parents=True)
    (tmp_path / "media" / "actions" / "a.pdf").write_bytes(b"stored")
    make_structure("Centre social gardé")
    (tmp_path / "archives").mkdir()
    archive, _ = backup.create_backup(tmp_path / "archives")
    yield archive
    assert list(Structure.objects.values_list("name", flat=True)) == ["Centre social gardé"]
    assert (tmp_path / "media" / "actions" / "a.pdf").read_bytes() == b"stored"


def refusal(path: Path, *options: str) -> str:
    with pytest.raises(CommandError) as raised:
        call_command("restore", str(path), *options, stdout=io.StringIO())
    return str(raised.value)


def test_a_database_with_data_is_not_replaced_without_force(stored):
    message = refusal(stored)
    assert message.startswith(f"{stored} n'a pas été restaurée : la base configurée n'est pas vide (1 structure)")
    assert "--force" in message


def test_a_missing_unreadable_corrupt_or_truncated_archive_is_refused(stored, tmp_path):
    assert refusal(tmp_path / "absente.tar.gz") == f"{tmp_path / 'absente.tar.gz'} : fichier introuvable."
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"not an archive at all")
    assert refusal(garbage, "--force") == f"{garbage} : archive illisible ou tronquée."
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(stored.read_bytes()[: stored.stat().st_size // 2])
    assert refusal(truncated, "--force") == f"{truncated} : archive illisible ou tronquée."
    stranger = tmp_path / "stranger.tar.gz"
    with tarfile.open(stranger, "w:gz") as archive:
        archive.add(ROOT / "README.md", arcname="README.md")
    assert "pas de manifest.json : ce n'est pas une archive de Maillage" in refusal(stranger, "--force")
    damaged = rewritten(stored, tmp_path / "damaged.tar.gz", manifest=lambda manifest: {**manifest, "files": [1]})
    assert refusal(damaged, "--force") == f"{damaged} : manifest.json illisible : ce n'est pas une archive de Maillage."


def test_a_member_changed_after_the_backup_is_refused(stored, tmp_path):
    altered = rewritten(stored, tmp_path / "altered.tar.gz",
                        member=lambda name, content: b"changed" if name.startswith("media/") else content)  # fmt: skip
    message = refusal(altered, "--force")
    assert (
        message == f"{altered} : la somme de contrôle de « media/actions/a.pdf » ne correspond pas : archive altérée."
    )


def test_an_unreadable_database_in_a_sound_archive_leaves_the_database_as_it_was(stored, tmp_path):
    member = DATABASE_MEMBERS[connection.vendor]
    garbage = b"not a database " * 200

    def resummed(manifest):
        manifest["files"][member] = {"sha256": hashlib.sha256(garbage).hexdigest(), "size": len(garbage)}
        return manifest

    broken = rewritten(stored, tmp_path / "broken.tar.gz", manifest=resummed,
                       member=lambda name, content: garbage if name == member else content)  # fmt: skip
    message = refusal(broken, "--force")
    assert message.startswith(f"{broken} : ") and message.endswith("la base est restée telle quelle.")


def test_an_archive_from_newer_code_asks_to_update_the_code_first(stored, tmp_path):
    def ahead(manifest):
        manifest["migrations"]["observatory"].append("9999_from_the_future")
        return manifest

    message = refusal(rewritten(stored, tmp_path / "ahead.tar.gz", manifest=ahead), "--force")
    assert "observatory.9999_from_the_future" in message and message.endswith("mettez d'abord le code à jour.")


def test_an_archive_of_the_other_database_engine_is_refused(stored, tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"

    def elsewhere(manifest):
        manifest["database"] = {"vendor": other, "file": DATABASE_MEMBERS[other]}
        manifest["files"][DATABASE_MEMBERS[other]] = manifest["files"].pop(DATABASE_MEMBERS[connection.vendor])
        return manifest

    here = DATABASE_MEMBERS[connection.vendor]
    copy = rewritten(stored, tmp_path / "other.tar.gz", manifest=elsewhere,
                     rename=lambda name: DATABASE_MEMBERS[other] if name == here else name)  # fmt: skip
    message = refusal(copy, "--force")
    assert message.startswith(f"{copy} : archive d'une base {other}, base configurée {connection.vendor}")


def test_backup_into_a_missing_directory_is_refused(tmp_path):
    with pytest.raises(CommandError, match="absent : dossier introuvable"):
        call_command("backup", str(tmp_path / "absent"))


def test_a_failed_backup_leaves_no_file(tmp_path, monkeypatch):
    def broken(output):
        output.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup, "dump_database", broken)
    with pytest.raises(CommandError, match="aucune archive n'est gardée"):
        call_command("backup", str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_only_the_most_recent_archives_are_kept(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    old = [tmp_path / f"maillage-2026010{day}-030000.tar.gz" for day in (1, 2, 3)]
    for path in old:
        path.write_bytes(b"old")
    (tmp_path / "notes.txt").write_text("à garder")
    out = io.StringIO()
    call_command("backup", str(tmp_path), "--keep", "2", stdout=out)
    kept = sorted(path.name for path in tmp_path.iterdir())
    assert kept[0] == old[2].name and kept[-1] == "notes.txt" and len(kept) == 3
    assert f"Ancienne sauvegarde supprimée : {old[0]}" in out.getvalue()


def test_a_restore_from_older_code_applies_the_newer_migrations(tmp_path):
    """An SQLite file whatever the suite's database: what is tested is the migrate step after the restore."""
    older = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'older.sqlite3'}",
             "MEDIA_ROOT": str(tmp_path / "media"), "DJANGO_SETTINGS_MODULE": "config.settings.test"}  # fmt: skip
    maillage(older, "migrate", "-v0")
    maillage(older, "migrate", "audit", "0002_questionnaire_status", "-v0")
    maillage(older, "backup", str(tmp_path))
    (archive,) = tmp_path.glob("maillage-*.tar.gz")
    restored = {**older, "DATABASE_URL": f"sqlite:///{tmp_path / 'restored.sqlite3'}"}
    result = maillage(restored, "restore", str(archive))
    assert "Migrations appliquées ensuite : audit.0003_campaign_action." in result.stdout
    assert "[X]  audit.0003_campaign_action" in maillage(restored, "showmigrations", "--plan").stdout
