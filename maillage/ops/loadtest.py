"""The load test's plan (`make loadtest`): what its simulated visitors ask, drawn from the database under test.

`prepare_plan` reads real words, sheets, facet values and territories from the data, and makes the accounts of
the logged-in editors: each a member of its own centre social (members need no second factor), with a draft sheet
and a questionnaire of an open campaign, and a session made the way the tests log people in (no password hashing
at the start of a run, no login rate limit). The plan is one JSON file that `maillage/ops/locustfile.py` reads.
The sessions are signed with the server's SECRET_KEY: prepare the plan with the same key as the server.
"""

import datetime as dt
import random
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maillage.accounts.models import Membership, User
from maillage.actions import editing
from maillage.actions.models import Action, ActionFile, ActionState
from maillage.observatory.demo import FILES, last_closed_year, questionnaire_for_year
from maillage.observatory.models import Aggregate, Campaign
from maillage.referentials.models import ActionStatus, Department, Keyword, Public, Region
from maillage.structures.models import Structure, StructureKind

EDITOR_EMAIL = "charge-{n}@essai-de-charge.invalid"
WORD = re.compile(r"[a-zà-öø-ÿœ]{5,}")
SHEET_SAMPLE = 3000
WORD_SAMPLE = 400


class PlanError(Exception):
    """The database cannot hold a load test (no published sheet, no structure): a French message."""


@dataclass
class Editor:
    email: str
    session: str
    sheet_edit: str
    sheet_autosave: str
    sheet_form: dict
    section_page: str
    section_autosave: str


def prepare_plan(*, editors: int = 4, seed: int = 1) -> dict:
    """Everything the simulated visitors ask; creates (or reuses) the editors' accounts, drafts and sessions."""
    dice = random.Random(seed)
    published = Action.objects.filter(state=ActionState.PUBLISHED)
    ids = published.aggregate(first=Min("pk"), last=Max("pk"))
    if ids["last"] is None:
        raise PlanError("Aucune fiche publiée : remplissez d'abord la base (maillage seed_demo).")
    if ids["last"] - ids["first"] < SHEET_SAMPLE:  # no more sheets than the sample: every one of them
        sheets = list(published.order_by("pk").only("title"))
    else:
        draws = [dice.randint(ids["first"], ids["last"]) for _ in range(SHEET_SAMPLE)]
        sheets = list(published.filter(pk__in=draws).only("title"))
    return {
        "words": sample_words([sheet.title for sheet in sheets], dice),
        "sheets": [sheet.get_absolute_url() for sheet in sheets],
        "sheet_ids": [sheet.pk for sheet in sheets],
        "facets": facet_values(),
        "observatory": observatory_pages(),
        "editors": [editor.__dict__ for editor in make_editors(editors)],
    }


