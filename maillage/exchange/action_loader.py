"""Loading parsed action sheets: planned while the file is read, with no transaction, then written at once.

`ActionPlanner` reads the database, never writes it: an import plans the whole file outside any transaction (a
dry run stops there), then `ActionWriter` replays the plan in one short transaction. On SQLite a transaction
holds the only write lock of the database: planning inside one would make every other person's save wait for
the whole parse. See `services.import_actions`.
"""

import pickle
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
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
from .reading import ImportFileError
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


@dataclass(frozen=True)
class NewLabel:
    """Stands for the id of a closed-list value met while planning an import, until it is written."""

    key: str
    label: str


class ReferenceResolver:
    """Ids of closed-list values by label; unknown labels are added, marked "to review", and reported.

    With `create=False` (an import being planned) unknown labels are only reported and remembered: their id is a
    `NewLabel` until `create_added` writes them (`id_of` then gives the id).
    """

    def __init__(self, keys, report: ImportReport, *, create: bool = True):
        self.report = report
        self.create = create
        self.ids = {key: dict(CLOSED_LISTS[key].objects.values_list("label", "id")) for key in keys}
        self.added: dict[str, list[str]] = {key: [] for key in keys}

    def resolve(self, key: str, label: str | None, line: int) -> int | NewLabel | None:
        if label is None:
            return None
        known = self.ids[key]
        if label not in known:
            model = CLOSED_LISTS[key]
            if self.create:
                known[label] = _label_id(model, label)
            else:
                known[label] = NewLabel(key, label)
                self.added[key].append(label)
            plural = model._meta.verbose_name_plural
            self.report.warn(line, f"valeur inconnue « {label} » ajoutée à la liste « {plural} » (à vérifier)")
        return known[label]

    def create_added(self) -> None:
        """Write the labels met while planning (in the import's transaction)."""
        for key, labels in self.added.items():
            for label in labels:
                self.ids[key][label] = _label_id(CLOSED_LISTS[key], label)
            labels.clear()

    def id_of(self, value):
        """`value` itself, or the id of the label it stands for once `create_added` wrote it."""
        return self.ids[value.key][value.label] if isinstance(value, NewLabel) else value


def _label_id(model, label: str) -> int:
    item, _ = model.objects.get_or_create(label=label, defaults={"to_review": True, "position": 999})
    return item.pk


@dataclass(frozen=True)
class PlannedSheet:
    """A sheet the file creates, before it has an id: its rank among the sheets created, and its line."""

    rank: int
    line: int


class ActionPlanner:
    """Decides what becomes of each parsed sheet, reading the database but writing nothing.

    Identical to a stored sheet or an earlier one of the file: skipped. Same structure and same title as another:
    flagged as a probable duplicate, or (`update_matching`) made an update of it. Else created. Structures are known
    by a key (normalised name, department id); those the file names first get an id when written. Decisions go to
    `emit` in order, sheets to create in batches; here they are kept in a temporary file, so that memory stays flat
    whatever the size of the file, until `ActionWriter` replays them (`operations`).
    """

    def __init__(self, report: ImportReport, *, update_matching: bool):
        self.report = report
        self.update_matching = update_matching
        self.refs = ReferenceResolver(ACTION_LIST_KEYS, report, create=False)
        self.departments = dict(Department.objects.values_list("name", "id"))
        self.structures: dict[tuple, int | None] = {
            (_name_key(name), department_id): pk
            for pk, name, department_id in Structure.objects.values_list("id", "name", "department_id")
        }
        self.new_structures: dict[tuple, dict] = {}
        self.stored_fingerprints = set(Action.objects.values_list("fingerprint", flat=True))
        self.seen_fingerprints: set[str] = set()
        self.by_title: dict[tuple, int | PlannedSheet] = {}
        stored = Action.objects.order_by("id").values_list("id", "structure__name", "structure__department_id", "title")
        for pk, name, department_id, title in stored.iterator(chunk_size=5000):
            key = None if name is None else (_name_key(name), department_id)
            self.by_title.setdefault((key, match_key(title)), pk)
        self.planned = 0
        self.pending: list[tuple] = []
        self._spill = None

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
        existing = self.by_title.get(same_title)
        if existing is not None and self.update_matching:
            self.flush()
            self.emit(("update", existing, record, sheet.line, structure_key))
            self.report.updated += 1
            return
        if existing is not None:
            self.report.flagged += 1
            self.report.warn(sheet.line, _probable_duplicate(existing))
        if existing is None:
            self.by_title[same_title] = PlannedSheet(self.planned, sheet.line)
        self.planned += 1
        self.pending.append((record, sheet.line, structure_key, digest, existing))
        self.report.created += 1
        if len(self.pending) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.emit(("create", self.pending))
            self.pending = []

    def finish(self) -> None:
        self.flush()

    def emit(self, operation: tuple) -> None:
        if self._spill is None:
            # Unlinked at once: nothing is left behind, even by a killed import. Closed by `close`.
            self._spill = tempfile.TemporaryFile(prefix="maillage-import-")  # noqa: SIM115
        pickle.dump(operation, self._spill, protocol=pickle.HIGHEST_PROTOCOL)

    def operations(self) -> Iterator[tuple]:
        """What was emitted, in order."""
        if self._spill is None:
            return
        self._spill.seek(0)
        while True:
            try:
                yield pickle.load(self._spill)
            except EOFError:
                return

    def close(self) -> None:
        if self._spill is not None:
            self._spill.close()
            self._spill = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

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

    def _structure_key(self, structure: dict | None) -> tuple | None:
        if structure is None:
            return None
        department_id = self.departments.get(structure["department"]) if structure["department"] else None
        key = (_name_key(structure["name"]), department_id)
        if key not in self.structures:
            self.structures[key] = None
            self.new_structures[key] = {"name": structure["name"], "department_id": department_id}
        return key


