"""Importing the structure directory: one transaction per file, previous versions kept in the history.

A structure already known (same name up to case, accents and punctuation, in the same department; else the same
valid SIRET) is updated, keeping its previous version; labels absent from a truncated block leave the stored
values alone. The command line and the web upload both call `import_structures`.
"""

from collections.abc import Callable
from datetime import date
from pathlib import Path

from maillage.referentials.models import CLOSED_LISTS, Department
from maillage.referentials.text import match_key
from maillage.structures.models import Structure, StructureKind
from maillage.structures.services import structure_change
from maillage.structures.siret import is_valid_siret

from .action_loader import ReferenceResolver, guess_kind
from .reading import ImportFileError, iter_line_blocks
from .reports import ImportReport
from .structure_json import PLAIN_KEYS
from .structure_text import AXIS_KEYS, CHOICE_KEYS, LABEL_OF, ParsedStructure, parse_blocks
from .transactions import run_import

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
    run_import(lambda: _load(path, name, report, loader, progress), dry_run=dry_run)
    return report


def _load(path, name: str, report: ImportReport, loader: "StructureLoader", progress) -> None:
    found = False
    for parsed in parse_blocks(iter_line_blocks(path, display_name=name, progress=progress)):
        if not parsed.record:
            for warning in parsed.warnings:
                report.warn(warning.line, warning.message)
            continue
        found = True
        loader.add(parsed)
    if not found:
        raise ImportFileError(
            name,
            1,
            "aucune structure trouvée (une structure commence par une ligne « Informations sur la structure » "
            "suivie de son nom)",
        )


class StructureLoader:
    """Turns parsed structures into created or updated `Structure` rows, inside the caller's transaction."""

    def __init__(self, report: ImportReport, *, kind: str | None = None, acting_user=None):
        self.report = report
        self.kind = kind
        self.acting_user = acting_user
        self.refs = ReferenceResolver(CHOICE_KEYS, report)
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
        self._check_lengths(parsed)
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

    def _check_lengths(self, parsed: ParsedStructure) -> None:
        """Values too long for their column make the file fail, naming the line (PostgreSQL would refuse them)."""
        record = parsed.record
        values = [(key, record[key], Structure) for key in PLAIN_KEYS]
        values += [(key, value, Structure) for key, value in zip(AXIS_KEYS, record["axes"], strict=True)]
        values += [(key, record[key] or "", CLOSED_LISTS[key]) for key in CHOICE_KEYS]
        for key, value, model in values:
            limit = model._meta.get_field(key if model is Structure else "label").max_length
            if isinstance(value, str) and limit and len(value) > limit:
                where = parsed.lines.get(key, parsed.line)
                label = LABEL_OF.get(key) or ("Nom" if key == "name" else "Adresse")
                raise ImportFileError(self.report.filename, where, f"« {label} » : plus de {limit} caractères")

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
        structure = Structure(kind=self._kind(parsed, ""), **fields)
        structure.save()
        self._remember(structure.pk, structure.name, structure.department_id, structure.siret)
        self.seen[structure.pk] = (parsed.line, fields)
        self.report.created += 1

    def _update(self, pk: int, fields: dict, parsed: ParsedStructure) -> None:
        structure = Structure.objects.get(pk=pk)
        self.seen[pk] = (parsed.line, fields)
        changes = {**fields, "kind": self._kind(parsed, structure.kind)}
        changes = {key: value for key, value in changes.items() if getattr(structure, key) != value}
        if not changes:
            self.report.unchanged += 1
            return
        source = f"import {self.report.filename}:{parsed.line}"
        with structure_change(structure, changed_fields=changes, acting_user=self.acting_user, source=source):
            for key, value in changes.items():
                setattr(structure, key, value)
            structure.save()
        self._remember(pk, structure.name, structure.department_id, structure.siret)
        self.report.updated += 1

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
