"""The text format of the structure directory (domain.md): a pure parser and its writer.

A structure starts at a line `Informations sur la structure`, then its name, then label lines in a fixed order.
Labels are recognised in that order only, so that a history line repeating an earlier label (`Historique`) stays
history text. The page headers between structures (`Liste des centres sociaux`, `Liste des espaces de vie sociale`)
tell the kind of the structures that follow; the writer writes them too, so that the kind survives a round trip.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from maillage.referentials.text import fold
from maillage.structures.siret import is_valid_siret, normalize_siret
from maillage.validators import one_line

from .action_text import Warning_
from .structure_json import STRUCTURE_KEYS

STRUCTURE_MARKER = "Informations sur la structure"
# Page headers of the directory, and the kind of the structures listed under them.
PAGE_HEADERS = {
    "Liste des centres sociaux": "csx",
    "Liste des espaces de vie sociale": "evs",
    "Liste des structures": None,
}
HEADER_OF_KIND = {kind: header for header, kind in PAGE_HEADERS.items()}


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    has_value: bool


def _section(key: str, label: str) -> Step:
    return Step(key, label, False)


def _labelled(key: str, label: str) -> Step:
    return Step(key, label, True)


AXIS_KEYS = tuple(f"axis_{number}" for number in range(1, 6))
STEPS = (
    _section("identity", "Fiche identité"),
    _section("address", "Adresse"),
    _labelled("email", "Adresse mail contact"),
    _labelled("website", "Site internet"),
    _labelled("siret", "Numéro SIRET"),
    _section("history", "Historique"),
    _labelled("first_approval", "Date du 1er agrément"),
    _labelled("population", "Population de la zone de compétence"),
    _section("axes", "Axes du projet en cours :"),
    *(_labelled(key, f"- Axe {number}") for number, key in enumerate(AXIS_KEYS, start=1)),
    _section("management", "Mode de gestion"),
    _labelled("management_mode", "Mode de gestion de la structure"),
    _section("territory", "Territoire d’intervention et géographie prioritaire"),
    _labelled("territory_type", "Type de territoire d’intervention"),
    _labelled("territory_size", "Taille du territoire d’intervention"),
    _labelled("priority_geography", "Géographie prioritaire"),
    _section("federation", "Adhésion à une fédération"),
    _labelled("fcsf_member", "Adhérent à la Fédération des Centres Sociaux"),
    _labelled("other_federation", "Adhérent à une autre fédération"),
    _section("specifics", "Spécificités de la structure"),
    _labelled("travellers", "Structure « gens du voyage »"),
    _labelled("multi_site", "Structure multi-sites / éclaté"),
    _labelled("itinerant", "Structure itinérante"),
)
# Keys the historical text format has no label for: an import of it leaves their stored values alone.
NOT_IN_TEXT = ("phone", "opening_hours")
LABEL_OF = {step.key: step.label for step in STEPS if step.has_value}
HISTORY_STEP = next(index for index, step in enumerate(STEPS) if step.key == "history")
# Free-text lines belong to the address after `Adresse`, to the history after `Historique` and its two values.
_ZONE_AFTER = {"address": "address", "history": "history", "first_approval": "history", "population": "history"}
CHOICE_KEYS = ("management_mode", "territory_type", "territory_size", "priority_geography")
YES_NO_KEYS = ("fcsf_member", "travellers", "multi_site", "itinerant")
YES_NO = {"oui": True, "non": False}
MAX_POPULATION = 2_147_483_647
_SPACES = re.compile(r"\s+")
_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_POPULATION = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+")
_POSTCODE_LINE = re.compile(r"(\S*\d\S*)(?:\s+(.*))?")
_MAX_POSTCODE_CHARS = 10


def _norm(label: str) -> str:
    """Labels compare ignoring case, spacing and the kind of apostrophe."""
    return _SPACES.sub(" ", label.replace("’", "'")).replace(" :", ":").strip().casefold()


_SECTION_INDEX = {_norm(step.label): index for index, step in enumerate(STEPS) if not step.has_value}
_VALUE_INDEX = {_norm(step.label): index for index, step in enumerate(STEPS) if step.has_value}


@dataclass
class ParsedStructure:
    """One structure: its record (keys of `STRUCTURE_KEYS`, `department` left empty: the parser knows no
    database, so it gives `department_code` for the loader to map), the record keys whose lines were absent
    (`missing`) and the line number of each key read."""

    line: int
    record: dict
    department_code: str | None = None
    missing: set[str] = field(default_factory=set)
    lines: dict[str, int] = field(default_factory=dict)
    warnings: list[Warning_] = field(default_factory=list)

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(Warning_(line, message))


@dataclass
class _State:
    position: int = -1
    zone: str | None = None
    values: dict[str, tuple[int, str]] = field(default_factory=dict)
    address: list[tuple[int, str]] = field(default_factory=list)
    history: list[str] = field(default_factory=list)


def empty_structure_record() -> dict:
    record: dict = dict.fromkeys(STRUCTURE_KEYS)
    for key in ("name", "street", "postcode", "commune", "email", "website", "siret", "history", "other_federation",
                *NOT_IN_TEXT):  # fmt: skip
        record[key] = ""
    record["axes"] = [""] * len(AXIS_KEYS)
    return record


def split_structures(blocks: Iterable[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str], str | None]]:
    """Cut the stream of lines into structures: `(line number of the marker, stripped lines, kind of the page)`.

    Page headers become blank lines (numbering is kept); lines before the first structure come first.
    """
    current: list[str] = []
    start, kind, block_kind = 1, None, None
    for first_line, lines in blocks:
        for offset, raw in enumerate(lines):
            line = raw.strip()
            if line == STRUCTURE_MARKER:
                if current:
                    yield start, current, block_kind
                start, current, block_kind = first_line + offset, [], kind
            elif line in PAGE_HEADERS:
                kind, line = PAGE_HEADERS[line], ""
            current.append(line)
    if current:
        yield start, current, block_kind


def parse_blocks(blocks: Iterable[tuple[int, list[str]]]) -> Iterator[ParsedStructure]:
    """Parse a whole directory; what is not a structure comes as a `ParsedStructure` with an empty record."""
    for start, lines, kind in split_structures(blocks):
        if lines[0] == STRUCTURE_MARKER:
            yield parse_structure(lines, start, kind)
        else:
            yield _preamble(lines, start)


def _preamble(lines: list[str], start: int) -> ParsedStructure:
    parsed = ParsedStructure(line=start, record={})
    for offset, line in enumerate(lines):
        if line:
            parsed.warn(start + offset, f"ligne ignorée avant la première structure : « {line[:60]} »")
            break
    return parsed


def _classify(line: str) -> tuple[int | None, str]:
    """Index in `STEPS` of the label the line starts with (None for text), and the value after it."""
    norm = _norm(line)
    if norm in _SECTION_INDEX:
        return _SECTION_INDEX[norm], ""
    head, colon, rest = line.partition(":")
    index = _VALUE_INDEX.get(_norm(head)) if colon else None
    return index, rest.strip()


def parse_structure(lines: list[str], start: int, kind: str | None = None) -> ParsedStructure:
    """Parse one structure: `lines[0]` is the marker, line numbers count from `start`."""
    parsed = ParsedStructure(line=start, record=empty_structure_record())
    name_at = next((index for index, line in enumerate(lines) if index and line), None)
    if name_at is None or _classify(lines[name_at])[0] is not None:
        parsed.record = {}
        parsed.warn(start, "structure sans nom : ignorée")
        return parsed
    parsed.record["name"] = lines[name_at]
    parsed.lines["name"] = start + name_at
    parsed.record["kind"] = kind
    state = _State()
    for offset in range(name_at + 1, len(lines)):
        _read_line(parsed, state, lines[offset], start + offset)
    _read_address(parsed, state.address)
    _read_values(parsed, state)
    _read_history(parsed, state)
    _report_missing(parsed)
    return parsed


def _read_line(parsed: ParsedStructure, state: _State, line: str, number: int) -> None:
    if not line:
        if state.zone == "history" and state.history:
            state.history.append("")
        return
    index, value = _classify(line)
    if index is not None and index > state.position:
        step = STEPS[index]
        state.position = index
        state.zone = _ZONE_AFTER.get(step.key)
        if step.has_value:
            state.values[step.key] = (number, value)
        return
    if state.zone == "address":
        state.address.append((number, line))
    elif state.zone == "history":
        state.history.append(line)
    elif index is not None:
        parsed.warn(number, f"rubrique « {STEPS[index].label} » répétée ou hors de sa place : ignorée")
    else:
        parsed.warn(number, f"ligne inattendue ignorée : « {line[:60]} »")


def _read_address(parsed: ParsedStructure, lines: list[tuple[int, str]]) -> None:
    if not lines:
        parsed.missing.update(("street", "postcode", "commune", "department"))
        return
    name = parsed.record["name"]
    if len(lines) == 1:
        number, text = lines[0]
        if split_street(text, name) is None and split_postcode(text)[0]:
            parsed.missing.add("street")
            parsed.warn(number, "ligne « nom et rue » absente : rue laissée vide")
            _read_postcode(parsed, number, text)
        else:
            parsed.missing.update(("postcode", "commune", "department"))
            parsed.warn(number, "ligne « code postal et commune » absente")
            _read_street(parsed, number, text, [])
        return
    _read_street(parsed, lines[0][0], lines[0][1], lines[1:-1])
    _read_postcode(parsed, *lines[-1])


def _read_street(parsed: ParsedStructure, number: int, text: str, extra: list[tuple[int, str]]) -> None:
    street = split_street(text, parsed.record["name"])
    if street is None:
        street = text
        parsed.warn(number, "la ligne d'adresse ne commence pas par le nom de la structure : gardée entière comme rue")
    if extra:
        street = " ".join([street, *(line for _, line in extra)]).strip()
        parsed.warn(extra[0][0], "lignes d'adresse en trop : ajoutées à la rue")
    parsed.record["street"] = street
    parsed.lines["street"] = number


def _read_postcode(parsed: ParsedStructure, number: int, text: str) -> None:
    postcode, commune = split_postcode(text)
    parsed.record["postcode"], parsed.record["commune"] = postcode, commune
    for key in ("postcode", "commune", "department"):
        parsed.lines[key] = number
    parsed.department_code = department_code(postcode)
    if not postcode:
        parsed.warn(number, f"code postal absent de « {text[:60]} » : département laissé vide")
    elif parsed.department_code is None:
        parsed.warn(number, f"code postal « {postcode} » : département introuvable, laissé vide")


def split_street(line: str, name: str) -> str | None:
    """The street from the line gluing the name and the street, None when the line does not start with the
    name (compared exactly, then ignoring case and accents)."""
    if line.startswith(name):
        return line[len(name) :].strip()
    folded = fold(name)
    if not fold(line).startswith(folded):
        return None
    found = None
    for end in range(1, len(line) + 1):
        prefix = fold(line[:end])
        if len(prefix) > len(folded):
            break
        if prefix == folded:
            found = end
    return None if found is None else line[found:].strip()


def split_postcode(line: str) -> tuple[str, str]:
    """`13001 Marseille` → (`13001`, `Marseille`); a line whose first word has no digit is all commune."""
    match = _POSTCODE_LINE.fullmatch(line)
    if match and len(match[1]) <= _MAX_POSTCODE_CHARS:
        return match[1], (match[2] or "").strip()
    return "", line


def department_code(postcode: str) -> str | None:
    """INSEE code of the department of a French postcode: two digits, 2A/2B in Corsica, three overseas."""
    if not re.fullmatch(r"\d{5}", postcode):
        return None
    prefix = postcode[:2]
    if prefix == "97":
        return postcode[:3] if "971" <= postcode[:3] <= "976" else None
    if prefix == "20":
        return "2A" if postcode < "20200" else "2B"
    return prefix if "01" <= prefix <= "95" else None


def _read_values(parsed: ParsedStructure, state: _State) -> None:
    record = parsed.record
    for key, (number, value) in state.values.items():
        parsed.lines[key] = number
        if key in AXIS_KEYS:
            record["axes"][AXIS_KEYS.index(key)] = value
            parsed.lines["axes"] = min(number, parsed.lines.get("axes", number))
            continue
        converted, problem = _convert(key, value)
        record[key] = converted
        if problem:
            parsed.warn(number, f"« {LABEL_OF[key]} » : {problem}")


def _convert(key: str, value: str) -> tuple[object, str | None]:
    """The record value of a label's text, and what is wrong with it if anything."""
    if key in CHOICE_KEYS:
        return value or None, None
    if not value or key not in _CONVERTERS:
        return (None if key in _NULLABLE else value), None
    return _CONVERTERS[key](value)


