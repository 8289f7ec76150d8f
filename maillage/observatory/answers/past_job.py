"""Past answers imported in the background: the runner of `exchange.import_jobs` for this kind of job.

The job's options hold the campaign year and the « replace » choice made on the upload form; the file is read and
checked by `past_import.import_past_answers`, as the command does. Registered when the observatory is ready."""

from maillage.exchange.import_jobs import READING, JobProgress, Outcome, failure, register_runner, stored_file
from maillage.exchange.models import ImportJob, JobKind
from maillage.exchange.reading import ImportFileError

from .past_import import PastImportError, import_past_answers
from .past_table import PastImportReport, describe_file_error

MAX_LISTED = 200


def run_past_answers(job: ImportJob, progress: JobProgress) -> Outcome:
    progress.phase(READING)
    year, replace = int(job.options["year"]), bool(job.options.get("replace"))
    try:
        report = import_past_answers(
            stored_file(job),
            year=year,
            replace=replace,
            dry_run=job.dry_run,
            acting_user=job.started_by,
            display_name=job.filename,
            progress=progress.rows,
        )
    except ImportFileError as error:
        return Outcome(False, {"errors": [describe_file_error(error)]})
    except PastImportError as error:
        return failure(job, str(error))
    return Outcome(report.ok, report_data(report))


def report_data(report: PastImportReport) -> dict:
    """The report as the job keeps it (JSON): each error names the file, the line and the column."""
    errors, warnings = report.errors, report.warnings
    answers = report.to_create + report.to_replace
    return {
        "summary": report.summary(),
        "counts": [
            ["Campagne (année observée)", report.year],
            ["Lignes lues", report.rows],
            ["Réponses à créer" if report.dry_run else "Réponses créées", report.to_create],
            ["Réponses à remplacer" if report.dry_run else "Réponses remplacées", report.to_replace],
            ["Erreurs", len(errors)],
            ["Avertissements", len(warnings)],
            ["Réponses saisies sur le site", "remplacées" if report.replace else "gardées"],
        ],
        "errors": [f"{report.filename} : {issue}" for issue in errors[:MAX_LISTED]],
        "more_errors": max(len(errors) - MAX_LISTED, 0),
        "warnings": [f"{report.filename} : {issue}" for issue in warnings[:MAX_LISTED]],
        "more_warnings": max(len(warnings) - MAX_LISTED, 0),
        "confirm_label": f"Confirmer l'import de {answers} réponse{'s' if answers > 1 else ''}",
    }


register_runner(JobKind.PAST_ANSWERS, run_past_answers)
