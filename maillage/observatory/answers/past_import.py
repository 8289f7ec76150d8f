"""Answers of past campaigns imported from a table (CSV or XLSX): one row per structure, one column per question.

The first row names the columns. A structure is identified by `id` or `Identifiant` (its number in Maillage, as
in the exports and the API) or `siret` (when one structure only has it); its name and the other identity
columns of the answers export (`answer_export.IDENTITY`) may be there for the reader and are not read. Every
other column is a question code of the campaign's questionnaires (CSX or EVS, whichever the structure answers),
or `CODE.ligne.colonne` for a cell of a grid question. Cells are read as the form reads them
(`values.parse_answer`: "12 500", "12,5", "oui"); a multiple choice lists its options separated by `|`. Empty
cells are no answer. The format is described in `docs/formats.md`.

Each row is checked as the questionnaire checks a form (`validation.validate`): unreadable values, values out of
range and broken rules of severity "error" are errors; unlikely values, rules of severity "warning", answers to
questions hidden by their condition (not stored) and required questions left empty are warnings. Errors name the
line and the column; one error anywhere and nothing is stored.

A row creates the structure's response, or replaces all its answers, with the state « validé »: past campaigns
are data already checked. A response whose answers were given on the site (or corrected by a correspondent after
an import) is replaced only when asked (`replace=True`, `--replace`); one that only holds an earlier import of
the same campaign is replaced without asking, so that a corrected file can be imported again. A replaced
response keeps its history: the correspondents' cleaning rules are applied again (`corrections.replay_cleaning_rules`)
and its unresolved flags are closed. Coherence flags are not raised: the data were checked in their time.

The file is read and checked with no transaction, which is all a dry run does; a real run then writes, in one
transaction (`exchange.transactions.write_import`), every response, a `ResponseEvent` for each and one audit entry,
and recomputes the year's aggregates (`aggregates.refresh_year`), all or nothing. Errors found, it writes nothing
at all. The table is read by `past_table.py`, with the structure table's reader (UTF-8 CSV, `;` or
`,`, or the first sheet of an XLSX workbook).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone

from maillage.audit.models import AuditAction
from maillage.audit.services import log_event
from maillage.exchange.reading import ImportFileError
from maillage.exchange.transactions import write_import
from maillage.observatory.definitions.wording import campaign_label
from maillage.parameters import MAX_ID, whole_number
from maillage.structures.models import Structure, StructureKind

from ..checks import states
from ..checks.checking import UNRESOLVED
from ..checks.corrections import REPLAY_PREFIX, broken_rules, cleaning_rules_of, replay_cleaning_rules, replayed_values
from ..definitions.questionnaire import Questionnaire as Definition
from ..definitions.validation import validate
from ..definitions.values import is_empty, to_json
from ..figures.aggregates import refresh_year
from ..models import Campaign, Flag, FlagStatus, Questionnaire, Response, ResponseEvent, ResponseStatus
from .past_table import Layout, PastImportReport, cell, cell_text, read_cell, read_layout, siret_text, table_rows

IMPORT_PREFIX = "Import d'une campagne passée : "
AUDIT_KIND = "observatory_answers"
BATCH = 500


class PastImportError(Exception):
    """The import cannot start (no campaign, no questionnaire); the message is in French."""


# --- The campaign -----------------------------------------------------------------------------------------------


def campaign_questionnaires(year: int) -> tuple[Campaign, dict[str, tuple[Questionnaire, Definition]]]:
    """The campaign of `year` and its questionnaires by kind, with their definitions."""
    campaign = Campaign.objects.filter(year=year).first()
    if campaign is None:
        raise PastImportError(
            f"Il n'y a pas de campagne {campaign_label(year)} : créez-la et chargez son questionnaire d'abord."
        )
    found = {q.kind: (q, q.definition()) for q in Questionnaire.objects.filter(campaign=campaign)}
    if not found:
        raise PastImportError(
            f"La campagne {campaign_label(year)} n'a pas de questionnaire chargé : chargez-le d'abord."
        )
    return campaign, found


# --- Rows ------------------------------------------------------------------------------------------------------


@dataclass
class Plan:
    """What one row of the file will store."""

    line: int
    structure: Structure
    questionnaire: Questionnaire
    answers: dict
    existing: Response | None = None


class RowChecker:
    """Reads the rows of a file against the campaign's questionnaires; errors and warnings go to the report."""

    def __init__(self, report: PastImportReport, layout: Layout, questionnaires: dict, structures: StructureIndex):
        self.report, self.layout, self.questionnaires, self.structures = report, layout, questionnaires, structures
        self.seen: dict[int, int] = {}  # structure id → line

    def check(self, line: int, row: list) -> Plan | None:
        self.report.rows += 1
        self._unnamed_cells(line, row)
        structure = self._structure(line, row)
        if structure is None:
            return None
        if structure.pk in self.seen:
            self._error(line, f"la structure « {structure.name} » est déjà à la ligne {self.seen[structure.pk]}")
            return None
        self.seen[structure.pk] = line
        if structure.kind not in self.questionnaires:
            self._error(line, _no_questionnaire(structure, self.report.year))
            return None
        questionnaire, definition = self.questionnaires[structure.kind]
        answers = self._answers(line, row, definition, structure)
        if answers is None:
            return None
        stored = self._validated(line, definition, answers)
        return None if stored is None else Plan(line, structure, questionnaire, stored)

    def _error(self, line: int, message: str) -> None:
        header, index = self.layout.identifier
        self.report.error(line, header, message, index)

    def _unnamed_cells(self, line: int, row: list) -> None:
        for index in range(len(row)):
            if index not in self.layout.named and not is_empty(cell(row, index)):
                self.report.error(line, f"n° {index + 1}", "valeur dans une colonne sans nom : elle ne serait pas lue",
                                  index)  # fmt: skip

    def _structure(self, line: int, row: list) -> Structure | None:
        raw_id = cell_text(cell(row, self.layout.id_index))
        raw_siret = siret_text(cell(row, self.layout.siret_index))
        if not raw_id and not raw_siret:
            headers = self.layout.identifier_headers
            self.report.error(line, headers, "structure non identifiée : cellule vide", self.layout.identifier[1])
            return None
        by_id = self._by_id(line, raw_id) if raw_id else None
        if raw_id and by_id is None:
            return None
        by_siret = self._by_siret(line, raw_siret, quiet=by_id is not None) if raw_siret else None
        if by_id is not None and by_siret is not None and by_id.pk != by_siret.pk:
            headers = (self.layout.id_header, self.layout.siret_header)
            self.report.error(line, headers, f"l'identifiant {raw_id} est celui de « {by_id.name} », "
                              f"le SIRET {raw_siret} celui de « {by_siret.name} »", self.layout.id_index)  # fmt: skip
            return None
        return by_id or by_siret

    def _by_id(self, line: int, raw: str) -> Structure | None:
        position = self.layout.id_index
        pk = whole_number(raw, maximum=MAX_ID)
        if pk is None:
            message = f"identifiant de structure illisible « {raw[:30]} » (nombre attendu)"
            self.report.error(line, self.layout.id_header, message, position)
            return None
        found = self.structures.by_id.get(pk)
        if found is None:
            self.report.error(line, self.layout.id_header, f"aucune structure n'a l'identifiant {raw}", position)
        return found

    def _by_siret(self, line: int, siret: str, *, quiet: bool) -> Structure | None:
        """The structure of the SIRET; when `id` identified it already, only a mismatch matters."""
        found = self.structures.by_siret.get(siret, [])
        if len(found) == 1:
            return found[0]
        if not quiet:
            message = (
                f"aucune structure n'a le numéro SIRET {siret}"
                if not found
                else f"{len(found)} structures ont le numéro SIRET {siret} : identifiez-la par la colonne id"
            )
            self.report.error(line, self.layout.siret_header, message, self.layout.siret_index)
        return None

    def _answers(self, line: int, row: list, definition: Definition, structure: Structure) -> dict | None:
        """Typed answers of the row (grids nested), or None when a cell is unreadable or not asked."""
        answers, ok = {}, True
        for column in self.layout.columns:
            raw = cell(row, column.index)
            if is_empty(raw):
                continue
            if column.code not in definition:
                self.report.error(line, column.header, _not_asked(structure, self.report.year), column.index)
                ok = False
                continue
            value, problem = read_cell(definition.question(column.code), column, raw)
            if problem:
                self.report.error(line, column.header, problem, column.index)
                ok = False
            elif column.grid_row is None:
                answers[column.code] = value
            else:
                answers.setdefault(column.code, {}).setdefault(column.grid_row, {})[column.grid_column] = value
        return answers if ok else None

    def _validated(self, line: int, definition: Definition, answers: dict) -> dict | None:
        """The answers as stored, or None when the questionnaire's checks find errors."""
        result = validate(definition, answers)
        for issue in result.errors:
            self.report.error(
                line, self._headers_of(issue.questions), issue.message, self._position_of(issue.questions)
            )
        for issue in result.warnings:
            self.report.warn(line, self._headers_of(issue.questions), issue.message, self._position_of(issue.questions))
        for code in answers:
            if code not in result.visible:
                question = definition.question(code)
                condition = question.condition.describe(definition)
                reason = f"réponse non enregistrée : la question n'est posée que si {condition}"
                self.report.warn(line, self._headers_of((code,)), reason, self._position_of((code,)))
        if result.missing_required:
            missing = ", ".join(result.missing_required)
            what = "question obligatoire" if len(result.missing_required) == 1 else "questions obligatoires"
            self.report.warn(line, (), f"{what} sans réponse : {missing}")
        if result.errors:
            return None
        return {q.code: to_json(result.values[q.code]) for q in definition.questions if q.code in result.values}

    def _headers_of(self, codes) -> tuple[str, ...]:
        """The columns an issue is about: its questions found in the file (a grid's code for its cells), else all."""
        return tuple(code for code in codes if any(c.code == code for c in self.layout.columns)) or tuple(codes)

    def _position_of(self, codes) -> int:
        indexes = [c.index for c in self.layout.columns if c.code in codes]
        return min(indexes) if indexes else 0


