"""Campaigns of the observatory: creating one, changing its dates, loading its questionnaires, and what the
national administrators' page lists (`/espace/observatoire/campagnes/`).

No HTTP here: the page (`maillage/www/observatory_admin.py`) and the command `load_questionnaire` call these
functions. Loading reads every file as UTF-8 text and checks the whole definition (`definitions.sources`), keeps
the texts in the database (`store_questionnaire`) and writes one audit event per questionnaire loaded.

A questionnaire that already has answers is never replaced (`store_questionnaire`): answers were
given to that wording, and the checks, exports and figures of the campaign read them with it. Without
answers, loading a file for the same kind replaces the questionnaire (its new code and version).
"""

from __future__ import annotations

import datetime
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch
from django.utils import timezone

from maillage.audit.models import AuditAction
from maillage.audit.services import log_event
from maillage.observatory.definitions.wording import campaign_label
from maillage.structures.models import StructureKind

from .definitions.builder import QUESTIONNAIRES_DIR
from .definitions.questionnaire import KINDS, DefinitionError, InvalidDefinition
from .definitions.sources import is_plain_file_name, read_questionnaire
from .models import Campaign, Questionnaire, Response, ResponseStatus

# The years a questionnaire file may name (`years:`), hence the years a campaign may observe.
MIN_YEAR, MAX_YEAR = 2000, 2100
AUDIT_KIND = "observatory_questionnaire"
MAX_ERRORS_SHOWN = 200


class CampaignError(ValueError):
    """A campaign that cannot be created or changed; `field` is the form field the French message is about."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(message)


class QuestionnaireLoadError(ValueError):
    """A questionnaire that cannot be loaded for a campaign; the message is in French."""


# -- campaigns ---------------------------------------------------------------------------------------------------


def check_dates(opens_on: datetime.date, closes_on: datetime.date) -> None:
    if closes_on < opens_on:
        raise CampaignError(
            "closes_on",
            f"La clôture ({closes_on:%d/%m/%Y}) ne peut pas précéder l'ouverture ({opens_on:%d/%m/%Y}).",
        )


def create_campaign(
    *, year: int, opens_on: datetime.date, closes_on: datetime.date, acting_user=None, request=None
) -> Campaign:
    """A new campaign for the observed `year`; `CampaignError` when the year is taken or the dates are wrong."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise CampaignError("year", f"Donnez une année entre {MIN_YEAR} et {MAX_YEAR}.")
    check_dates(opens_on, closes_on)
    taken = CampaignError("year", f"La campagne {campaign_label(year)} existe déjà : changez plutôt ses dates.")
    if Campaign.objects.filter(year=year).exists():
        raise taken
    try:
        with transaction.atomic():
            campaign = Campaign.objects.create(year=year, opens_on=opens_on, closes_on=closes_on)
    except IntegrityError:  # created at the same moment by someone else
        raise taken from None
    _log_dates(campaign, "création", acting_user, request)
    return campaign


def change_dates(
    campaign: Campaign, *, opens_on: datetime.date, closes_on: datetime.date, acting_user=None, request=None
) -> Campaign:
    check_dates(opens_on, closes_on)
    campaign.opens_on, campaign.closes_on = opens_on, closes_on
    campaign.save(update_fields=["opens_on", "closes_on"])
    _log_dates(campaign, "dates", acting_user, request)
    return campaign


def _log_dates(campaign: Campaign, change: str, acting_user, request) -> None:
    dates = {"opens_on": campaign.opens_on.isoformat(), "closes_on": campaign.closes_on.isoformat()}
    log_event(AuditAction.CAMPAIGN, actor=acting_user, request=request, target=campaign, change=change,
              year=campaign.year, **dates)  # fmt: skip


# -- loading questionnaires --------------------------------------------------------------------------------------


@transaction.atomic
def load_questionnaire(path: Path, campaign: Campaign, *, acting_user=None, display: str | None = None):
    """Check the file (all-or-nothing) and keep it as the campaign's questionnaire for its kind.

    A questionnaire that already has answers is not replaced: the answers were given to it."""
    definition, sources = read_questionnaire(path, display=display)
    return store_questionnaire(campaign, path.name, definition, sources, acting_user=acting_user)


