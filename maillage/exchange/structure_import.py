"""Importing the structure directory: read and decided on with no transaction, then written in one per file,
previous versions kept in the history.

A structure already known (same name up to case, accents and punctuation, in the same department; else the same
valid SIRET) is updated, keeping its previous version; labels absent from a truncated block leave the stored
values alone. The command line and the web upload both call `import_structures`. The file is read and every
structure decided on outside any transaction (a dry run stops there): the write lock of the database is held
for the writes only (see `transactions`).
"""

from collections.abc import Callable
from datetime import date
from pathlib import Path

from maillage.referentials.models import CLOSED_LISTS, Department
from maillage.referentials.text import match_key
from maillage.structures.models import Structure, StructureKind
from maillage.structures.services import structure_change
from maillage.structures.siret import is_valid_siret
from maillage.validators import has_line_break, line_break_name, single_line_fields

from .action_loader import ReferenceResolver, guess_kind
from .reading import ImportFileError, iter_line_blocks
from .reports import ImportReport
from .structure_json import PLAIN_KEYS
from .structure_text import AXIS_KEYS, CHOICE_KEYS, LABEL_OF, ParsedStructure, parse_blocks
from .transactions import write_import

_KIND_LABELS = dict(StructureKind.choices)


def import_structures(
    path: Path | str,
    *,
    kind: str | None = None,
    dry_run: bool = False,
    acting_user=None,
    display_name: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import one text export of the directory. Raises `ImportFileError` on bad input, having written nothing.

    `kind` (`csx` or `evs`) applies to every structure of the file; without it, the page headers of the file
    tell the kind, else it is guessed from the name (with a warning).
    """
    if kind not in (None, *StructureKind.values):
        raise ValueError(f"type de structure inconnu : {kind}")
    name = display_name or Path(path).name
    report = ImportReport(filename=name, dry_run=dry_run)
    loader = StructureLoader(report, kind=kind, acting_user=acting_user)
    _load(path, name, report, loader, progress)
    if not dry_run:
        write_import(loader.write)
    return report


def add_parsed(parsed_structures, report: ImportReport, loader: "StructureLoader") -> bool:
    """Hand each parsed structure to `loader` (the warnings of an unreadable one go to `report`); True if any."""
    found = False
    for parsed in parsed_structures:
        if not parsed.record:
            for warning in parsed.warnings:
                report.warn(warning.line, warning.message)
            continue
        found = True
        loader.add(parsed)
    return found


def _load(path, name: str, report: ImportReport, loader: "StructureLoader", progress) -> None:
    found = add_parsed(parse_blocks(iter_line_blocks(path, display_name=name, progress=progress)), report, loader)
    if not found:
        raise ImportFileError(
            name,
            1,
            "aucune structure trouvée (une structure commence par une ligne « Informations sur la structure » "
            "suivie de son nom)",
        )


class StructureLoader:
    """Decides what becomes of each parsed structure (created, updated, unchanged, or read twice), reading the
    database but writing nothing; `write` then creates and updates the `Structure` rows, inside the caller's
    transaction. A structure to create is known by a negative number until it is written."""

    def __init__(self, report: ImportReport, *, kind: str | None = None, acting_user=None):
        self.report = report
        self.kind = kind
        self.acting_user = acting_user
        self.refs = ReferenceResolver(CHOICE_KEYS, report, create=False)
        # ("create" or "update", structure id, field values, line), in the order of the file.
        self.operations: list[tuple[str, int, dict, int]] = []
        self.departments = dict(Department.objects.values_list("code", "id"))
        self.by_name: dict[tuple, list[int]] = {}
        self.sirets: dict[int, str] = {}
        self.by_siret: dict[str, int | None] = {}
        for pk, name, department_id, siret in Structure.objects.order_by("id").values_list(
            "id", "name", "department_id", "siret"
        ):
            self._remember(pk, name, department_id, siret)
        # Structures already read from this file: their line and the fields it gave them.
        self.seen: dict[int, tuple[int, dict]] = {}

    def _remember(self, pk: int, name: str, department_id: int | None, siret: str) -> None:
        pks = self.by_name.setdefault((match_key(name), department_id), [])
        if pk not in pks:
            pks.append(pk)
        self.sirets[pk] = siret
        if is_valid_siret(siret):
            # A SIRET shared by several structures identifies none of them.
            self.by_siret[siret] = pk if self.by_siret.get(siret, pk) == pk else None

    def add(self, parsed: ParsedStructure) -> None:
        self.report.read += 1
        for warning in parsed.warnings:
            self.report.warn(warning.line, warning.message)
        fields = self._fields(parsed)
        pk = self._match(fields, parsed)
        if pk is None:
            self._create(fields, parsed)
        elif pk in self.seen and self.seen[pk][1] == fields:
            self.report.duplicates += 1
            self.report.warn(parsed.line, f"structure déjà lue ligne {self.seen[pk][0]}, à l'identique : ignorée")
        else:
            self._update(pk, fields, parsed)

    def _fields(self, parsed: ParsedStructure) -> dict:
        """Model field values given by the block; fields whose label is absent are left out."""
        self._check_columns(parsed)
        record, skip = parsed.record, parsed.missing
        fields = {key: record[key] for key in PLAIN_KEYS if key not in skip}
        if "siret" in fields:
            fields["siret_flagged"] = bool(record["siret"]) and not is_valid_siret(record["siret"])
        if "first_approval" not in skip:
            approval = record["first_approval"]
            fields["first_approval"] = date.fromisoformat(approval) if approval else None
        if "axes" not in skip:
            fields.update(zip(AXIS_KEYS, record["axes"], strict=True))
        if "department" not in skip:
            fields["department_id"] = self._department_id(parsed)
        for key in CHOICE_KEYS:
            if key not in skip:
                label = record[key]
                fields[f"{key}_id"] = self.refs.resolve(key, label, parsed.lines[key]) if label else None
        return fields

    def _department_id(self, parsed: ParsedStructure) -> int | None:
        code = parsed.department_code
        if code is None:
            return None
        if code not in self.departments:
            self.report.warn(parsed.lines["department"], f"département « {code} » inconnu : laissé vide")
        return self.departments.get(code)

    def _check_columns(self, parsed: ParsedStructure) -> None:
        """Values too long for their column (PostgreSQL would refuse them), or holding a line break where the
        column takes one line (as the forms refuse it), make the file fail, naming the line."""
        record = parsed.record
        values = [(key, record[key], Structure) for key in PLAIN_KEYS]
        values += [(key, value, Structure) for key, value in zip(AXIS_KEYS, record["axes"], strict=True)]
        values += [(key, record[key] or "", CLOSED_LISTS[key]) for key in CHOICE_KEYS]
        for key, value, model in values:
            field = model._meta.get_field(key if model is Structure else "label")
            if isinstance(value, str) and field.max_length and len(value) > field.max_length:
                problem = f"plus de {field.max_length} caractères"
            elif field.name in single_line_fields(model) and has_line_break(value):
                problem = f"saut de ligne ({line_break_name(value)}) dans la valeur ; elle doit tenir sur une ligne"
            else:
                continue
            label = LABEL_OF.get(key) or ("Nom" if key == "name" else "Adresse")
            raise ImportFileError(self.report.filename, parsed.lines.get(key, parsed.line), f"« {label} » : {problem}")

    def _match(self, fields: dict, parsed: ParsedStructure) -> int | None:
        """The stored structure this block describes: same name and department, else same valid SIRET."""
        siret = fields.get("siret", "")
        key = (match_key(fields["name"]), fields.get("department_id"))
        for pk in self.by_name.get(key, []):
            if pk in self.seen:
                if self.seen[pk][1] == fields:
                    return pk
                self.report.warn(
                    parsed.line,
                    f"une autre structure de même nom et même département a été lue ligne {self.seen[pk][0]}",
                )
                continue
            if not (is_valid_siret(siret) and is_valid_siret(self.sirets[pk]) and siret != self.sirets[pk]):
                return pk
        pk = self.by_siret.get(siret) if is_valid_siret(siret) else None
        if pk is None or pk in self.seen:
            return None
        self.report.warn(parsed.line, f"structure reconnue par son numéro SIRET (structure n° {pk})")
        return pk

    def _create(self, fields: dict, parsed: ParsedStructure) -> None:
        pk = -1 - len(self.operations)
        self.operations.append(("create", pk, {**fields, "kind": self._kind(parsed, "")}, parsed.line))
        self._remember(pk, fields["name"], fields.get("department_id"), fields.get("siret", ""))
        self.seen[pk] = (parsed.line, fields)
        self.report.created += 1

    def _update(self, pk: int, fields: dict, parsed: ParsedStructure) -> None:
        structure = Structure.objects.get(pk=pk)
        self.seen[pk] = (parsed.line, fields)
        changes = _changes(structure, {**fields, "kind": self._kind(parsed, structure.kind)})
        if not changes:
            self.report.unchanged += 1
            return
        self.operations.append(("update", pk, changes, parsed.line))
        for key, value in changes.items():
            setattr(structure, key, value)
        self._remember(pk, structure.name, structure.department_id, structure.siret)
        self.report.updated += 1

    def write(self) -> None:
        """Create and update what was decided (closed-list values met first), in the caller's transaction."""
        self.refs.create_added()
        for action, pk, values, line in self.operations:
            values = {key: self.refs.id_of(value) for key, value in values.items()}
            if action == "create":
                Structure(**values).save()
            else:
                self._write_update(pk, values, line)

    def _write_update(self, pk: int, values: dict, line: int) -> None:
        structure = Structure.objects.filter(pk=pk).first()
        if structure is None:
            raise ImportFileError(
                self.report.filename,
                line,
                f"la structure n° {pk} à mettre à jour a été supprimée pendant l'import : rien n'a été enregistré, "
                "relancez l'import",
            )
        changes = _changes(structure, values)  # again: someone may have saved the structure since it was read
        if not changes:
            return
        source = f"import {self.report.filename}:{line}"
        with structure_change(structure, changed_fields=changes, acting_user=self.acting_user, source=source):
            for key, value in changes.items():
                setattr(structure, key, value)
            structure.save()

    def _kind(self, parsed: ParsedStructure, stored: str) -> str:
        """The `--kind` option, else the page header, else the stored kind, else a guess from the name."""
        kind = self.kind or parsed.record["kind"] or stored
        if kind:
            return kind
        kind = guess_kind(parsed.record["name"]) or StructureKind.CSX
        self.report.warn(
            parsed.line,
            f"type non précisé : « {parsed.record['name'][:60]} » est considérée comme "
            f"{_KIND_LABELS[kind].lower()} d'après son nom (option --kind pour le fixer)",
        )
        return kind


def _changes(structure: Structure, values: dict) -> dict:
    return {key: value for key, value in values.items() if getattr(structure, key) != value}