def _no_questionnaire(structure: Structure, year: int) -> str:
    if not structure.kind:
        return f"la structure « {structure.name} » n'a pas de type (centre social ou EVS) : complétez sa fiche"
    kind = StructureKind(structure.kind).label.lower()
    return f"la campagne {campaign_label(year)} n'a pas de questionnaire pour les structures de type « {kind} »"


def _not_asked(structure: Structure, year: int) -> str:
    kind = StructureKind(structure.kind).label.lower()
    return (
        f"question absente du questionnaire {campaign_label(year)} des structures de type « {kind} » "
        f"(« {structure.name} »)"
    )


# --- Structures and responses --------------------------------------------------------------------------------


@dataclass
class StructureIndex:
    by_id: dict[int, Structure]
    by_siret: dict[str, list[Structure]]


def find_structures(layout: Layout, rows: list[tuple[int, list]]) -> StructureIndex:
    """The structures the file names, in a few queries."""
    ids = {whole_number(cell_text(cell(r, layout.id_index)), maximum=MAX_ID) for _, r in rows} - {None}
    sirets = {s for s in (siret_text(cell(r, layout.siret_index)) for _, r in rows) if s}
    fields = ("id", "name", "kind", "siret")
    index = StructureIndex({}, {})
    for chunk in _chunks(sorted(ids)):
        index.by_id.update((s.pk, s) for s in Structure.objects.filter(pk__in=chunk).only(*fields))
    for chunk in _chunks(sorted(sirets)):
        for structure in Structure.objects.filter(siret__in=chunk).only(*fields).order_by("pk"):
            index.by_siret.setdefault(structure.siret, []).append(structure)
    return index


