"""Imports of action sheets: the file read and planned with no transaction, then written in one, all or nothing.

The command line and the web upload both call these functions.
"""

from collections.abc import Callable
from pathlib import Path

from maillage.referentials.models import Department

from .action_loader import ActionPlanner, ActionWriter, published_state
from .pipeline import ParseSettings, gc_paused, prepared_sheets
from .reading import ImportFileError
from .reports import ImportReport
from .transactions import write_import


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
    """Import one text export of action sheets. Raises `ImportFileError` on bad input, having written nothing.

    The file is parsed and every sheet decided on with no transaction (a dry run stops there); only then are the
    decisions written, in one transaction: the database's write lock is held for the writes alone."""
    name = display_name or Path(path).name
    report = ImportReport(filename=name, dry_run=dry_run)
    with gc_paused(), ActionPlanner(report, update_matching=update_matching) as planner:
        _plan_actions(path, name, planner, progress)
        if not dry_run:
            writer = ActionWriter(planner, state=published_state(draft), year=year, acting_user=acting_user)
            write_import(writer.write)
    return report


def _plan_actions(path, name: str, planner: ActionPlanner, progress) -> None:
    report = planner.report
    found = False
    settings = ParseSettings(
        name=name,
        department_names=list(Department.objects.values_list("name", flat=True)),
        known_labels=planner.known_labels(),
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
        planner.add(sheet, prepared.digest, prepared.title_key, prepared.unknown_labels)
    if not found:
        raise ImportFileError(
            name,
            1,
            "aucune fiche action trouvée (une fiche commence par une ligne « Actions » suivie de son titre)",
        )
    planner.finish()
