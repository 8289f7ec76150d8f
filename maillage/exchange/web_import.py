"""Imports from the web: upload, dry run with its report, then the real import, by the command's code.

Both runs are background jobs (`import_jobs`). The uploaded file is kept outside the public media, under a random
name, until it is imported or refused, or abandoned (files older than a day are removed at the next upload).
Its type is checked from its content:
UTF-8 text for the text formats and CSV, a zip holding a workbook within the limits of `workbooks` for XLSX
(declared sizes: a small zip must not inflate into gigabytes of XML). Correspondents import only
what belongs to their departments: every structure or sheet read is checked before anything is written.
"""

import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import models

from maillage.accounts import perms
from maillage.audit.models import AuditAction
from maillage.audit.services import log_event
from maillage.referentials.models import Department
from maillage.structures.models import Structure
from maillage.structures.siret import is_valid_siret

from . import action_text, structure_text
from .reading import ImportFileError, iter_line_blocks
from .reports import ImportReport
from .services import import_actions
from .structure_import import import_structures
from .structure_table import department_codes, import_structure_table, read_structure_table
from .transactions import BUSY_MESSAGE, AlreadyCommitted, is_database_busy
from .workbooks import XLSX_MAGIC, check_workbook

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_NAME_CHARS = 200
MAX_LISTED_ERRORS = 200
STALE_AFTER_SECONDS = 24 * 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")


class ImportKind(models.TextChoices):
    ACTIONS = "actions", "Fiches actions (export texte de la banque d'actions)"
    STRUCTURES = "structures", "Structures (export texte de l'annuaire)"
    STRUCTURE_TABLE = "structure_table", "Structures (tableau CSV ou XLSX, une ligne par structure)"


@dataclass(frozen=True)
class PendingImport:
    """An uploaded file waiting for its confirmation."""

    token: str
    filename: str
    kind: str
    draft: bool = False

    @property
    def path(self) -> Path:
        if not _TOKEN.fullmatch(self.token):
            raise ValueError("jeton d'import invalide")
        return upload_dir() / self.token

    def as_dict(self) -> dict:
        return {"token": self.token, "filename": self.filename, "kind": self.kind, "draft": self.draft}


@dataclass
class WebImportResult:
    report: ImportReport | None
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.report is not None and not self.errors


def upload_dir() -> Path:
    directory = Path(getattr(settings, "IMPORT_UPLOAD_DIR", None) or Path(settings.VAR_DIR) / "imports")
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    return directory


def display_name(raw: str) -> str:
    """The file's name as people gave it, without any directory, for messages only."""
    name = re.split(r"[\\/]", raw or "")[-1].strip() or "fichier"
    return "".join(char for char in name if char.isprintable())[:MAX_NAME_CHARS]


def store_upload(uploaded, *, kind: str, draft: bool = False) -> PendingImport:
    """Keep an uploaded file for its dry run; raises `ImportFileError` (in French) when it cannot be imported."""
    purge_stale_uploads()
    name = display_name(uploaded.name)
    if uploaded.size > MAX_UPLOAD_BYTES:
        raise ImportFileError(name, None, f"fichier trop gros (plus de {MAX_UPLOAD_BYTES // (1024 * 1024)} Mo)")
    pending = PendingImport(token=secrets.token_urlsafe(32), filename=name, kind=kind, draft=draft)
    path = pending.path
    try:
        with open(path, "xb") as stream:
            path.chmod(0o600)
            for chunk in uploaded.chunks():
                stream.write(chunk)
        check_content(path, kind, name)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return pending


def check_content(path: Path, kind: str, name: str) -> None:
    """The file is what its kind says, judging from its bytes (never from its name)."""
    with open(path, "rb") as stream:
        head = stream.read(4)
    if not head:
        raise ImportFileError(name, None, "le fichier est vide")
    if head == XLSX_MAGIC:
        if kind != ImportKind.STRUCTURE_TABLE:
            raise ImportFileError(name, None, "c'est une archive ou un classeur, pas un fichier texte")
        check_workbook(path, name)
        return
    for _ in iter_line_blocks(path, display_name=name):  # raises on binary data or another encoding than UTF-8
        pass


def discard(pending: PendingImport) -> None:
    pending.path.unlink(missing_ok=True)