def _chunks(items: list) -> Iterator[list]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def attach_existing(plans: list[Plan], campaign: Campaign, *, lock: bool) -> None:
    """Give each plan the structure's stored response of the campaign (locked for a real import)."""
    by_structure = {plan.structure.pk: plan for plan in plans}
    for chunk in _chunks(sorted(by_structure)):
        query = Response.objects.filter(questionnaire__campaign=campaign, structure_id__in=chunk).order_by("pk")
        for response in query.select_for_update(of=("self",)) if lock else query:
            plan = by_structure[response.structure_id]
            # A structure whose kind changed may have answered the other questionnaire: its own one first.
            if plan.existing is None or response.questionnaire_id == plan.questionnaire.pk:
                plan.existing = response


def imported_only(responses: list[Response]) -> set[int]:
    """Ids of the responses whose answers come from an import, not changed since: replacing them loses nothing."""
    last = ResponseEvent.objects.filter(response=OuterRef("pk")).order_by("-created_at", "-id")
    found = set()
    for chunk in _chunks([r.pk for r in responses]):
        rows = (
            Response.objects.filter(pk__in=chunk)
            .annotate(
                last_comment=Subquery(last.values("comment")[:1]),
                last_at=Subquery(last.values("created_at")[:1]),
                corrected_at=Max("corrections__created_at", filter=~Q(corrections__reason__startswith=REPLAY_PREFIX)),
            )
            .values_list("pk", "last_comment", "last_at", "corrected_at")
        )
        for pk, comment, last_at, corrected_at in rows:
            if (comment or "").startswith(IMPORT_PREFIX) and (corrected_at is None or corrected_at < last_at):
                found.add(pk)
    return found