def sample_words(titles: list[str], dice: random.Random) -> list[str]:
    """Words of the sheets' titles (five letters or more), single and in pairs, as readers type them."""
    words = sorted({word for title in titles for word in WORD.findall(title.lower())})
    if not words:
        return ["famille"]
    single = dice.sample(words, min(WORD_SAMPLE, len(words)))
    pairs = [f"{dice.choice(words)} {dice.choice(words)}" for _ in range(WORD_SAMPLE // 4)]
    return single + pairs


def facet_values() -> list[list[str]]:
    """`(parameter, value)` pairs the list page offers: departments, regions, themes, publics, kinds, years."""
    pairs = [["department", code] for code in Department.objects.values_list("code", flat=True)]
    pairs += [["region", code] for code in Region.objects.values_list("code", flat=True)]
    pairs += [["keyword", label] for label in Keyword.objects.values_list("label", flat=True)]
    pairs += [["public", label] for label in Public.objects.values_list("label", flat=True)]
    pairs += [["kind", kind] for kind in StructureKind.values]
    year = timezone.localdate().year
    pairs += [["year", str(y)] for y in range(year - 5, year + 1)]
    return pairs


def observatory_pages() -> list[str]:
    """The national page and the pages of the regions and departments that have figures."""
    pages = [reverse("observatory:nation")]
    if not Aggregate.objects.exists():
        return pages
    regions = Region.objects.filter(departments__structures__isnull=False).distinct()
    pages += [reverse("observatory:region", kwargs={"code": code}) for code in regions.values_list("code", flat=True)]
    departments = Department.objects.filter(structures__isnull=False).distinct().values_list("code", flat=True)
    pages += [reverse("observatory:departement", kwargs={"code": code}) for code in departments]
    return pages


def open_campaign() -> Campaign:
    """A campaign open today (the year after the last closed one), its questionnaires loaded."""
    today = timezone.localdate()
    campaign = Campaign.objects.filter(opens_on__lte=today, closes_on__gte=today).order_by("-year").first()
    if campaign is None:
        campaign, _ = Campaign.objects.get_or_create(
            year=last_closed_year() + 1,
            defaults={"opens_on": today - dt.timedelta(days=10), "closes_on": today + dt.timedelta(days=60)},
        )
        Campaign.objects.filter(pk=campaign.pk).update(opens_on=today - dt.timedelta(days=10),
                                                       closes_on=today + dt.timedelta(days=60))  # fmt: skip
    for name in FILES.values():
        kind = name.split("_")[0]
        if not campaign.questionnaires.filter(kind=kind).exists():
            questionnaire_for_year(name, campaign)
    return campaign


@transaction.atomic
def make_editors(count: int) -> list[Editor]:
    if count == 0:
        return []
    structures = list(Structure.objects.filter(kind=StructureKind.CSX).order_by("pk")[:count])
    if len(structures) < count:
        raise PlanError(f"Il faut au moins {count} centres sociaux dans la base pour autant de personnes connectées.")
    campaign = open_campaign()
    return [make_editor(n, structure, campaign) for n, structure in enumerate(structures, start=1)]


def make_editor(n: int, structure: Structure, campaign: Campaign) -> Editor:
    user, _ = User.objects.get_or_create(email=EDITOR_EMAIL.format(n=n), defaults={"full_name": f"Essai {n}"})
    Membership.objects.get_or_create(user=user, structure=structure)
    draft = Action.objects.filter(structure=structure, state=ActionState.DRAFT, title__startswith="Essai de charge")
    action = draft.first()
    if action is not None:  # the drill of a full disk attaches a file: each run starts from a draft without
        ActionFile.objects.filter(action=action).delete()
    else:
        content = editing.SheetContent(
            texts={"title": f"Essai de charge {n}", "summary": "Brouillon enregistré en continu."},
            status_id=ActionStatus.objects.order_by("pk").values_list("pk", flat=True).first(),
        )
        action = editing.create_sheet(structure, content, acting_user=user)
    section = reverse("observatory_fill:section", args=[campaign.year, structure.pk, "RH"])
    client = Client()
    client.force_login(user)
    return Editor(
        email=user.email,
        session=client.cookies[settings.SESSION_COOKIE_NAME].value,
        sheet_edit=reverse("contribute:sheet-edit", kwargs={"pk": action.pk}),
        sheet_autosave=reverse("contribute:sheet-autosave", kwargs={"pk": action.pk}),
        sheet_form=sheet_form(action),
        section_page=section,
        section_autosave=reverse("observatory_fill:autosave", args=[campaign.year, structure.pk, "RH"]),
    )


def sheet_form(action: Action) -> dict:
    """What the sheet form posts for the draft as stored (the version comes back with each autosave)."""
    content = editing.SheetContent.of(action)
    data = {key: value for key, value in content.texts.items()}
    data["status"] = content.status_id or ""
    data["territory"] = content.territory_id or ""
    data.update({key: ids for key, ids in content.lists.items()})
    data["version"] = editing.edit_version(action, editing.pending_of(action))
    return data