def purge_stale_uploads() -> None:
    limit = time.time() - STALE_AFTER_SECONDS
    for path in upload_dir().iterdir():
        if _TOKEN.fullmatch(path.name) and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def run_web_import(
    pending: PendingImport, *, user, dry_run: bool, request=None, progress: Callable[[int], None] | None = None
) -> WebImportResult:
    """Dry run or real import of a stored upload; a real import is refused while the dry run finds errors.
    `progress` is told the bytes read, for the text formats and CSV."""
    try:
        errors = scope_errors(pending, user)
        if errors and not dry_run:
            return WebImportResult(None, errors)
        report = _import(pending, user, dry_run, progress)
    except ImportFileError as error:
        return WebImportResult(None, [str(error)])
    except AlreadyCommitted:
        raise
    except Exception as error:  # noqa: BLE001 - the file's transaction is rolled back; details go to the log
        if is_database_busy(error):
            return WebImportResult(None, [f"{pending.filename}: {BUSY_MESSAGE}"])
        logger.exception("Import web de %s", pending.filename)
        return WebImportResult(
            None, [f"{pending.filename}: erreur inattendue pendant l'import ({type(error).__name__})"]
        )
    if not dry_run:
        log_event(
            AuditAction.IMPORT,
            actor=user,
            request=request,
            filename=pending.filename,
            kind=pending.kind,
            summary=report.summary(_noun(pending.kind)),
            created=report.created,
            updated=report.updated,
        )
    return WebImportResult(report, errors)


def _noun(kind: str) -> str:
    return "fiche" if kind == ImportKind.ACTIONS else "structure"


def summary(result: WebImportResult, kind: str) -> str:
    return result.report.summary(_noun(kind)) if result.report else ""


def _import(pending: PendingImport, user, dry_run: bool, progress=None) -> ImportReport:
    common = {"dry_run": dry_run, "acting_user": user, "display_name": pending.filename}
    if pending.kind == ImportKind.ACTIONS:
        return import_actions(pending.path, draft=pending.draft, progress=progress, **common)
    if pending.kind == ImportKind.STRUCTURES:
        return import_structures(pending.path, progress=progress, **common)
    if pending.kind == ImportKind.STRUCTURE_TABLE:
        return import_structure_table(pending.path, progress=progress, **common)
    raise ValueError(f"type d'import inconnu : {pending.kind}")


# Departments of what a file holds, for correspondents.


@dataclass(frozen=True)
class _Item:
    line: int
    label: str
    department_code: str | None
    siret: str = ""


def scope_errors(pending: PendingImport, user) -> list[str]:
    """One error per structure or sheet of the file outside the person's departments (none for national admins)."""
    if perms.is_national_admin(user):
        return []
    allowed = dict(Department.objects.filter(pk__in=perms.department_ids(user)).values_list("code", "id"))
    name = pending.filename
    errors, sirets = [], {}
    for item in _items(pending):
        if item.department_code is None:
            errors.append(
                f"{name}:{item.line}: {item.label} : département inconnu ; seul un administrateur national peut "
                "importer ce qui n'a pas de département"
            )
        elif item.department_code not in allowed:
            errors.append(
                f"{name}:{item.line}: {item.label} est dans le département {item.department_code}, "
                "hors de vos départements"
            )
        elif is_valid_siret(item.siret):
            sirets.setdefault(item.siret, item)
    errors += _foreign_siret_errors(name, sirets, set(allowed.values()))
    if len(errors) > MAX_LISTED_ERRORS:
        errors = [*errors[:MAX_LISTED_ERRORS], f"… et {len(errors) - MAX_LISTED_ERRORS} autres erreurs"]
    return errors


def _foreign_siret_errors(name: str, sirets: dict[str, _Item], allowed_ids: set[int]) -> list[str]:
    """A SIRET identifies a stored structure: the file must not update one of another department through it."""
    foreign = Structure.objects.filter(siret__in=list(sirets)).exclude(department_id__in=allowed_ids)
    return [
        f"{name}:{sirets[siret].line}: le numéro SIRET {siret} est celui d'une structure hors de vos départements"
        for siret in sorted(set(foreign.values_list("siret", flat=True)), key=lambda s: sirets[s].line)
    ]


def _items(pending: PendingImport):
    path, name = pending.path, pending.filename
    if pending.kind == ImportKind.ACTIONS:
        return _sheet_items(path, name)
    if pending.kind == ImportKind.STRUCTURES:
        parsed = structure_text.parse_blocks(iter_line_blocks(path, display_name=name))
    else:
        parsed = read_structure_table(path, name, department_codes())
    return (_structure_item(structure) for structure in parsed if structure.record)


def _structure_item(parsed) -> _Item:
    label = f"la structure « {parsed.record['name'][:80]} »"
    code = None if "department" in parsed.missing else parsed.department_code
    line = parsed.lines.get("postcode", parsed.line)
    return _Item(line, label, code, parsed.record.get("siret") or "")


def _sheet_items(path: Path, name: str):
    codes = dict(Department.objects.values_list("name", "code"))
    matcher = action_text.DepartmentMatcher(codes)
    try:
        for sheet in action_text.parse_blocks(iter_line_blocks(path, display_name=name), matcher):
            if not sheet.record:
                continue
            structure = sheet.record.get("structure")
            label = f"la fiche « {sheet.record['title'][:80]} »"
            line = sheet.field_lines.get("structure", sheet.line)
            if structure is None:
                yield _Item(line, f"{label} (sans structure organisatrice)", None)
            else:
                yield _Item(line, label, codes.get(structure["department"]) if structure["department"] else None)
    except action_text.ParseError as error:
        raise ImportFileError(name, error.line, error.message) from None
