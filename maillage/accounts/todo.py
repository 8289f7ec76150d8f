"""« À faire »: what waits for a person, by role, as counts with the page where each is done.

Only what the person may act on: their structures' sheets and questionnaires (members), the structures they
administer (their access requests), their departments (correspondents), everything (national administrators).
One query per count: the number of queries is bounded whatever the data.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from maillage.actions import moderation
from maillage.actions.error_reports import open_reports
from maillage.actions.models import Action, ActionState
from maillage.observatory.checks import checking
from maillage.observatory.models import Campaign, ResponseStatus

from . import joining, perms, services


@dataclass
class Task:
    count: int
    label: str  # already in agreement with the count: « 2 fiches renvoyées à corriger »
    url: str


@dataclass
class Group:
    title: str
    tasks: list[Task] = field(default_factory=list)

    def add(self, count: int, singular: str, plural: str, url: str) -> None:
        if count:
            self.tasks.append(Task(count, singular if count == 1 else plural, url))


@dataclass
class Todo:
    groups: list[Group]
    pending_own_requests: int
    has_role: bool
    lacks_recovery_codes: bool = False  # a second factor without a way back if the phone is lost

    @property
    def total(self) -> int:
        return sum(task.count for group in self.groups for task in group.tasks)


def todo_for(user) -> Todo:
    groups = []
    structure_ids = perms.structure_ids(user)
    if structure_ids:
        groups.append(_structure_tasks(user, structure_ids))
    requests = Group("Demandes d'accès")
    decidable = services.decidable_access_requests(user).count()
    new_structures = joining.decidable_structure_requests(user).count() if _moderates(user) else 0
    requests.add(
        decidable + new_structures,
        "demande à traiter (rejoindre, prendre en charge ou créer une structure)",
        "demandes à traiter (rejoindre, prendre en charge ou créer une structure)",
        reverse("account:access-requests"),
    )
    if requests.tasks:
        groups.append(requests)
    if _moderates(user):
        groups.append(_moderation_tasks(user))
    own = (
        user.access_requests.filter(status="pending").count() + user.structure_requests.filter(status="pending").count()
    )
    return Todo(
        groups=[group for group in groups if group.tasks],
        pending_own_requests=own,
        has_role=bool(structure_ids) or _moderates(user),
        lacks_recovery_codes=_lacks_recovery_codes(user),
    )


def _lacks_recovery_codes(user) -> bool:
    from .two_factor import has_app_device, remaining_recovery_codes, requires_two_factor

    return requires_two_factor(user) and has_app_device(user) and not remaining_recovery_codes(user)


def _moderates(user) -> bool:
    return perms.is_national_admin(user) or perms.is_correspondent(user)


def _structure_tasks(user, structure_ids) -> Group:
    group = Group("Mes structures")
    sheets = Action.objects.filter(structure_id__in=structure_ids)
    space = reverse("contribute:home")
    returned = sheets.filter(state=ActionState.RETURNED).count()
    group.add(returned, "fiche renvoyée à corriger", "fiches renvoyées à corriger", space)
    drafts = sheets.filter(state=ActionState.DRAFT).count()
    group.add(drafts, "brouillon à terminer", "brouillons à terminer", space)
    stale = moderation.stale_actions(sheets).count()
    group.add(stale, "fiche publiée à actualiser", "fiches publiées à actualiser", space)
    today = timezone.localdate()
    for campaign in Campaign.objects.filter(opens_on__lte=today, closes_on__gte=today):
        structures = checking.with_status(checking.expected_structures(campaign).filter(pk__in=structure_ids), campaign)
        returned, to_fill = 0, 0
        for status in structures.values_list("response_status", flat=True):
            returned += status == ResponseStatus.RETURNED
            to_fill += status in (ResponseStatus.NOT_STARTED, ResponseStatus.IN_PROGRESS)
        fill = reverse("observatory_fill:home")
        group.add(
            to_fill, f"questionnaire à remplir ({campaign.label})", f"questionnaires à remplir ({campaign.label})", fill
        )
        group.add(
            returned,
            f"questionnaire renvoyé à corriger ({campaign.label})",
            f"questionnaires renvoyés à corriger ({campaign.label})",
            fill,
        )
    return group


def _moderation_tasks(user) -> Group:
    scope = "partout" if perms.is_national_admin(user) else "dans mes départements"
    group = Group(f"Modération ({scope})")
    queue = reverse("moderation:queue")
    submitted = perms.moderated_actions(user).filter(state=ActionState.SUBMITTED).count()
    group.add(submitted, "fiche soumise à modérer", "fiches soumises à modérer", queue)
    proposals = moderation.pending_revisions(user).count()
    group.add(
        proposals,
        "modification proposée sur une fiche publiée",
        "modifications proposées sur des fiches publiées",
        reverse("moderation:pending"),
    )
    campaign = Campaign.objects.first()  # the latest, as the check dashboard opens on
    if campaign is not None:
        to_check = (
            checking.with_status(checking.expected_structures(campaign, user), campaign)
            .filter(response_status=ResponseStatus.SUBMITTED)
            .count()
        )
        url = reverse("observatory_check:dashboard") + "?" + urlencode({"annee": campaign.year, "etat": "submitted"})
        group.add(
            to_check,
            f"questionnaire transmis à vérifier et valider ({campaign.label})",
            f"questionnaires transmis à vérifier et valider ({campaign.label})",
            url,
        )
    stale = moderation.stale_actions(perms.moderated_actions(user)).count()
    stale_url = queue + "?" + urlencode({"etat": ActionState.PUBLISHED, "a_actualiser": "1"})
    group.add(
        stale,
        "fiche publiée à actualiser (plus de deux ans)",
        "fiches publiées à actualiser (plus de deux ans)",
        stale_url,
    )
    reports = open_reports(user).count()
    group.add(
        reports,
        "erreur signalée sur une fiche",
        "erreurs signalées sur des fiches",
        reverse("account:todo") + "#signalements",
    )
    orphans = moderation.orphan_structures(user).count()
    group.add(orphans, "structure sans aucun membre", "structures sans aucun membre", reverse("moderation:orphans"))
    return group