def check_replacements(plans: list[Plan], report: PastImportReport, layout: Layout) -> None:
    """Count creations and replacements; refuse to replace answers given on the site unless asked."""
    imported = imported_only([p.existing for p in plans if p.existing is not None])
    header, position = layout.identifier
    for plan in plans:
        response = plan.existing
        if response is None:
            report.to_create += 1
            continue
        empty = not response.answers and response.status == ResponseStatus.NOT_STARTED
        if not (empty or response.pk in imported or report.replace):
            state = ResponseStatus(response.status).label
            report.error(plan.line, header, (
                f"« {plan.structure.name} » a déjà des réponses pour {campaign_label(report.year)} saisies sur le site "
                f"(état : {state}) : "
                "elles ne sont remplacées que si vous le demandez (option --replace, ou case « Remplacer » du "
                "formulaire)"
            ), position)  # fmt: skip
        else:
            report.to_replace += 1
    check_cleaning_rules(plans, report, layout)


def check_cleaning_rules(plans: list[Plan], report: PastImportReport, layout: Layout) -> None:
    """A replaced response gets the correspondents' cleaning rules again (`store`): the answers they give back must
    keep the questionnaire's blocking rules, as every validated questionnaire does (one query for all rules)."""
    replaced = [plan for plan in plans if plan.existing is not None]
    rules = cleaning_rules_of([plan.existing.pk for plan in replaced])
    for plan in replaced:
        definition = plan.questionnaire.definition()
        values = replayed_values(definition, plan.answers, rules.get(plan.existing.pk, {}))
        if not values:
            continue
        corrected = ", ".join(values)
        for issue in broken_rules(definition, plan.answers, values, {}):
            columns = tuple(c.header for c in layout.columns if c.code in issue.questions) or issue.questions
            position = min((c.index for c in layout.columns if c.code in issue.questions), default=0)
            report.error(plan.line, columns, f"{issue.message}, une fois rejouée la règle de nettoyage d'un "
                         f"correspondant sur {corrected} : corrigez aussi ces réponses dans le fichier",
                         position)  # fmt: skip


