"""A questionnaire's YAML files as texts, and the definition read back from exactly those texts.

A questionnaire is loaded from its main file and the files it includes or extends, all in the main file's
folder and named by a plain file name (that is how they are kept, by name, in `Questionnaire.sources`).
Every file is read as UTF-8 text first (a binary file or another encoding is an error naming the file and
the line), then the definition is built from exactly the texts that will be stored — the command line, the
web page (`maillage/www/observatory_admin.py`, through `campaigns.load_into_campaign`) and the demo share
this path. No ORM: `campaigns.store_questionnaire` keeps the texts, `Questionnaire.definition()` reads them back
through `definition_from_sources`.
"""

import codecs
import functools
import hashlib
import json
import re
import tempfile
import threading
from pathlib import Path

import yaml

from .builder import check_definition_text
from .questionnaire import DefinitionError, InvalidDefinition
from .yaml_marks import MarkedDict, MarkedList, load_marked

_lock = threading.Lock()
_definitions: dict = {}
# Control characters never found in a text file (tab, line feed, form feed, carriage return, escape allowed).
_BINARY = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")


def source_bundle(path: Path) -> dict[str, str]:
    """The file and those it includes or extends (same folder), by name: what rebuilds the definition.

    Raises `InvalidDefinition` when one of them cannot be read as UTF-8 text or names a file elsewhere."""
    bundle, errors = collect_sources(path, str(path))
    if errors:
        raise InvalidDefinition(errors)
    return bundle


def collect_sources(path: Path, display: str) -> tuple[dict[str, str], list[DefinitionError]]:
    """Read the main file and every file it names (`include`, `extends`), following them; (texts, errors).

    A named file that is missing is left out: the checker then says where it was named. A file that is not
    valid YAML is kept, its references unknown: the checker says where the syntax breaks."""
    bundle: dict[str, str] = {}
    errors: list[DefinitionError] = []
    if not path.is_file():
        return bundle, [DefinitionError(display, 0, "fichier introuvable")]
    pending = [(path.name, display)]
    while pending:
        name, shown = pending.pop()
        if name in bundle or not (path.parent / name).is_file():
            continue
        text, error = read_text_file(path.parent / name, shown)
        if error is not None:
            errors.append(error)
            continue
        bundle[name] = text
        for reference, line in _references(text):
            if not is_plain_file_name(reference):
                errors.append(DefinitionError(shown, line, _NOT_PLAIN.format(name=reference)))
            else:
                pending.append((reference, _display_of(shown, reference)))
    return bundle, errors


_NOT_PLAIN = (
    "« {name} » : donnez le seul nom d'un fichier du même dossier (sans chemin), les fichiers d'un questionnaire "
    "sont gardés ensemble"
)


def read_text_file(path: Path, display: str) -> tuple[str, DefinitionError | None]:
    """The file's text (UTF-8, BOM dropped, CRLF as LF), or an error naming the file and the line."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return "", DefinitionError(display, 0, f"fichier illisible ({error.strerror or type(error).__name__})")
    return decode_text(data, display)


def decode_text(data: bytes, display: str) -> tuple[str, DefinitionError | None]:
    if not data.strip():
        return "", DefinitionError(display, 0, "le fichier est vide")
    binary = _BINARY.search(data)
    if binary is not None:
        line = data.count(b"\n", 0, binary.start()) + 1
        message = "données binaires : ce n'est pas un fichier texte YAML (une image ou un PDF renommé ?)"
        return "", DefinitionError(display, line, message)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return "", DefinitionError(display, line, "le fichier n'est pas encodé en UTF-8 (enregistrez-le en UTF-8)")
    return text.replace("\r\n", "\n"), None


def is_plain_file_name(name) -> bool:
    """A file of the same folder: no path, no parent, no control character."""
    return (
        isinstance(name, str)
        and name.strip() == name
        and name not in ("", ".", "..")
        and "/" not in name
        and "\\" not in name
        and name.isprintable()
    )


@functools.lru_cache(maxsize=64)
def _references(text: str) -> tuple[tuple[object, int], ...]:
    """The files a definition includes or extends, with their lines (parsing YAML is the slow part: kept per text).

    Text that is not YAML, or not a mapping, names no file here: the checker reports it."""
    try:
        data, _ = load_marked(text)
    except (yaml.YAMLError, RecursionError):
        return ()
    if not isinstance(data, MarkedDict):
        return ()
    found = []
    includes = data.get("include")
    if isinstance(includes, MarkedList):
        found += [(name, includes.line_of(index)) for index, name in enumerate(includes) if name is not None]
    elif includes is not None:
        found.append((includes, data.line_of("include")))
    if data.get("extends") is not None:
        found.append((data["extends"], data.line_of("extends")))
    return tuple(found)


def _display_of(including: str, name: str) -> str:
    """How the checker names an included file: next to the file that includes it."""
    parent = Path(including).parent
    return str(parent / name) if parent != Path(".") else name


def read_questionnaire(path: Path, *, display: str | None = None):
    """(definition, sources) of a questionnaire file and the files it names; raises `InvalidDefinition`
    whose errors each name the file (as `display`, the path by default) and the line, in French."""
    display = display or str(path)
    sources, errors = collect_sources(path, display)
    if errors:
        raise InvalidDefinition(sorted(errors, key=lambda e: (e.file, e.line)))
    return definition_from_sources(path.name, sources, display=display), sources


def definition_from_sources(main_file: str, sources: dict[str, str], *, display: str | None = None):
    """The definition built from the kept texts alone (nothing else on disk can be included), once per process."""
    key = _bundle_key(main_file, sources)
    with _lock:
        found = _definitions.get(key)
    if found is not None:
        return found
    with tempfile.TemporaryDirectory(prefix="maillage-questionnaire-") as folder:
        for name, text in sources.items():
            (Path(folder) / name).write_text(text, encoding="utf-8")
        try:
            found, errors = check_definition_text(sources[main_file], name=display or main_file, base_dir=folder)
        except RecursionError:  # PyYAML and the checker recurse into nested lists and blocks
            errors = [DefinitionError(display or main_file, 0, "listes ou blocs imbriqués trop profondément")]
    if errors:
        raise InvalidDefinition(errors)
    with _lock:
        _definitions[key] = found
    return found


def _bundle_key(main_file: str, sources: dict[str, str]) -> tuple[str, bytes]:
    return main_file, hashlib.sha256(json.dumps(sources, sort_keys=True).encode()).digest()


__all__ = [
    "collect_sources",
    "definition_from_sources",
    "read_questionnaire",
    "source_bundle",
]
