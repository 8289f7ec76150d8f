"""Imports as transactions: each file is imported whole or not at all.

The command line and the web upload both call these functions.
"""

from collections.abc import Callable
from pathlib import Path

from maillage.referentials.models import Department

from .action_loader import ActionLoader, published_state
from .pipeline import ParseSettings, gc_paused, prepared_sheets
from .reading import ImportFileError
from .reports import ImportReport
from .transactions import run_import


def import_actions(
    path: Path | str,
    *,
    dry_run: bool = False,
    draft: bool = False,
    year: int | None = None,
    update_matching: bool = False,
    acting_user=None,
    display_name: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import one text export of action sheets. Raises `ImportFileError` on bad input, having written nothing."""
    name = display_name or Path(path).name
    report = ImportReport(filename=name, dry_run=dry_run)
    with gc_paused():
        run_import(
            lambda: _load_actions(path, name, report, draft, year, update_matching, acting_user, progress),
            dry_run=dry_run,
        )
    return report


def _load_actions(path, name, report, draft, year, update_matching, acting_user, progress) -> None:
    loader = ActionLoader(
        report,
        state=published_state(draft),
        year=year,
        update_matching=update_matching,
        acting_user=acting_user,
    )
    found = False
    settings = ParseSettings(
        name=name,
        department_names=list(Department.objects.values_list("name", flat=True)),
        known_labels=loader.known_labels(),
    )
    for prepared in prepared_sheets(path, settings, progress):
        sheet = prepared.sheet
        if sheet.errors:
            first = sheet.errors[0]
            raise ImportFileError(name, first.line, first.message)
        if not sheet.record:
            for warning in sheet.warnings:
                report.warn(warning.line, warning.message)
            continue
        found = True
        loader.add(sheet, prepared.digest, prepared.title_key, prepared.unknown_labels)
    if not found:
        raise ImportFileError(
            name,
            1,
            "aucune fiche action trouvée (une fiche commence par une ligne « Actions » suivie de son titre)",
        )
    loader.finish()