# --- Writing ---------------------------------------------------------------------------------------------------


def store(plan: Plan, *, filename: str, acting_user) -> None:
    """Create or replace the response as validated, with its event; cleaning rules are applied again."""
    now = timezone.now()
    response = plan.existing or Response(questionnaire=plan.questionnaire, structure=plan.structure)
    response.questionnaire = plan.questionnaire
    response.answers, response.confirmations = plan.answers, {}
    response.validated_at, response.validated_by = now, acting_user
    comment = f"{IMPORT_PREFIX}{filename}, ligne {plan.line}"
    # No audit entry per response: `import_past_answers` logs one for the whole file.
    states.move(response, ResponseStatus.VALIDATED, acting_user=acting_user, comment=comment, audit=False,
                also_save=("questionnaire", "answers", "confirmations", "validated_at", "validated_by"))  # fmt: skip
    if plan.existing is not None:
        replay_cleaning_rules(response, acting_user=acting_user)
        Flag.objects.filter(response=response, status__in=UNRESOLVED).update(
            status=FlagStatus.RESOLVED, decided_by=acting_user, decided_at=now
        )


# --- The import ------------------------------------------------------------------------------------------------


def import_past_answers(
    path: Path | str, *, year: int, dry_run: bool = False, replace: bool = False, acting_user=None,
    display_name: str | None = None, request=None, progress: Callable[[int, int], None] | None = None,
) -> PastImportReport:  # fmt: skip
    """Check the file and, unless it is a dry run or an error was found, store its answers (all or nothing).

    Raises `PastImportError` when the campaign cannot take answers and `ImportFileError` when the file cannot
    be read at all, having written nothing. `progress` is told the rows checked and their number."""
    name = display_name or Path(path).name
    report = PastImportReport(filename=name, year=year, dry_run=dry_run, replace=replace)

    # Read and checked with no transaction (a dry run stops there): the write lock is held for the writes only.
    campaign, questionnaires = campaign_questionnaires(year)
    layout, plans = _plans(path, report, questionnaires, progress)
    attach_existing(plans, campaign, lock=False)
    check_replacements(plans, report, layout)
    if dry_run or not report.ok:
        return report

    def write() -> None:
        # Checked again under the lock: a structure may have answered on the site since the file was read.
        for plan in plans:
            plan.existing = None
        report.to_create = report.to_replace = 0
        attach_existing(plans, campaign, lock=True)
        check_replacements(plans, report, layout)
        if not report.ok:
            return
        for plan in plans:
            store(plan, filename=name, acting_user=acting_user)
        log_event(AuditAction.IMPORT, actor=acting_user, request=request, filename=name, kind=AUDIT_KIND,
                  year=year, created=report.to_create, replaced=report.to_replace)  # fmt: skip
        report.aggregates = refresh_year(year)

    write_import(write)
    return report


def _plans(path, report: PastImportReport, questionnaires: dict, progress=None) -> tuple[Layout, list[Plan]]:
    """Read and check every row: the file's layout and what its valid rows would store."""
    rows = table_rows(path, report.filename)
    header_line, header = next(rows, (1, None))
    if header is None:
        raise ImportFileError(report.filename, None, "le fichier est vide")
    layout = read_layout(header_line, header, {k: d for k, (_, d) in questionnaires.items()}, report)
    body = [(line, row) for line, row in rows if any(not is_empty(cell(row, i)) for i in range(len(row)))]
    if not body:
        raise ImportFileError(report.filename, header_line, "aucune ligne de réponses sous la ligne des colonnes")
    checker = RowChecker(report, layout, questionnaires, find_structures(layout, body))
    plans = []
    for done, (line, row) in enumerate(body, 1):
        plans.append(checker.check(line, row))
        if progress:
            progress(done, len(body))
    return layout, [plan for plan in plans if plan is not None]
