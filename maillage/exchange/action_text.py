"""The text export format of action sheets (domain.md): a pure parser and its writer.

A sheet starts at a line `Actions` only when the line after its title is one of `START_LABELS`;
only the exact label lines below start a field, so free text may contain lines starting with `- `.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from maillage.referentials.text import compact_key
from maillage.validators import has_line_break, line_break_name, one_line

from .records import TEXT_KEYS, empty_record

SHEET_MARKER = "Actions"
PAGE_HEADER = "Les actions des centres sociaux"
PARTNERS_SUBHEADER = "Partenaires d'action:"

LABELS = {
    "- Structure organisatrice": "structure",
    "- Fichier(s) associé(s)": "files",
    "- Statut de l'action": "status",
    "- Raisons pour lesquelles l'action est terminée": "end_reason",
    "- Dimension": "dimensions",
    "- Mots clés associés à l'action": "keywords",
    "- Résumé": "summary",
    "- Qui est à l'initiative de l'action ?": "initiative",
    "- Précision ( si autre )": "initiative_detail",
    "- Territoire concerné": "territory",
    "- Description de l'expérience, ses objectifs, ses acteurs et ses différentes phases.": "experience",
    "- Public": "public",
    "- Avec qui cette action a-t-elle été menée ?": "partners",
    "- Description générale": "general_description",
    "- Ressources financières mobilisées pour cette action": "financial_resources",
    "- Nombre de personnes mobilisés pour cette action": "people_mobilised",
    "- Résultat sur le territoire": "result_territory",
    "- Résultat pour le centre social": "result_centre",
    "- Résultat pour les habitants": "result_inhabitants",
    "- Suite de l'action : Limites": "limits",
    "- Suite de l'action : Perspectives": "perspectives",
}
LABEL_OF = {key: label for label, key in LABELS.items()}
START_LABELS = frozenset({"- Structure organisatrice", "- Fichier(s) associé(s)"})
LIST_FIELDS = frozenset({"files", "status", "dimensions", "keywords", "initiative", "territory", "public", "partners"})
SINGLE_FIELDS = frozenset({"status", "territory"})
# Labels every complete sheet has; the others appear only when they apply.
REQUIRED_FIELDS = tuple(key for key in LABELS.values() if key not in {"structure", "end_reason", "initiative_detail"})
# Lists that open with a lone `-` line in the real export.
LISTS_OPENED_BY_DASH = frozenset({"keywords", "initiative", "partners"})
MAX_TITLE_CHARS = 1000
# No real sheet comes near this; the bound keeps memory in check on malformed input.
MAX_SHEET_LINES = 200_000


class ParseError(Exception):
    """Input that cannot be read as sheets at all; carries the line where the problem starts."""

    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(f"{line}: {message}")


def _too_long_message(lines: list[str]) -> str:
    if lines and lines[0] == SHEET_MARKER:
        return f"fiche trop longue (plus de {MAX_SHEET_LINES} lignes)"
    return f"aucune fiche action trouvée dans les {MAX_SHEET_LINES} premières lignes"


@dataclass
class Warning_:
    line: int
    message: str


@dataclass
class ParsedSheet:
    line: int
    record: dict
    warnings: list[Warning_] = field(default_factory=list)
    errors: list[Warning_] = field(default_factory=list)
    # Line of each field's label, to locate what the loader finds wrong in a value.
    field_lines: dict[str, int] = field(default_factory=dict)


class DepartmentMatcher:
    """Finds a department by its name, ignoring case, accents, apostrophes, hyphens and spaces."""

    def __init__(self, names: Iterable[str]):
        self._by_key = {compact_key(name): name for name in names}

    def find(self, text: str) -> str | None:
        return self._by_key.get(compact_key(text))


def split_sheets(blocks: Iterable[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    """Cut the stream of lines into sheets: `(line number of "Actions", stripped lines)`.

    Lines before the first sheet, when there are any, come first as a chunk that is not a sheet.
    `list.index` finds the `Actions` lines at C speed; only those are looked at in Python.
    """
    pending: list[str] = []
    start = 1
    for first_line, raw_lines in blocks:
        lines = pending + [line.strip() for line in raw_lines]
        base = first_line - len(pending)
        cut = 0
        search = 0
        while True:
            try:
                index = lines.index(SHEET_MARKER, search)
            except ValueError:
                break
            if index + 2 >= len(lines):
                break
            if index > cut and lines[index + 2] in START_LABELS:
                yield base + cut, lines[cut:index]
                cut = index
            search = index + 1
        # The last chunk may go on in the next block: carry it over, within bounds.
        pending, start = lines[cut:], base + cut
        if len(pending) > MAX_SHEET_LINES:
            raise ParseError(start, _too_long_message(pending))
    if pending:
        yield start, pending


def parse_blocks(blocks: Iterable[tuple[int, list[str]]], departments: DepartmentMatcher) -> Iterator[ParsedSheet]:
    """Parse a whole export; a preamble that is not a sheet is reported as a `ParsedSheet` without record."""
    for start, lines in split_sheets(blocks):
        if lines and lines[0] == SHEET_MARKER and len(lines) >= 3 and lines[2] in START_LABELS:
            yield parse_sheet(lines, start, departments)
        else:
            yield _preamble(lines, start)


def _preamble(lines: list[str], start: int) -> ParsedSheet:
    sheet = ParsedSheet(line=start, record={})
    for offset, line in enumerate(lines):
        if line and line != PAGE_HEADER:
            sheet.warnings.append(Warning_(start + offset, f"ligne ignorée avant la première fiche : « {line[:60]} »"))
            break
    return sheet


def _trim_trailing_headers(lines: list[str]) -> list[str]:
    end = len(lines)
    while end > 3 and lines[end - 1] in {PAGE_HEADER, ""}:
        end -= 1
    return lines[:end]


def parse_sheet(lines: list[str], start: int, departments: DepartmentMatcher) -> ParsedSheet:
    """Parse one sheet: `lines[0]` is `Actions`, `lines[1]` the title, `lines[2]` a start label."""
    lines = _trim_trailing_headers(lines)
    sheet = ParsedSheet(line=start, record=empty_record())
    title = lines[1]
    if len(title) > MAX_TITLE_CHARS:
        sheet.errors.append(Warning_(start + 1, f"titre trop long (plus de {MAX_TITLE_CHARS} caractères)"))
    _check_single_line(sheet, start + 1, "Titre", title)
    sheet.record["title"] = title
    fields: dict[str, tuple[int, list[str]]] = {}
    repeats: list[tuple[str, int, list[str]]] = []
    # Label positions first, then values as slices: no Python work per line of text.
    positions = [offset for offset in range(2, len(lines)) if lines[offset] in LABELS]
    ends = positions[1:] + [len(lines)]
    for offset, end in zip(positions, ends, strict=True):
        key = LABELS[lines[offset]]
        if key in fields:
            repeats.append((key, start + offset, lines[offset + 1 : end]))
        else:
            fields[key] = (start + offset, lines[offset + 1 : end])
    sheet.field_lines = {key: line for key, (line, _) in fields.items()}
    _fill(sheet, fields, departments)
    _check_repeats(sheet, fields, repeats)
    return sheet


def _fill(sheet: ParsedSheet, fields: dict, departments: DepartmentMatcher) -> None:
    record = sheet.record
    for key, (line, values) in fields.items():
        if key in LIST_FIELDS or key == "structure":
            for offset, value in enumerate(values, start=1):
                _check_single_line(sheet, line + offset, LABEL_OF[key][2:], value)
        if key == "structure":
            record["structure"] = _parse_structure(sheet, line, values, departments)
        elif key in LIST_FIELDS:
            items = _list_values(sheet, key, line, values)
            if key in SINGLE_FIELDS:
                if len(items) > 1:
                    sheet.warnings.append(
                        Warning_(
                            line,
                            f"« {LABEL_OF[key][2:]} » : une seule valeur attendue, la première est gardée",
                        )
                    )
                record[key] = items[0] if items else None
            else:
                record[key] = items
        else:
            record[key] = "\n".join(values).strip()
    if "structure" not in fields:
        sheet.warnings.append(Warning_(sheet.line, "fiche sans « Structure organisatrice » : gardée sans structure"))
    missing = [LABEL_OF[key][2:] for key in REQUIRED_FIELDS if key not in fields]
    if missing:
        sheet.warnings.append(
            Warning_(
                sheet.line,
                f"fiche incomplète, rubriques absentes : {', '.join(missing)} ; le reste est gardé",
            )
        )


def _check_single_line(sheet: ParsedSheet, line: int, label: str, value: str) -> None:
    """A line break inside a line (a lone carriage return, a form feed, U+2028…) would make two lines of one
    value in an export, and breaks an e-mail subject: an error naming the line."""
    if has_line_break(value):
        sheet.errors.append(
            Warning_(
                line,
                f"« {label} » : saut de ligne ({line_break_name(value)}) au milieu de la ligne ; "
                "cette valeur doit tenir sur une ligne",
            )  # fmt: skip
        )


_EMPTY_LIST_LINES = frozenset({"", "-", PARTNERS_SUBHEADER})


def _list_values(sheet: ParsedSheet, key: str, line: int, values: list[str]) -> list[str]:
    # The usual case, in one pass: only "- value" lines, each value once.
    items = [value[2:].strip() for value in values if value not in _EMPTY_LIST_LINES]
    well_formed = all(value.startswith("- ") or value in _EMPTY_LIST_LINES for value in values)
    if well_formed and len(items) == len(set(items)) and (key == "partners" or PARTNERS_SUBHEADER not in values):
        return items
    return _list_values_with_warnings(sheet, key, line, values)


def _list_values_with_warnings(sheet: ParsedSheet, key: str, line: int, values: list[str]) -> list[str]:
    items: list[str] = []
    for offset, value in enumerate(values, start=1):
        if value in {"", "-"} or (key == "partners" and value == PARTNERS_SUBHEADER):
            continue
        if value.startswith("- "):
            item = value[2:].strip()
        else:
            item = value
            sheet.warnings.append(
                Warning_(line + offset, f"« {LABEL_OF[key][2:]} » : valeur sans tiret « {value[:60]} », gardée")
            )
        if item in items:
            sheet.warnings.append(Warning_(line + offset, f"valeur répétée « {item} » ignorée"))
            continue
        items.append(item)
    return items


def _parse_structure(sheet: ParsedSheet, line: int, values: list[str], departments: DepartmentMatcher):
    lines = [value for value in values if value not in {"", "-"}]
    if not lines:
        sheet.warnings.append(Warning_(line, "« Structure organisatrice » vide : fiche gardée sans structure"))
        return None
    if len(lines) > 1:
        sheet.warnings.append(Warning_(line, "« Structure organisatrice » : plusieurs lignes, la première est gardée"))
    text = lines[0][2:].strip() if lines[0].startswith("- ") else lines[0]
    name, sep, department_text = text.rpartition(" - ")
    department = departments.find(department_text) if sep else None
    if department is None:
        sheet.warnings.append(
            Warning_(
                line + 1,
                f"département non reconnu dans « {text[:80]} » : la ligne entière est gardée comme nom",
            )
        )
        return {"name": text, "department": None}
    return {"name": name.strip(), "department": department}


def _check_repeats(sheet: ParsedSheet, fields: dict, repeats: list) -> None:
    for key, line, values in repeats:
        if key == "territory":
            first = sheet.record["territory"]
            items = [value[2:].strip() for value in values if value.startswith("- ")]
            second = items[0] if items else None
            if second != first:
                sheet.warnings.append(
                    Warning_(
                        line,
                        f"« Territoire concerné » répété avec une autre valeur ({_shown(second)}), "
                        f"la première ({_shown(first)}) est gardée",
                    )
                )
        else:
            text = " / ".join(value for value in values if value)[:60]
            sheet.warnings.append(Warning_(line, f"rubrique « {LABEL_OF[key][2:]} » répétée, ignorée : « {text} »"))


def _shown(value: str | None) -> str:
    """A closed-list value as a message names it: « valeur », or « aucune »."""
    return f"« {value} »" if value else "aucune"


def write_sheet(record: dict) -> str:
    """The text of one sheet, as the real export writes it; `parse_sheet` reads it back unchanged."""
    out = [SHEET_MARKER, one_line(record["title"])]  # a line break here would end the title early
    structure = record["structure"]
    if structure is not None:
        line = one_line(structure["name"])
        if structure["department"]:
            line = f"{line} - {structure['department']}"
        out += [LABEL_OF["structure"], f"- {line}"]
    out.append(LABEL_OF["files"])
    out += [f"- {name}" for name in record["files"]]
    out += [LABEL_OF["status"]] + _single(record["status"])
    if record["end_reason"] or record["status"] == "Terminée":
        out += [LABEL_OF["end_reason"], *_text(record["end_reason"])]
    out += [LABEL_OF["dimensions"], *[f"- {value}" for value in record["dimensions"]]]
    out += _list_block(record, "keywords")
    out += [LABEL_OF["summary"], *_text(record["summary"])]
    out += _list_block(record, "initiative")
    if record["initiative_detail"]:
        out += [LABEL_OF["initiative_detail"], *_text(record["initiative_detail"])]
    out += [LABEL_OF["territory"], *_single(record["territory"])]
    out += [LABEL_OF["experience"], *_text(record["experience"])]
    out += [LABEL_OF["public"], *[f"- {value}" for value in record["public"]]]
    out += _list_block(record, "partners")
    out += [LABEL_OF["territory"], *_single(record["territory"])]
    for key in TEXT_KEYS[TEXT_KEYS.index("general_description") :]:
        out += [LABEL_OF[key], *_text(record[key])]
    return "\n".join(out) + "\n"


def _list_block(record: dict, key: str) -> list[str]:
    block = [LABEL_OF[key], "-"]
    if key == "partners":
        block.append(PARTNERS_SUBHEADER)
    return block + [f"- {value}" for value in record[key]]


def _single(value: str | None) -> list[str]:
    return [f"- {value}"] if value else []


def _text(value: str) -> list[str]:
    return value.split("\n") if value else []
