"""Loading parsed action sheets into the database, in batches, inside the caller's transaction."""

from django.db import connection

from maillage.actions.models import LIST_RELATIONS, Action, ActionFile, ActionState
from maillage.history.services import record_revision
from maillage.referentials.models import CLOSED_LISTS, Department
from maillage.referentials.text import match_key
from maillage.search.services import index_records, remove_actions
from maillage.structures.models import Structure, StructureKind

from .action_json import action_record
from .action_text import ParsedSheet
from .records import TEXT_KEYS, fingerprint
from .reports import ImportReport

BATCH_SIZE = 1000
ACTION_LIST_KEYS = ("status", "territory", "dimensions", "keywords", "initiative", "public", "partners")


def guess_kind(name: str) -> str:
    """`evs` when the name says so; else unknown (action sheets do not tell CSX from EVS)."""
    key = f" {match_key(name)} "
    return StructureKind.EVS if " evs " in key or "espace de vie sociale" in key else ""


class ReferenceResolver:
    """Ids of closed-list values by label; unknown labels are added, marked "to review", and reported."""

    def __init__(self, keys, report: ImportReport):
        self.report = report
        self.ids = {key: dict(CLOSED_LISTS[key].objects.values_list("label", "id")) for key in keys}

    def resolve(self, key: str, label: str, line: int) -> int:
        known = self.ids[key]
        if label not in known:
            model = CLOSED_LISTS[key]
            item, created = model.objects.get_or_create(label=label, defaults={"to_review": True, "position": 999})
            known[label] = item.pk
            self.report.warn(
                line, f"valeur inconnue « {label} » ajoutée à la liste « {model._meta.verbose_name_plural} » (à vérifier)"
            )
        return known[label]


class ActionLoader:
    def __init__(
        self, report: ImportReport, *, state: str, year: int | None, update_matching: bool, acting_user=None, now=None
    ):
        self.report = report
        self.published_at = now if state == ActionState.PUBLISHED else None
        self.state = state
        self.year = year
        self.update_matching = update_matching
        self.acting_user = acting_user
        self.refs = ReferenceResolver(ACTION_LIST_KEYS, report)
        self.departments = dict(Department.objects.values_list("name", "id"))
        self.structures = {
            (match_key(name), department_id): pk
            for pk, name, department_id in Structure.objects.values_list("id", "name", "department_id")
        }
        self.stored_fingerprints = set(Action.objects.values_list("fingerprint", flat=True))
        self.seen_fingerprints: set[str] = set()
        self.by_title: dict[tuple, int] = {}
        for pk, structure_id, title in Action.objects.order_by("id").values_list("id", "structure_id", "title"):
            self.by_title.setdefault((structure_id, match_key(title)), pk)
        self.pending: list[tuple[Action, dict, ParsedSheet]] = []
        self.pending_titles: set[tuple] = set()

    def add(self, sheet: ParsedSheet) -> None:
        self.report.read += 1
        record = sheet.record
        for warning in sheet.warnings:
            self.report.warn(warning.line, warning.message)
        digest = fingerprint(record)
        if digest in self.seen_fingerprints or digest in self.stored_fingerprints:
            self.report.duplicates += 1
            self.report.unchanged += digest in self.stored_fingerprints
            return
        self.seen_fingerprints.add(digest)
        structure_id = self._structure_id(record["structure"])
        title_key = (structure_id, match_key(record["title"]))
        if title_key in self.pending_titles:
            self.flush()
        existing = self.by_title.get(title_key)
        if existing is not None and self.update_matching:
            self._update(existing, record, digest, structure_id, sheet)
            return
        action = self._new_action(record, digest, structure_id, sheet.line)
        if existing is not None:
            action.probable_duplicate_of_id = existing
            self.report.flagged += 1
            self.report.warn(sheet.line, f"doublon probable de la fiche n° {existing} (même structure et même titre)")
        self.pending.append((action, record, sheet))
        self.pending_titles.add(title_key)
        if len(self.pending) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        actions = [action for action, _, _ in self.pending]
        Action.objects.bulk_create(actions)
        self._insert_lists([(action.pk, record, sheet.line) for action, record, sheet in self.pending])
        index_records((action.pk, record) for action, record, _ in self.pending)
        for action, record, _ in self.pending:
            self.by_title.setdefault((action.structure_id, match_key(record["title"])), action.pk)
        self.report.created += len(actions)
        self.pending = []
        self.pending_titles = set()

    def _structure_id(self, structure: dict | None) -> int | None:
        if structure is None:
            return None
        department_id = self.departments.get(structure["department"]) if structure["department"] else None
        key = (match_key(structure["name"]), department_id)
        if key not in self.structures:
            created = Structure.objects.create(
                name=structure["name"], department_id=department_id, kind=guess_kind(structure["name"])
            )
            self.structures[key] = created.pk
        return self.structures[key]

    def _new_action(self, record: dict, digest: str, structure_id: int | None, line: int) -> Action:
        action = Action(
            structure_id=structure_id,
            year=self.year,
            state=self.state,
            published_at=self.published_at,
            source=f"{self.report.filename}:{line}",
        )
        self._set_fields(action, record, digest, line)
        return action

    def _set_fields(self, action: Action, record: dict, digest: str, line: int) -> None:
        for key in TEXT_KEYS:
            setattr(action, key, record[key])
        action.status_id = self.refs.resolve("status", record["status"], line) if record["status"] else None
        action.territory_id = self.refs.resolve("territory", record["territory"], line) if record["territory"] else None
        action.fingerprint = digest

    def _insert_lists(self, rows: list[tuple[int, dict, int]]) -> None:
        with connection.cursor() as cursor:
            for key, (through, _) in LIST_RELATIONS.items():
                values = [
                    (pk, self.refs.resolve(key, label, line), position)
                    for pk, record, line in rows
                    for position, label in enumerate(record[key])
                ]
                if values:
                    table = through._meta.db_table
                    cursor.executemany(
                        f"INSERT INTO {table} (action_id, item_id, position) VALUES (%s, %s, %s)", values
                    )
        files = [
            ActionFile(action_id=pk, name=name, position=position)
            for pk, record, _ in rows
            for position, name in enumerate(record["files"])
        ]
        ActionFile.objects.bulk_create(files)

    def _update(self, pk: int, record: dict, digest: str, structure_id: int | None, sheet: ParsedSheet) -> None:
        self.flush()
        action = Action.objects.with_export_relations().get(pk=pk)
        previous = action_record(action)
        record_revision(
            action,
            previous,
            acting_user=self.acting_user,
            source=f"import {self.report.filename}:{sheet.line}",
            comment="Mise à jour par import (--update-matching)",
        )
        self._set_fields(action, record, digest, sheet.line)
        action.structure_id = structure_id
        action.source = f"{self.report.filename}:{sheet.line}"
        action.save()
        for through, _ in LIST_RELATIONS.values():
            through.objects.filter(action=action).delete()
        action.files.all().delete()
        self._insert_lists([(pk, record, sheet.line)])
        remove_actions([pk])
        index_records([(pk, record)])
        self.report.updated += 1


def published_state(draft: bool) -> str:
    return ActionState.DRAFT if draft else ActionState.PUBLISHED