def _siret(value: str) -> tuple[str, str | None]:
    siret = normalize_siret(value)
    if is_valid_siret(siret):
        return siret, None
    return siret, f"numéro « {value} » invalide (14 chiffres et clé de contrôle attendus) : gardé, à vérifier"


def _date(value: str) -> tuple[str | None, str | None]:
    match = _DATE.fullmatch(value)
    try:
        return date(int(match[3]), int(match[2]), int(match[1])).isoformat(), None
    except (TypeError, ValueError):
        return None, f"date « {value} » invalide (jj/mm/aaaa attendu) : laissée vide"


def _population(value: str) -> tuple[int | None, str | None]:
    if _POPULATION.fullmatch(value):
        number = int(re.sub(r"\D", "", value))
        if number <= MAX_POPULATION:
            return number, None
    return None, f"nombre « {value} » invalide : laissé vide"


def _yes_no(value: str) -> tuple[bool | None, str | None]:
    answer = YES_NO.get(value.casefold())
    if answer is None:
        return None, f"« {value} » au lieu de Oui ou Non : laissé vide"
    return answer, None


_CONVERTERS = {
    "siret": _siret,
    "first_approval": _date,
    "population": _population,
    **dict.fromkeys(YES_NO_KEYS, _yes_no),
}
_NULLABLE = frozenset({"first_approval", "population", *YES_NO_KEYS})


