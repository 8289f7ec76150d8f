"""Loading parsed action sheets into the database, in batches, inside the caller's transaction."""

from functools import lru_cache

from django.utils import timezone

from maillage.actions.models import LIST_RELATIONS, Action, ActionFile, ActionState
from maillage.history.services import record_revision
from maillage.referentials.models import CLOSED_LISTS, Department
from maillage.referentials.text import match_key
from maillage.search.services import index_records, remove_actions, sync_terms
from maillage.structures.models import Structure, StructureKind

from .action_json import action_record
from .action_text import ParsedSheet
from .bulk import allocate_ids, db_datetime, insert_rows
from .records import TEXT_KEYS, fingerprint
from .reports import ImportReport

BATCH_SIZE = 1000
ACTION_LIST_KEYS = ("status", "territory", "dimensions", "keywords", "initiative", "public", "partners")
ACTION_COLUMNS = (
    "id",
    *TEXT_KEYS,
    "structure",
    "status",
    "territory",
    "year",
    "state",
    "fingerprint",
    "probable_duplicate_of",
    "source",
    "created_at",
    "updated_at",
    "published_at",
)


def guess_kind(name: str) -> str:
    """`evs` when the name says so; else unknown (action sheets do not tell CSX from EVS)."""
    key = f" {match_key(name)} "
    return StructureKind.EVS if " evs " in key or "espace de vie sociale" in key else ""


_name_key = lru_cache(maxsize=20_000)(match_key)


class ReferenceResolver:
    """Ids of closed-list values by label; unknown labels are added, marked "to review", and reported."""

    def __init__(self, keys, report: ImportReport):
        self.report = report
        self.ids = {key: dict(CLOSED_LISTS[key].objects.values_list("label", "id")) for key in keys}

    def resolve(self, key: str, label: str | None, line: int) -> int | None:
        if label is None:
            return None
        known = self.ids[key]
        if label not in known:
            model = CLOSED_LISTS[key]
            item, _ = model.objects.get_or_create(label=label, defaults={"to_review": True, "position": 999})
            known[label] = item.pk
            plural = model._meta.verbose_name_plural
            self.report.warn(line, f"valeur inconnue « {label} » ajoutée à la liste « {plural} » (à vérifier)")
        return known[label]


