"""Keeping a questionnaire's YAML files in the database, and reading the definition back from them."""

import functools
import hashlib
import json
import tempfile
import threading
from pathlib import Path

import yaml
from django.db import transaction

from .definitions import InvalidDefinition, load_definition
from .models import Campaign, Questionnaire

_lock = threading.Lock()
_definitions: dict = {}


class QuestionnaireLoadError(ValueError):
    """A questionnaire that cannot be loaded for a campaign; the message is in French."""


def source_bundle(path: Path) -> dict[str, str]:
    """The file and those it includes or extends (same folder), by name: what rebuilds the definition."""
    bundle: dict[str, str] = {}
    pending = [path.name]
    while pending:
        name = pending.pop()
        if name in bundle:
            continue
        bundle[name] = (path.parent / name).read_text(encoding="utf-8")
        pending.extend(_references(bundle[name]))
    return bundle


@functools.lru_cache(maxsize=64)
def _references(text: str) -> tuple[str, ...]:
    """The files a definition includes or extends (parsing YAML is the slow part: kept per text)."""
    data = yaml.safe_load(text) or {}
    includes = data.get("include") or []
    found = [includes] if isinstance(includes, str) else list(includes)
    if data.get("extends"):
        found.append(data["extends"])
    return tuple(found)


@transaction.atomic
def load_questionnaire(path: Path, campaign: Campaign, *, acting_user=None) -> Questionnaire:
    """Check the file (all-or-nothing) and keep it as the campaign's questionnaire for its kind.

    A questionnaire that already has answers is not replaced: the answers were given to it."""
    sources = source_bundle(path)
    key = _bundle_key(path.name, sources)
    with _lock:
        definition = _definitions.get(key)
    if definition is None:
        definition = load_definition(path)  # raises InvalidDefinition with the file and line of each error
        with _lock:
            _definitions[key] = definition
    if definition.years and campaign.year not in definition.years:
        years = ", ".join(str(year) for year in definition.years)
        raise QuestionnaireLoadError(f"{path.name} est prévu pour {years}, pas pour la campagne {campaign.year}.")
    existing = Questionnaire.objects.filter(campaign=campaign, kind=definition.kind).first()
    if existing is not None and existing.responses.exclude(answers={}).exists():
        raise QuestionnaireLoadError(
            f"Le questionnaire {existing.get_kind_display()} de {campaign.year} a déjà des réponses : "
            "il ne peut plus être remplacé."
        )
    fields = {
        "code": definition.code,
        "version": definition.version,
        "title": definition.title,
        "main_file": path.name,
        "sources": sources,
        "question_count": len(definition),
        "loaded_by": acting_user,
    }
    questionnaire, _ = Questionnaire.objects.update_or_create(campaign=campaign, kind=definition.kind, defaults=fields)
    return questionnaire


def _bundle_key(main_file: str, sources: dict[str, str]) -> tuple[str, bytes]:
    return main_file, hashlib.sha256(json.dumps(sources, sort_keys=True).encode()).digest()


def stored_definition(questionnaire: Questionnaire):
    """The definition kept with the questionnaire, rebuilt once per process for the same files."""
    key = _bundle_key(questionnaire.main_file, questionnaire.sources)
    with _lock:
        found = _definitions.get(key)
    if found is None:
        with tempfile.TemporaryDirectory(prefix="maillage-questionnaire-") as folder:
            for name, text in questionnaire.sources.items():
                (Path(folder) / name).write_text(text, encoding="utf-8")
            found = load_definition(Path(folder) / questionnaire.main_file)
        with _lock:
            _definitions[key] = found
    return found


__all__ = ["InvalidDefinition", "QuestionnaireLoadError", "load_questionnaire", "source_bundle", "stored_definition"]