def store_questionnaire(campaign: Campaign, main_file: str, definition, sources: dict[str, str], *, acting_user=None):
    """Keep a checked definition as the campaign's questionnaire for its kind (replacing one without answers).

    Call it inside a transaction: the questionnaire replaced is locked while its answers are counted."""
    if definition.kind not in KINDS:
        raise QuestionnaireLoadError(
            f"{main_file} est un bloc thématique : il se charge inclus par un questionnaire (« include: »), pas seul."
        )
    if definition.years and campaign.year not in definition.years:
        years = ", ".join(f"les données {year}" for year in definition.years)
        raise QuestionnaireLoadError(f"{main_file} est prévu pour {years}, pas pour la campagne {campaign.label}.")
    existing = Questionnaire.objects.select_for_update().filter(campaign=campaign, kind=definition.kind).first()
    if existing is not None and existing.responses.exclude(answers={}).exists():
        raise QuestionnaireLoadError(
            f"Le questionnaire {existing.get_kind_display()} de la campagne {campaign.label} a déjà des réponses : "
            "il ne peut plus être remplacé."
        )
    fields = {
        "code": definition.code,
        "version": definition.version,
        "title": definition.title,
        "main_file": main_file,
        "sources": sources,
        "question_count": len(definition),
        "loaded_by": acting_user,
    }
    questionnaire, _ = Questionnaire.objects.update_or_create(campaign=campaign, kind=definition.kind, defaults=fields)
    return questionnaire


@dataclass
class LoadResult:
    questionnaire: Questionnaire
    replaced: dict | None  # code and version of the questionnaire replaced, if any
    unused: list[str] = field(default_factory=list)  # files sent that the questionnaire does not name


@transaction.atomic
def load_into_campaign(path: Path, campaign: Campaign, *, acting_user=None, request=None, display=None) -> LoadResult:
    """Check `path` and the files it names, keep them as the campaign's questionnaire of their kind, log it.

    Raises `InvalidDefinition` (errors naming file and line) or `QuestionnaireLoadError`, having stored nothing."""
    definition, sources = read_questionnaire(path, display=display)
    previous = (
        Questionnaire.objects.filter(campaign=campaign, kind=definition.kind).values("code", "version").first()
        if definition.kind in KINDS
        else None
    )
    questionnaire = store_questionnaire(campaign, path.name, definition, sources, acting_user=acting_user)
    log_event(
        AuditAction.IMPORT, actor=acting_user, request=request, target=questionnaire, kind=AUDIT_KIND,
        year=campaign.year, questionnaire_kind=questionnaire.kind, code=questionnaire.code,
        version=questionnaire.version, files=sorted(sources), question_count=questionnaire.question_count,
        replaced=previous,
    )  # fmt: skip
    return LoadResult(questionnaire, previous)


def load_uploaded_files(
    campaign: Campaign, main: tuple[str, bytes], included: list[tuple[str, bytes]], *, acting_user=None, request=None
) -> LoadResult:
    """Load a questionnaire sent as files: the main one and those it includes or extends, by their names.

    The files are put side by side in a private folder, so that `include:` and `extends:` find them there
    (and nothing else). Errors name the files as they were sent."""
    files = [main, *included]
    names = [name for name, _ in files]
    for name in names:
        if not is_plain_file_name(name):
            raise QuestionnaireLoadError(f"« {name} » : nom de fichier refusé (caractères de contrôle ou chemin).")
    doubles = sorted({name for name in names if names.count(name) > 1})
    if doubles:
        raise QuestionnaireLoadError(f"Plusieurs fichiers envoyés s'appellent {', '.join(doubles)} : renommez-les.")
    with tempfile.TemporaryDirectory(prefix="maillage-upload-") as folder:
        for name, content in files:
            (Path(folder) / name).write_bytes(content)
        result = load_into_campaign(Path(folder) / main[0], campaign, acting_user=acting_user, request=request,
                                    display=main[0])  # fmt: skip
    result.unused = sorted(set(names) - set(result.questionnaire.sources))
    return result


def load_shipped_file(name: str, campaign: Campaign, *, acting_user=None, request=None) -> LoadResult:
    """Load one of the questionnaires shipped with the application (`shipped_questionnaires`)."""
    if name not in {shipped.name for shipped in shipped_questionnaires()}:
        raise QuestionnaireLoadError(f"« {name} » n'est pas un questionnaire fourni avec Maillage.")
    return load_into_campaign(QUESTIONNAIRES_DIR / name, campaign, acting_user=acting_user, request=request,
                              display=name)  # fmt: skip


@dataclass(frozen=True)
class ShippedQuestionnaire:
    name: str
    code: str
    version: str
    title: str
    kind: str
    years: tuple[int, ...]
    question_count: int

    @property
    def label(self) -> str:
        years = ", ".join(str(year) for year in self.years) or "toutes années"
        kind = StructureKind(self.kind).label
        return f"{self.name} — {self.code} v{self.version}, {kind} ({years}), {self.question_count} questions"