def _read_history(parsed: ParsedStructure, state: _State) -> None:
    if state.position < HISTORY_STEP:
        parsed.missing.add("history")
    parsed.record["history"] = "\n".join(state.history).strip()


def _report_missing(parsed: ParsedStructure) -> None:
    found = parsed.lines
    parsed.missing.update(NOT_IN_TEXT)
    no_axes = all(key not in found for key in AXIS_KEYS)
    parsed.missing.update(key for key in LABEL_OF if key not in found and key not in AXIS_KEYS)
    absent = [] if "street" in found or "postcode" in found else ["Adresse"]
    for step in STEPS:
        if step.key == "axes" and no_axes:
            parsed.missing.add("axes")
            absent.append("Axes du projet en cours")
        elif step.has_value and step.key not in found and not (no_axes and step.key in AXIS_KEYS):
            absent.append(step.label)
    if absent:
        parsed.warn(parsed.line, f"structure incomplète, rubriques absentes : {', '.join(absent)} ; le reste est gardé")


def write_structure(record: dict) -> str:
    """The text of one structure, as the directory writes it; `parse_structure` reads it back unchanged."""
    name = _one_line(record["name"])
    out = [STRUCTURE_MARKER, name, "Fiche identité", "Adresse", name + _one_line(record["street"])]
    out.append(" ".join(part for part in (record["postcode"], _one_line(record["commune"])) if part))
    out += [_line(key, record[key]) for key in ("email", "website", "siret")]
    out += ["Historique", _line("first_approval", _french_date(record["first_approval"]))]
    out.append(_line("population", record["population"]))
    out += record["history"].split("\n") if record["history"] else []
    out.append("Axes du projet en cours :")
    out += [_line(key, value) for key, value in zip(AXIS_KEYS, record["axes"], strict=True)]
    out += ["Mode de gestion", _line("management_mode", record["management_mode"])]
    out.append("Territoire d’intervention et géographie prioritaire")
    out += [_line(key, record[key]) for key in ("territory_type", "territory_size", "priority_geography")]
    out += ["Adhésion à une fédération", _line("fcsf_member", record["fcsf_member"])]
    out += [_line("other_federation", record["other_federation"]), "Spécificités de la structure"]
    out += [_line(key, record[key]) for key in ("travellers", "multi_site", "itinerant")]
    return "\n".join(out) + "\n"


def write_directory(records: Iterable[dict]) -> Iterator[str]:
    """Structures one after the other, with a page header wherever the kind changes."""
    kind: object = object()
    for record in records:
        if record["kind"] != kind:
            kind = record["kind"]
            yield HEADER_OF_KIND[kind] + "\n"
        yield write_structure(record)


def _line(key: str, value) -> str:
    """`Label : value`, or `Label :` when empty."""
    if isinstance(value, bool):
        value = "Oui" if value else "Non"
    text = "" if value is None else _one_line(str(value))
    return f"{LABEL_OF[key]} : {text}" if text else f"{LABEL_OF[key]} :"


def _one_line(text: str) -> str:
    """Values other than the history take one line: a line break stored before they were refused becomes a space."""
    return one_line(text).strip()


def _french_date(iso: str | None) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else ""