class ActionLoader:
    """Turns parsed sheets into rows: skips identical sheets, flags probable duplicates, creates structures."""

    def __init__(self, report: ImportReport, *, state: str, year: int | None, update_matching: bool, acting_user=None):
        self.report = report
        self.state = state
        self.year = year
        self.update_matching = update_matching
        self.acting_user = acting_user
        now = timezone.now()
        self.now = db_datetime(now)
        self.published_at = self.now if state == ActionState.PUBLISHED else None
        self.refs = ReferenceResolver(ACTION_LIST_KEYS, report)
        self.departments = dict(Department.objects.values_list("name", "id"))
        self.structures = {
            (_name_key(name), department_id): pk
            for pk, name, department_id in Structure.objects.values_list("id", "name", "department_id")
        }
        self.stored_fingerprints = set(Action.objects.values_list("fingerprint", flat=True))
        self.seen_fingerprints: set[str] = set()
        self.by_title: dict[tuple, int] = {}
        for pk, structure_id, title in Action.objects.order_by("id").values_list("id", "structure_id", "title"):
            self.by_title.setdefault((structure_id, match_key(title)), pk)
        self.pending: list[tuple[dict, int, int | None, str, int | None]] = []
        self.pending_titles: dict[tuple, int] = {}

    def add(self, sheet: ParsedSheet, digest: str | None = None) -> None:
        """Take one parsed sheet; `digest` is its fingerprint when the caller computed it already."""
        self.report.read += 1
        record = sheet.record
        for warning in sheet.warnings:
            self.report.warn(warning.line, warning.message)
        digest = digest or fingerprint(record)
        if digest in self.seen_fingerprints or digest in self.stored_fingerprints:
            self.report.duplicates += 1
            self.report.unchanged += digest in self.stored_fingerprints
            return
        self.seen_fingerprints.add(digest)
        self._register_values(sheet)
        structure_id = self._structure_id(record["structure"])
        title_key = (structure_id, match_key(record["title"]))
        if title_key in self.pending_titles:
            self.flush()
        existing = self.by_title.get(title_key)
        if existing is not None and self.update_matching:
            self._update(existing, record, digest, structure_id, sheet)
            return
        if existing is not None:
            self.report.flagged += 1
            self.report.warn(sheet.line, f"doublon probable de la fiche n° {existing} (même structure et même titre)")
        self.pending.append((record, sheet.line, structure_id, digest, existing))
        self.pending_titles[title_key] = len(self.pending) - 1
        if len(self.pending) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        ids = allocate_ids(Action, len(self.pending))
        rows = [self._row(pk, *pending) for pk, pending in zip(ids, self.pending, strict=True)]
        insert_rows(Action, ACTION_COLUMNS, rows)
        self._insert_lists([(pk, record, line) for pk, (record, line, *_) in zip(ids, self.pending, strict=True)])
        index_records(((pk, pending[0]) for pk, pending in zip(ids, self.pending, strict=True)), defer_terms=True)
        for title_key, index in self.pending_titles.items():
            self.by_title.setdefault(title_key, ids[index])
        self.report.created += len(rows)
        self.pending = []
        self.pending_titles = {}

    def finish(self) -> None:
        self.flush()
        sync_terms()

    def _register_values(self, sheet: ParsedSheet) -> None:
        """Resolve every closed-list value now, so that an unknown one is reported at its field's line."""
        record = sheet.record
        for key in ACTION_LIST_KEYS:
            line = sheet.field_lines.get(key, sheet.line)
            values = record[key] if isinstance(record[key], list) else [record[key]]
            for label in values:
                self.refs.resolve(key, label, line)

    def _row(self, pk: int, record: dict, line: int, structure_id, digest: str, duplicate_of) -> tuple:
        return (
            pk,
            *(record[key] for key in TEXT_KEYS),
            structure_id,
            self.refs.resolve("status", record["status"], line),
            self.refs.resolve("territory", record["territory"], line),
            self.year,
            self.state,
            digest,
            duplicate_of,
            f"{self.report.filename}:{line}",
            self.now,
            self.now,
            self.published_at,
        )

    def _structure_id(self, structure: dict | None) -> int | None:
        if structure is None:
            return None
        department_id = self.departments.get(structure["department"]) if structure["department"] else None
        key = (_name_key(structure["name"]), department_id)
        if key not in self.structures:
            created = Structure.objects.create(
                name=structure["name"], department_id=department_id, kind=guess_kind(structure["name"])
            )
            self.structures[key] = created.pk
        return self.structures[key]

    def _insert_lists(self, rows: list[tuple[int, dict, int]]) -> None:
        for key, (through, _) in LIST_RELATIONS.items():
            values = [
                (pk, self.refs.resolve(key, label, line), position)
                for pk, record, line in rows
                for position, label in enumerate(record[key])
            ]
            insert_rows(through, ("action", "item", "position"), values)
        files = [(pk, name, position, "") for pk, record, _ in rows for position, name in enumerate(record["files"])]
        insert_rows(ActionFile, ("action", "name", "position", "file"), files)

    def _update(self, pk: int, record: dict, digest: str, structure_id: int | None, sheet: ParsedSheet) -> None:
        self.flush()
        action = Action.objects.with_export_relations().get(pk=pk)
        record_revision(
            action,
            action_record(action),
            acting_user=self.acting_user,
            source=f"import {self.report.filename}:{sheet.line}",
            comment="Mise à jour par import (--update-matching)",
        )
        for key in TEXT_KEYS:
            setattr(action, key, record[key])
        action.status_id = self.refs.resolve("status", record["status"], sheet.line)
        action.territory_id = self.refs.resolve("territory", record["territory"], sheet.line)
        action.structure_id = structure_id
        action.fingerprint = digest
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
