"""Loading parsed action sheets into the database, in batches, inside the caller's transaction."""

from functools import lru_cache
from operator import itemgetter

from django.utils import timezone

from maillage.actions.models import LIST_RELATIONS, Action, ActionFile, ActionState
from maillage.actions.services import begin_action_change, record_action_change
from maillage.referentials.models import CLOSED_LISTS, Department
from maillage.referentials.text import match_key
from maillage.search.services import index_actions
from maillage.structures.models import Structure, StructureKind

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
_texts = itemgetter(*TEXT_KEYS)


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
    """Turns parsed sheets into rows: skips identical sheets, flags probable duplicates, creates structures.

    Structures are known by a key (normalised name, department id) until they get an id: new ones are
    created in bulk with the batch of sheets that first names them.
    """

    def __init__(self, report: ImportReport, *, state: str, year: int | None, update_matching: bool, acting_user=None):
        self.report = report
        self.state = state
        self.year = year
        self.update_matching = update_matching
        self.acting_user = acting_user
        self.now = db_datetime(timezone.now())
        self.published_at = self.now if state == ActionState.PUBLISHED else None
        self.refs = ReferenceResolver(ACTION_LIST_KEYS, report)
        self.departments = dict(Department.objects.values_list("name", "id"))
        self.structures: dict[tuple, int | None] = {
            (_name_key(name), department_id): pk
            for pk, name, department_id in Structure.objects.values_list("id", "name", "department_id")
        }
        self.new_structures: dict[tuple, dict] = {}
        self.stored_fingerprints = set(Action.objects.values_list("fingerprint", flat=True))
        self.seen_fingerprints: set[str] = set()
        self.by_title: dict[tuple, int] = {}
        stored = Action.objects.order_by("id").values_list("id", "structure__name", "structure__department_id", "title")
        for pk, name, department_id, title in stored.iterator(chunk_size=5000):
            key = None if name is None else (_name_key(name), department_id)
            self.by_title.setdefault((key, match_key(title)), pk)
        self.pending: list[tuple] = []
        self.pending_titles: dict[tuple, int] = {}

    def add(self, sheet: ParsedSheet, digest: str | None = None, title_key: str | None = None, unknown_labels=None):
        """Take one parsed sheet; `digest`, `title_key` and `unknown_labels` (closed-list values missing from
        `known_labels()`, with their line) when the caller computed them already."""
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
        if unknown_labels is None:
            self._register_values(sheet)
        else:
            for key, label, line in unknown_labels:
                self.refs.resolve(key, label, line)
        structure_key = self._structure_key(record["structure"])
        same_title = (structure_key, match_key(record["title"]) if title_key is None else title_key)
        if same_title in self.pending_titles:
            self.flush()
        existing = self.by_title.get(same_title)
        if existing is not None and self.update_matching:
            self._update(existing, sheet, digest, structure_key)
            return
        if existing is not None:
            self.report.flagged += 1
            self.report.warn(sheet.line, f"doublon probable de la fiche n° {existing} (même structure et même titre)")
        self.pending.append((record, sheet.line, structure_key, digest, existing))
        self.pending_titles[same_title] = len(self.pending) - 1
        if len(self.pending) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        self._create_structures()
        if not self.pending:
            return
        ids = allocate_ids(Action, len(self.pending))
        rows = [self._row(pk, *pending) for pk, pending in zip(ids, self.pending, strict=True)]
        insert_rows(Action, ACTION_COLUMNS, rows)
        sheets = [(pk, pending[0], pending[1]) for pk, pending in zip(ids, self.pending, strict=True)]
        self._insert_lists(sheets)
        index_actions(ids)
        for same_title, index in self.pending_titles.items():
            self.by_title.setdefault(same_title, ids[index])
        self.report.created += len(rows)
        self.pending = []
        self.pending_titles = {}

    def finish(self) -> None:
        self.flush()

    def known_labels(self) -> dict[str, frozenset[str]]:
        return {key: frozenset(ids) for key, ids in self.refs.ids.items()}

    def _register_values(self, sheet: ParsedSheet) -> None:
        """Resolve every closed-list value now, so that an unknown one is reported at its field's line."""
        record = sheet.record
        for key, known in self.refs.ids.items():
            value = record[key]
            if value is None or value.__class__ is str:
                if value is None or value in known:
                    continue
                value = (value,)
            elif all(map(known.__contains__, value)):
                continue
            for label in value:
                if label not in known:
                    self.refs.resolve(key, label, sheet.field_lines.get(key, sheet.line))

    def _row(self, pk: int, record: dict, line: int, structure_key, digest: str, duplicate_of) -> tuple:
        ids = self.refs.ids
        status, territory = record["status"], record["territory"]
        return (
            pk,
            *_texts(record),
            None if structure_key is None else self.structures[structure_key],
            None if status is None else ids["status"][status],
            None if territory is None else ids["territory"][territory],
            self.year,
            self.state,
            digest,
            duplicate_of,
            f"{self.report.filename}:{line}",
            self.now,
            self.now,
            self.published_at,
        )

    def _structure_key(self, structure: dict | None) -> tuple | None:
        if structure is None:
            return None
        department_id = self.departments.get(structure["department"]) if structure["department"] else None
        key = (_name_key(structure["name"]), department_id)
        if key not in self.structures:
            self.structures[key] = None
            self.new_structures[key] = {"name": structure["name"], "department_id": department_id}
        return key

    def _create_structures(self) -> None:
        if not self.new_structures:
            return
        created = Structure.objects.bulk_create(
            Structure(kind=guess_kind(fields["name"]), **fields) for fields in self.new_structures.values()
        )
        for key, structure in zip(self.new_structures, created, strict=True):
            self.structures[key] = structure.pk
        self.new_structures = {}

    def _insert_lists(self, sheets: list[tuple[int, dict, int]]) -> None:
        ids = self.refs.ids
        for key, (through, _) in LIST_RELATIONS.items():
            item_ids = ids[key]
            values = [
                (pk, item_ids[label], position)
                for pk, record, _ in sheets
                for position, label in enumerate(record[key])
            ]
            insert_rows(through, ("action", "item", "position"), values)
        files = [(pk, name, position, "") for pk, record, _ in sheets for position, name in enumerate(record["files"])]
        insert_rows(ActionFile, ("action", "name", "position", "file"), files)

    def _update(self, pk: int, sheet: ParsedSheet, digest: str, structure_key) -> None:
        self.flush()
        record = sheet.record
        previous = begin_action_change(pk)
        action = Action.objects.get(pk=pk)
        for key in TEXT_KEYS:
            setattr(action, key, record[key])
        ids = self.refs.ids
        action.status_id = None if record["status"] is None else ids["status"][record["status"]]
        action.territory_id = None if record["territory"] is None else ids["territory"][record["territory"]]
        action.structure_id = None if structure_key is None else self.structures[structure_key]
        action.source = f"{self.report.filename}:{sheet.line}"
        action.save()
        for through, _ in LIST_RELATIONS.values():
            through.objects.filter(action=action).delete()
        action.files.all().delete()
        self._insert_lists([(pk, record, sheet.line)])
        source = f"import {self.report.filename}:{sheet.line}"
        comment = "Mise à jour par import (--update-matching)"
        record_action_change(action, previous, acting_user=self.acting_user, source=source, comment=comment)
        self.report.updated += 1


def published_state(draft: bool) -> str:
    return ActionState.DRAFT if draft else ActionState.PUBLISHED