def _probable_duplicate(existing: int | PlannedSheet) -> str:
    if isinstance(existing, PlannedSheet):
        return f"doublon probable de la fiche de la ligne {existing.line} (même structure et même titre)"
    return f"doublon probable de la fiche n° {existing} (même structure et même titre)"


class ActionWriter:
    """Writes what an `ActionPlanner` decided, inside the caller's transaction: the closed-list values and
    structures it met, then each operation (rows of new sheets through `executemany` on pre-allocated ids, with
    their lists and search index; updates through the sheet services, keeping the previous version)."""

    def __init__(self, planner: ActionPlanner, *, state: str, year: int | None, acting_user=None):
        self.planner = planner
        self.report = planner.report
        self.state = state
        self.year = year
        self.acting_user = acting_user
        self.now = db_datetime(timezone.now())
        self.published_at = self.now if state == ActionState.PUBLISHED else None
        self.created_ids: list[int] = []  # by rank of `PlannedSheet`

    def write(self) -> None:
        """Replay every operation the planner kept."""
        for operation in self.planner.operations():
            self.apply(operation)

    def apply(self, operation: tuple) -> None:
        self.planner.refs.create_added()
        self._create_structures()
        if operation[0] == "create":
            self._create(operation[1])
        else:
            self._update(*operation[1:])

    def _id(self, sheet: int | PlannedSheet | None) -> int | None:
        return self.created_ids[sheet.rank] if isinstance(sheet, PlannedSheet) else sheet

    def _create(self, batch: list[tuple]) -> None:
        ids = allocate_ids(Action, len(batch))
        self.created_ids.extend(ids)  # first: a sheet may be the probable duplicate of one of the same batch
        rows = [self._row(pk, *pending) for pk, pending in zip(ids, batch, strict=True)]
        insert_rows(Action, ACTION_COLUMNS, rows)
        self._insert_lists([(pk, pending[0]) for pk, pending in zip(ids, batch, strict=True)])
        index_actions(ids)

    def _row(self, pk: int, record: dict, line: int, structure_key, digest: str, duplicate_of) -> tuple:
        ids = self.planner.refs.ids
        status, territory = record["status"], record["territory"]
        return (
            pk,
            *_texts(record),
            None if structure_key is None else self.planner.structures[structure_key],
            None if status is None else ids["status"][status],
            None if territory is None else ids["territory"][territory],
            self.year,
            self.state,
            digest,
            self._id(duplicate_of),
            f"{self.report.filename}:{line}",
            self.now,
            self.now,
            self.published_at,
        )

    def _create_structures(self) -> None:
        planner = self.planner
        if not planner.new_structures:
            return
        created = Structure.objects.bulk_create(
            Structure(kind=guess_kind(fields["name"]), **fields) for fields in planner.new_structures.values()
        )
        for key, structure in zip(planner.new_structures, created, strict=True):
            planner.structures[key] = structure.pk
        planner.new_structures = {}

    def _insert_lists(self, sheets: list[tuple[int, dict]]) -> None:
        ids = self.planner.refs.ids
        for key, (through, _) in LIST_RELATIONS.items():
            item_ids = ids[key]
            values = [
                (pk, item_ids[label], position) for pk, record in sheets for position, label in enumerate(record[key])
            ]
            insert_rows(through, ("action", "item", "position"), values)
        files = [(pk, name, position, "") for pk, record in sheets for position, name in enumerate(record["files"])]
        insert_rows(ActionFile, ("action", "name", "position", "file"), files)

    def _update(self, sheet: int | PlannedSheet, record: dict, line: int, structure_key) -> None:
        pk = self._id(sheet)
        action = Action.objects.filter(pk=pk).first()
        if action is None:
            raise ImportFileError(
                self.report.filename,
                line,
                f"la fiche n° {pk} à mettre à jour a été supprimée pendant l'import : "
                "rien n'a été enregistré, relancez l'import",
            )
        previous = begin_action_change(pk)
        for key in TEXT_KEYS:
            setattr(action, key, record[key])
        ids = self.planner.refs.ids
        action.status_id = None if record["status"] is None else ids["status"][record["status"]]
        action.territory_id = None if record["territory"] is None else ids["territory"][record["territory"]]
        action.structure_id = None if structure_key is None else self.planner.structures[structure_key]
        action.source = f"{self.report.filename}:{line}"
        action.save()
        for through, _ in LIST_RELATIONS.values():
            through.objects.filter(action=action).delete()
        action.files.all().delete()
        self._insert_lists([(pk, record)])
        source = f"import {self.report.filename}:{line}"
        comment = "Mise à jour par import (--update-matching)"
        record_action_change(action, previous, acting_user=self.acting_user, source=source, comment=comment)


class ActionLoader(ActionPlanner):
    """Plans and writes each decision at once, inside the caller's transaction (the demo's sheets)."""

    def __init__(self, report: ImportReport, *, state: str, year: int | None, update_matching: bool, acting_user=None):
        super().__init__(report, update_matching=update_matching)
        self.writer = ActionWriter(self, state=state, year=year, acting_user=acting_user)

    def emit(self, operation: tuple) -> None:
        self.writer.apply(operation)


def published_state(draft: bool) -> str:
    return ActionState.DRAFT if draft else ActionState.PUBLISHED