def shipped_questionnaires() -> list[ShippedQuestionnaire]:
    """The questionnaires of `QUESTIONNAIRES_DIR` that load on their own (thematic blocks are included, not loaded)."""
    found = []
    for path in sorted(QUESTIONNAIRES_DIR.glob("*.yaml")):
        try:
            definition, _ = read_questionnaire(path, display=path.name)
        except InvalidDefinition:
            continue
        if definition.kind in KINDS:
            found.append(ShippedQuestionnaire(path.name, definition.code, definition.version, definition.title,
                                              definition.kind, definition.years, len(definition)))  # fmt: skip
    return found


def questionnaire_files() -> list[str]:
    """The names of the shipped questionnaire files, thematic blocks included: models to download and adapt."""
    return sorted(path.name for path in QUESTIONNAIRES_DIR.glob("*.yaml"))


def questionnaire_file_text(name: str) -> str | None:
    """A shipped file's text (UTF-8), None for a name that is not one of `questionnaire_files`."""
    if name not in questionnaire_files():
        return None
    return (QUESTIONNAIRES_DIR / name).read_text(encoding="utf-8")


# -- messages ----------------------------------------------------------------------------------------------------

# PyYAML explains syntax errors in English: the usual ones, said in French.
YAML_PROBLEMS = (
    ("mapping values are not allowed here",
     "« : » inattendu (indentation décalée, ou texte contenant « : » à mettre entre guillemets)"),
    ("expected <block end>", "indentation incorrecte : les éléments d'un même bloc doivent être alignés"),
    ("expected ',' or ']'", "liste entre crochets non fermée (« ] » ou virgule attendue)"),
    ("expected ',' or '}'", "bloc entre accolades non fermé (« } » ou virgule attendue)"),
    ("found character '\\t'", "tabulation : indentez avec des espaces"),
    ("found unexpected end of stream", "fin du fichier inattendue (guillemet non fermé ?)"),
    ("found undefined alias", "alias « * » sans ancre « & » correspondante"),
    ("could not find expected ':'", "« : » attendu après une clé"),
    ("did not find expected key", "clé attendue (indentation incorrecte ?)"),
    ("did not find expected '-' indicator", "élément de liste « - » attendu (indentation incorrecte ?)"),
    ("found unhashable key", "une clé doit être un texte"),
)  # fmt: skip
_YAML_PREFIX = "YAML invalide : "


def describe_error(error: DefinitionError) -> str:
    """The checker's message (file, line, what is wrong), with PyYAML's English said in French."""
    message = error.message
    if message.startswith(_YAML_PREFIX):
        problem = message.removeprefix(_YAML_PREFIX)
        french = next((text for start, text in YAML_PROBLEMS if problem.startswith(start)), None)
        message = _YAML_PREFIX + (french or problem)
    return str(DefinitionError(error.file, error.line, message))


# -- the overview ------------------------------------------------------------------------------------------------


@dataclass
class KindRow:
    kind: str
    label: str
    questionnaire: Questionnaire | None
    counts: list[tuple[str, int]]  # (status label, count) for every status
    total: int


@dataclass
class CampaignRow:
    campaign: Campaign
    state: str  # « à venir », « ouverte », « close »
    kinds: list[KindRow]


def campaign_overview(today: datetime.date | None = None) -> list[CampaignRow]:
    """Every campaign, newest first, with its questionnaires and their responses by status: three queries."""
    today = today or timezone.localdate()
    loaded = Questionnaire.objects.defer("sources").select_related("loaded_by").order_by("kind")
    campaigns = list(Campaign.objects.order_by("-year").prefetch_related(Prefetch("questionnaires", queryset=loaded)))
    counts: dict[tuple[int, str], int] = {}
    ids = [q.pk for campaign in campaigns for q in campaign.questionnaires.all()]
    if ids:
        rows = Response.objects.filter(questionnaire_id__in=ids).values_list("questionnaire_id", "status")
        for questionnaire_id, status, count in rows.annotate(n=Count("id")).order_by():
            counts[questionnaire_id, status] = count
    return [_campaign_row(campaign, counts, today) for campaign in campaigns]


def _campaign_row(campaign: Campaign, counts: dict, today: datetime.date) -> CampaignRow:
    by_kind = {q.kind: q for q in campaign.questionnaires.all()}
    kinds = []
    for kind, label in StructureKind.choices:
        questionnaire = by_kind.get(kind)
        found = [
            (status_label, counts.get((questionnaire.pk, status), 0) if questionnaire else 0)
            for status, status_label in ResponseStatus.choices
        ]
        kinds.append(KindRow(kind, label, questionnaire, found, sum(count for _, count in found)))
    if today < campaign.opens_on:
        state = "à venir"
    elif today > campaign.closes_on:
        state = "close"
    else:
        state = "ouverte"
    return CampaignRow(campaign, state, kinds)
