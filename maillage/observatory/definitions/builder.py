"""Build `Questionnaire` dataclasses from YAML files, collecting every error with its file and line.

The first pass reads each file on its own (shape, types, ranges, options, grids, rule syntax); includes and
`extends` are resolved here, sections and questions are read by `questions`, rules by `rules`, single values by
`fields`. `checker` then checks what needs the whole questionnaire (duplicate codes, conditions and rules that name
unknown questions, cycles) and filters a variant.

The way in for everyone else: `check_definition` / `load_definition` (a file), `check_definition_text` /
`load_definition_text` (a text, its includes resolved against a folder), `shipped_definition` (a questionnaire of
`QUESTIONNAIRES_DIR`, the YAML files shipped with the application).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .checker import assemble
from .questionnaire import KINDS, DefinitionError, InvalidDefinition, Questionnaire, Rule, Section, Source
from .questions import QuestionReader
from .rules import RuleReader
from .yaml_marks import MarkedDict, load_marked, yaml_error_line

TOP_KEYS = {
    "block",
    "code",
    "version",
    "title",
    "kind",
    "years",
    "year",
    "include",
    "extends",
    "exclude",
    "sections",
    "rules",
}
BLOCK_KEYS = {"block", "code", "version", "title", "years", "year", "include", "sections", "rules"}


@dataclass
class Parts:
    """What a file contributes: header values, sections (unfiltered) and rules."""

    header: dict = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    exclude: list[tuple[str, Source]] = field(default_factory=list)
    extended: bool = False


class Builder(QuestionReader, RuleReader):
    """Reads a definition file, its includes and the file it extends; errors gather in `errors`."""

    def read_file(self, path: Path, display: str, stack: tuple[Path, ...], *, block: bool) -> Parts | None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.error(Source(display, 0), f"fichier illisible ou introuvable ({exc.__class__.__name__})")
            return None
        return self.read_text(text, display, path.parent, (*stack, path.resolve()), block=block)

    def read_text(self, text: str, display: str, base_dir: Path, stack: tuple, *, block: bool) -> Parts | None:
        try:
            data, duplicates = load_marked(text)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            self.error(Source(display, yaml_error_line(exc)), f"YAML invalide : {problem}")
            return None
        for line, key in duplicates:
            self.error(Source(display, line), f"clé « {key} » répétée dans le même bloc")
        if not isinstance(data, MarkedDict):
            self.error(
                Source(display, 1), "le fichier doit décrire un questionnaire (des clés « code », « sections »…)"
            )
            return None
        return self.document(data, display, base_dir, stack, block=block)

    def document(self, data: MarkedDict, display: str, base_dir: Path, stack: tuple, *, block: bool) -> Parts:
        parts = Parts()
        src = self.source_for(display, data)
        standalone_block = data.get("block") is True and not block
        block = block or data.get("block") is True
        self.unknown_keys(data, BLOCK_KEYS if block else TOP_KEYS, display, "du questionnaire")
        if "extends" in data and not block:
            base = self.include(data["extends"], src("extends"), base_dir, stack, block=False)
            if base is not None:
                parts.sections, parts.rules = list(base.sections), list(base.rules)
            parts.extended = True
            parts.exclude = [(c, s) for c, s in self.string_list(data, "exclude", display) if c is not None]
        elif "exclude" in data:
            self.error(src("exclude"), "« exclude » n'a de sens qu'avec « extends »")
        parts.header = self.header(data, display, block=block)
        if standalone_block:  # a thematic block checked on its own: every question kept
            parts.header.update(kind="block", years=(), version=parts.header.get("version", ""))
        for index, section in enumerate(self.items(data, "sections", display, required=not parts.extended)):
            if isinstance(section, MarkedDict):
                parts.sections.append(self.section(section, display))
            else:
                self.error(Source(display, data["sections"].line_of(index)), "une section doit être un bloc de clés")
        for index, rule in enumerate(self.items(data, "rules", display)):
            if isinstance(rule, MarkedDict):
                built = self.rule(rule, display)
                if built is not None:
                    parts.rules.append(built)
            else:
                self.error(Source(display, data["rules"].line_of(index)), "une règle doit être un bloc de clés")
        for name, source in self.string_list(data, "include", display):
            included = self.include(name, source, base_dir, stack, block=True)
            if included is not None:
                parts.sections += included.sections
                parts.rules += included.rules
        return parts

    def include(self, name, source: Source, base_dir: Path, stack: tuple, *, block: bool) -> Parts | None:
        if not isinstance(name, str) or not name.strip():
            self.error(source, "nom de fichier attendu")
            return None
        path = base_dir / name
        if path.resolve() in stack:
            self.error(source, f"inclusion circulaire : « {name} » s'inclut lui-même")
            return None
        if not path.is_file():
            self.error(source, f"fichier « {name} » introuvable (chemin relatif au fichier qui l'inclut)")
            return None
        display = str(Path(source.file).parent / name) if Path(source.file).parent != Path(".") else name
        return self.read_file(path, display, stack, block=block)

    def header(self, data: MarkedDict, display: str, *, block: bool) -> dict:
        src = self.source_for(display, data)
        header = {}
        for key in ("code", "version", "title"):
            value = data.get(key)
            if value is None or str(value).strip() == "":
                if not block:
                    self.error(src(key), f"« {key} » manquant pour le questionnaire")
                continue
            header[key] = str(value).strip()
        if not block:
            kind = data.get("kind")
            if kind not in KINDS:
                self.error(src("kind"), f"« kind » doit valoir {' ou '.join(KINDS)}, pas « {kind} »")
            header["kind"] = kind
            years = data.get("years", data.get("year"))
            years = years if isinstance(years, list) else [years]
            if not all(isinstance(y, int) and not isinstance(y, bool) and 2000 <= y <= 2100 for y in years):
                self.error(
                    src("years" if "years" in data else "year"), "« years » : liste d'années attendue (2000–2100)"
                )
            header["years"] = tuple(y for y in years if isinstance(y, int))
        header["source"] = Source(display, data.line)
        return header


def build_from_file(path: Path):
    builder = Builder()
    parts = builder.read_file(path, str(path), (), block=False)
    return _finish(builder, parts)


def build_from_text(text: str, *, name: str, base_dir: Path):
    builder = Builder()
    parts = builder.read_text(text, name, base_dir, (), block=False)
    return _finish(builder, parts)


def _finish(builder: Builder, parts: Parts | None):
    questionnaire = assemble(builder, parts) if parts is not None else None
    if builder.errors:
        return None, sorted(builder.errors, key=lambda e: (e.file, e.line))
    return questionnaire, []


def check_definition(path: str | Path) -> tuple[Questionnaire | None, list[DefinitionError]]:
    """Load and check a definition file; return (questionnaire, []) or (None, errors)."""
    return build_from_file(Path(path))


def load_definition(path: str | Path) -> Questionnaire:
    questionnaire, errors = check_definition(path)
    if errors:
        raise InvalidDefinition(errors)
    return questionnaire


def check_definition_text(text: str, *, name: str = "questionnaire.yaml", base_dir: str | Path = ".") -> tuple:
    """Same as `check_definition` for text (tests, uploads); includes resolve against `base_dir`."""
    return build_from_text(text, name=name, base_dir=Path(base_dir))


def load_definition_text(text: str, *, name: str = "questionnaire.yaml", base_dir: str | Path = ".") -> Questionnaire:
    questionnaire, errors = check_definition_text(text, name=name, base_dir=base_dir)
    if errors:
        raise InvalidDefinition(errors)
    return questionnaire


QUESTIONNAIRES_DIR = Path(__file__).parent.parent / "questionnaires"


def shipped_definition(name: str) -> Questionnaire:
    """A questionnaire shipped with the application, e.g. `shipped_definition("csx_2025.yaml")`."""
    return load_definition(QUESTIONNAIRES_DIR / name)
