"""The authorisation matrix: every view and API endpoint × every role, allowed or denied.

"Allowed" means the page answers (200, or a form's 400/409 for an empty POST); "denied" means a login
redirect for anonymous visitors and 403 or 404 for the others — never the content. Objects belong to
structure A (department 13); structure B is in 13 too; the other correspondent holds department 69.
A test at the end checks that every URL of the project is in the matrix.
"""

import copy
import shutil
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.http import QueryDict
from django.test import Client, override_settings
from django.urls import get_resolver, reverse
from django.utils import timezone

from maillage.accounts.models import AccessRequest, Invitation, InvitationRole, StructureRequest
from maillage.actions.editing import SheetContent
from maillage.actions.models import ActionFile, ActionState, PendingRevision
from maillage.exchange.models import ImportJob, JobKind, JobStatus
from maillage.history.models import Revision
from maillage.observatory.checks import checking
from maillage.observatory.definitions.builder import QUESTIONNAIRES_DIR
from maillage.observatory.models import Response, ResponseStatus
from maillage.structures.models import SheetErrorReport
from tests.conftest import made_once_for_the_module
from tests.factories import change_sheet, make_sheet
from tests.logins import log_in
from tests.observatory_fill.conftest import open_campaign

from .conftest import ROLES, World, make_world

EVERYONE = set(ROLES)
LOGGED_IN = EVERYONE - {"anonymous"}
EDITORS_A = {"member_a", "admin_a", "correspondent", "national_admin"}
MANAGERS_A = {"admin_a", "correspondent", "national_admin"}
MEMBERS_A = {"member_a", "admin_a"}
MODERATORS = {"correspondent", "other_correspondent", "national_admin"}
MODERATORS_13 = {"correspondent", "national_admin"}
NATIONAL = {"national_admin"}
SECRET = "CONTENU-CONFIDENTIEL"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@dataclass(frozen=True)
class Matrix:
    world: World
    objects: dict  # the rows' names → primary keys and slugs


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world and its objects, made once for the module's 900 requests (it was a third of this module's time,
    made again for each); what one request changes is gone for the next."""
    media = tmp_path_factory.mktemp("matrix")
    with made_once_for_the_module(django_db_blocker), override_settings(MEDIA_ROOT=media):
        world = make_world()
        yield Matrix(world, make_objects(world, media))


@pytest.fixture
def world(matrix, db):
    """A copy of the module's world for each test: a test's changes to its objects stay in the test."""
    return copy.deepcopy(matrix.world)


@pytest.fixture
def objects(matrix, db):
    return dict(matrix.objects)


def make_objects(world, media) -> dict:
    a = world.structure_a
    draft = make_sheet(f"Brouillon {SECRET}", a, state=ActionState.DRAFT, summary=SECRET)
    submitted = make_sheet(f"Soumise {SECRET}", a, state=ActionState.SUBMITTED)
    published = make_sheet("Publiée", a, summary="Texte public.")
    change_sheet(published, summary="Texte public, modifié.")
    public_file = ActionFile(action=published, name="public.pdf")
    public_file.file.save("public.pdf", ContentFile(PDF))
    secret_file = ActionFile(action=draft, name="secret.pdf")
    secret_file.file.save("secret.pdf", ContentFile(PDF))
    content = SheetContent.of(published).to_json()
    PendingRevision.objects.create(action=published, data={"content": content, "files_added": [], "files_removed": []},
                                   submitted_by=world.users["member_a"])  # fmt: skip
    invitation = Invitation.objects.create(
        email="nouveau@a.test", structure=a, role=InvitationRole.MEMBER, invited_by=world.users["admin_a"],
        token_hash="0" * 64, expires_at=timezone.now() + timedelta(days=7),
    )  # fmt: skip
    access = AccessRequest.objects.create(user=world.users["member_b"], structure=a)
    new_structure = StructureRequest.objects.create(
        user=world.users["member_b"], name=f"Nouvelle {SECRET}", kind="csx", department=a.department, commune="Arles"
    )
    membership = a.memberships.get(user=world.users["member_a"])
    error_report = SheetErrorReport.objects.create(action=published, message=f"Coquille {SECRET}")
    # A dry run of the correspondent's, finished; its file is gone, so that a confirmation is refused (409).
    import_job = ImportJob.objects.create(
        started_by=world.users["correspondent"], kind=JobKind.STRUCTURES, filename="annuaire.txt", token="t" * 43,
        status=JobStatus.DONE, report={"summary": f"annuaire.txt : 2 structures lues {SECRET}"},
    )  # fmt: skip
    flag = observatory_objects(media, a)
    return {
        "open_year": 2025,
        "past_year": 2024,
        "flag": flag.pk,
        "draft": draft.pk,
        "submitted": submitted.pk,
        "published": published.pk,
        "published_slug": published.slug,
        "public_file": public_file.pk,
        "secret_file": secret_file.pk,
        "pending": published.pending_revision.pk,
        "revision": Revision.objects.for_object(published).first().pk,
        "invitation": invitation.pk,
        "access": access.pk,
        "structure_request": new_structure.pk,
        "membership": membership.pk,
        "import_job": import_job.pk,
        "error_report": error_report.pk,
        "a": a.pk,
    }


def observatory_objects(folder, structure):
    """An open 2025 campaign (structure A fills it in) and a 2024 one where A's answers were sent and flagged."""
    for name in ("csx_2025.yaml", "evs_2025.yaml", "thematique_2025.yaml"):
        shutil.copy(QUESTIONNAIRES_DIR / name, folder / name)
    open_campaign(folder, 2025)
    past = open_campaign(folder, 2024)
    questionnaire = past.questionnaires.get(kind=structure.kind)
    response = Response.objects.create(
        questionnaire=questionnaire, structure=structure, status=ResponseStatus.SUBMITTED,
        answers={"PUB_PARTICIPANTS_UNIQUES": 5000, "PUB_PASSAGES_CUMULES": 100},
    )  # fmt: skip
    return checking.raise_flags(response)[0]


# (URL name, kwargs from the objects, query string, method, roles allowed)
MATRIX = [
    # Public pages and the open API
    ("www:home", {}, "", "get", EVERYONE),
    ("www:action-list", {}, "", "get", EVERYONE),
    ("www:action-export", {"fmt": "csv"}, "", "get", EVERYONE),
    ("www:action-detail", {"pk": "published", "slug": "published_slug"}, "", "get", EVERYONE),
    ("www:action-permalink", {"pk": "draft"}, "", "get", set()),
    ("www:action-pdf", {"pk": "published"}, "", "get", EVERYONE),
    ("www:action-pdf", {"pk": "draft"}, "", "get", set()),
    ("www:action-report", {"pk": "published"}, "", "get", EVERYONE),
    ("www:action-report", {"pk": "draft"}, "", "get", set()),
    ("www:structure-list", {}, "", "get", EVERYONE),
    ("www:structure-detail", {"pk": "a"}, "", "get", EVERYONE),
    ("www:structure-export", {"fmt": "csv"}, "", "get", EVERYONE),
    ("www:territory-index", {}, "", "get", EVERYONE),
    ("www:territory-detail", {"code": "13"}, "", "get", EVERYONE),
    ("www:alert-subscribe", {}, "q=jardin", "get", EVERYONE),
    ("health:alive", {}, "", "get", EVERYONE),
    ("api:action-list", {}, "", "get", EVERYONE),
    ("api:action-detail", {"pk": "published"}, "", "get", EVERYONE),
    ("api:action-detail", {"pk": "draft"}, "", "get", set()),
    ("api:structure-list", {}, "", "get", EVERYONE),
    ("api:structure-detail", {"pk": "a"}, "", "get", EVERYONE),
    ("api:openapi", {}, "", "get", EVERYONE),
    ("api:docs", {}, "", "get", EVERYONE),
    ("account:privacy", {}, "", "get", EVERYONE),
    # Attachments
    ("contribute:public-file", {"pk": "public_file"}, "", "get", EVERYONE),
    ("contribute:public-file", {"pk": "secret_file"}, "", "get", EDITORS_A),
    ("contribute:member-file", {"pk": "secret_file"}, "", "get", EDITORS_A),
    # Contribution
    ("contribute:home", {}, "", "get", LOGGED_IN),
    ("contribute:sheet-new", {}, "structure={a}", "get", EDITORS_A),
    ("contribute:sheet-edit", {"pk": "draft"}, "", "get", EDITORS_A),
    ("contribute:sheet-edit", {"pk": "published"}, "", "get", EDITORS_A),
    ("contribute:sheet-autosave", {"pk": "draft"}, "", "post", EDITORS_A),
    ("moderation:history", {"pk": "draft"}, "", "get", EDITORS_A),
    ("moderation:restore", {"pk": "published", "revision_id": "revision"}, "", "post", MODERATORS_13),
    # Moderation
    ("moderation:queue", {}, "", "get", MODERATORS),
    ("moderation:sheet", {"pk": "submitted"}, "", "get", MODERATORS_13),
    ("moderation:sheet", {"pk": "submitted"}, "", "post", MODERATORS_13),
    ("moderation:duplicates", {}, "", "get", MODERATORS),
    ("moderation:merge", {}, "garder={submitted}&supprimer={draft}", "get", MODERATORS_13),
    ("moderation:merge", {}, "garder={submitted}&supprimer={draft}", "post", MODERATORS_13),
    ("moderation:dismiss", {}, "fiche={submitted}&autre={draft}", "post", MODERATORS_13),
    ("moderation:pending", {}, "", "get", MODERATORS),
    ("moderation:pending-detail", {"pk": "pending"}, "", "get", MODERATORS_13),
    ("moderation:orphans", {}, "", "get", MODERATORS),
    # Structures
    ("structure_admin:structure-create", {}, "", "get", MODERATORS),
    ("structure_admin:structure-edit", {"pk": "a"}, "", "get", EDITORS_A),
    ("structure_admin:import-upload", {}, "", "get", MODERATORS),
    ("structure_admin:import-template", {"fmt": "csv"}, "", "get", MODERATORS),
    ("structure_admin:import-text-template", {"name": "fiches"}, "", "get", MODERATORS),
    # A background import's page: the correspondent who started it and national administrators; only the
    # person who started it confirms it.
    ("structure_admin:import-job", {"pk": "import_job"}, "", "get", {"correspondent", "national_admin"}),
    ("structure_admin:import-job-state", {"pk": "import_job"}, "", "get", {"correspondent", "national_admin"}),
    ("structure_admin:import-job-confirm", {"pk": "import_job"}, "", "post", {"correspondent"}),
    # Accounts
    ("account:home", {}, "", "get", LOGGED_IN),
    ("account:todo", {}, "", "get", LOGGED_IN),
    # A reader's report of an error on a sheet of structure A: handled by the moderators of its department.
    ("account:error-report-handled", {"pk": "error_report"}, "", "post", MODERATORS_13),
    ("account:join", {}, "q=centre", "get", LOGGED_IN),
    ("account:structure-request", {}, "", "get", LOGGED_IN),
    ("account:structure-request-accept", {"pk": "structure_request"}, "", "post", MODERATORS_13),
    ("account:structure-request-refuse", {"pk": "structure_request"}, "", "post", MODERATORS_13),
    ("account:data-download", {}, "", "post", LOGGED_IN),
    ("account:delete", {}, "", "get", LOGGED_IN),
    ("account:recovery-codes", {}, "", "get", LOGGED_IN),
    ("account:invitations", {}, "", "get", LOGGED_IN),
    ("account:invitation-cancel", {"pk": "invitation"}, "", "post", MANAGERS_A),
    ("account:correspondent-invite", {}, "", "get", NATIONAL),
    ("account:team", {"structure_pk": "a"}, "", "get", MANAGERS_A),
    ("account:team", {"structure_pk": "a"}, "action=invite", "post", MANAGERS_A),
    ("account:team", {"structure_pk": "a"}, "action=assign", "post", MODERATORS_13),
    ("account:member-remove", {"structure_pk": "a", "membership_pk": "membership"}, "", "post", MANAGERS_A),
    ("account:access-requests", {}, "", "get", LOGGED_IN),
    ("account:access-request", {"structure_pk": "a"}, "", "get", LOGGED_IN),
    ("account:access-request-accept", {"pk": "access"}, "", "post", MANAGERS_A),
    ("account:access-request-refuse", {"pk": "access"}, "", "post", MANAGERS_A),
    # Observatory: filling in (structure A's members), checks (the department's correspondents), "se situer"
    ("observatory_fill:home", {}, "", "get", LOGGED_IN),
    ("observatory_fill:summary", {"year": "open_year", "structure_id": "a"}, "", "get", EDITORS_A),
    ("observatory_fill:section", {"year": "open_year", "structure_id": "a", "section": "RH"}, "", "get", EDITORS_A),
    (
        "observatory_fill:section",
        {"year": "open_year", "structure_id": "a", "section": "RH"},
        "RH_SALARIES=12",
        "post",
        MEMBERS_A,
    ),
    (
        "observatory_fill:autosave",
        {"year": "open_year", "structure_id": "a", "section": "RH"},
        "RH_SALARIES=12",
        "post",
        MEMBERS_A,
    ),
    (
        "observatory_fill:copy-last-year",
        {"year": "open_year", "structure_id": "a", "section": "RH"},
        "",
        "post",
        MEMBERS_A,
    ),
    ("observatory_fill:submit", {"year": "open_year", "structure_id": "a"}, "", "post", MEMBERS_A),
    ("observatory_check:dashboard", {}, "", "get", MODERATORS),
    ("observatory_check:export", {"fmt": "csv"}, "", "get", MODERATORS),
    ("observatory_check:export", {"fmt": "xlsx"}, "annee={past_year}", "get", MODERATORS),
    ("observatory_check:remind", {}, "annee={past_year}", "post", MODERATORS),
    ("observatory_check:response", {"year": "past_year", "structure_id": "a"}, "", "get", MODERATORS_13),
    (
        "observatory_check:flag-comment",
        {"year": "past_year", "structure_id": "a", "flag_id": "flag"},
        "",
        "post",
        MODERATORS_13,
    ),
    (
        "observatory_check:flag-accept",
        {"year": "past_year", "structure_id": "a", "flag_id": "flag"},
        "",
        "post",
        MODERATORS_13,
    ),
    ("observatory_check:return", {"year": "past_year", "structure_id": "a"}, "", "post", MODERATORS_13),
    ("observatory_check:correct", {"year": "past_year", "structure_id": "a"}, "", "post", MODERATORS_13),
    ("observatory_check:validate", {"year": "past_year", "structure_id": "a"}, "", "post", MODERATORS_13),
    ("observatory_check:recompute", {"year": "past_year", "structure_id": "a"}, "", "post", MODERATORS_13),
    ("observatory:nation", {}, "", "get", EVERYONE),
    ("observatory:region", {"code": "93"}, "", "get", EVERYONE),
    ("observatory:departement", {"code": "13"}, "", "get", EVERYONE),
    ("observatory:export-xlsx", {}, "", "get", EVERYONE),
    ("observatory:situate", {"pk": "a"}, "", "get", EDITORS_A),
    ("observatory:situate-choice", {}, "", "get", LOGGED_IN),
    # Observatory: import of past campaigns' answers (national administrators only)
    ("observatory_import:upload", {}, "", "get", NATIONAL),
    ("observatory_import:template", {"year": "past_year", "fmt": "xlsx"}, "", "get", NATIONAL),
    # Observatory: campaigns and their questionnaires (national administrators only)
    ("observatory_admin:campaigns", {}, "", "get", NATIONAL),
    ("observatory_admin:campaign-create", {}, "", "get", NATIONAL),
    ("observatory_admin:campaign-create", {}, "", "post", NATIONAL),
    ("observatory_admin:campaign-edit", {"year": "open_year"}, "", "get", NATIONAL),
    ("observatory_admin:campaign-edit", {"year": "open_year"}, "", "post", NATIONAL),
    ("observatory_admin:questionnaire-load", {"year": "open_year"}, "", "get", NATIONAL),
    ("observatory_admin:questionnaire-file", {"name": "csx_2025.yaml"}, "", "get", NATIONAL),
    ("observatory_admin:questionnaire-load", {"year": "open_year"}, "", "post", NATIONAL),
    # Administration: national administrators only (none of the others is staff)
    ("admin:index", {}, "", "get", NATIONAL),
    ("admin:actions_action_changelist", {}, "", "get", NATIONAL),
    ("admin:audit_auditevent_changelist", {}, "", "get", NATIONAL),
    ("admin:accounts_user_changelist", {}, "", "get", NATIONAL),
]
# Rows where an allowed person may also get 404 (nothing to confirm), so denial must be 403 there.
NOTHING_TO_CONFIRM: set[str] = set()
# URLs that need no role check: their own tests cover them (login, tokens in the URL, logout).
NOT_ROLE_BOUND = {
    "account:login", "account:logout", "account:two-factor-verify", "account:two-factor-setup",
    "account:password-reset", "account:password-reset-done", "account:password-reset-confirm",
    "account:password-reset-complete", "account:invitation", "www:alert-confirm", "www:alert-unsubscribe",
    "account:signup", "account:signup-confirm",
    # The recovery codes just made, from the session (404 otherwise), and replacing the phone (a session past
    # the second factor, sent on to the setup page); tested in tests/accounts.
    "account:recovery-codes-download", "account:two-factor-replace",
    # Public figures of a year, PDF and CSV of a territory: public, answer 404 until figures are published;
    # tested in tests/observatory_reports.
    "observatory:nation-year", "observatory:nation-pdf", "observatory:nation-csv", "observatory:region-pdf",
    "observatory:region-csv", "observatory:departement-pdf", "observatory:departement-csv",
    # Permanent redirect of the old members page to account:team (which checks roles); tested in tests/accounts.
    "structure_admin:structure-members-moved",
    # Readiness probe: 200 or 503 by the state of the process, the same for everyone; tested in tests/ops.
    "health:ready",
}  # fmt: skip
ALLOWED_STATUSES = {200, 400, 409}


def url_of(name: str, kwargs: dict, query: str, objects: dict) -> str:
    values = {key: objects.get(value, value) for key, value in kwargs.items()}
    url = reverse(name, kwargs=values)
    return url + ("?" + query.format(**objects) if query else "")


MATRIX_IDS = [f"{row[3]}-{row[0]}-{'-'.join(map(str, row[1].values())) or 'plain'}" for row in MATRIX]
# Roles that need a second factor: with the password alone, they are anonymous visitors everywhere.
PASSWORD_ONLY_ROLES = ("correspondent", "national_admin")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "kwargs", "query", "method", "allowed"), MATRIX, ids=MATRIX_IDS)
def test_matrix(client, world, objects, role, name, kwargs, query, method, allowed):
    if role != "anonymous":
        log_in(client, world.users[role])
    check(client, objects, role, name, kwargs, query, method, role in allowed, anonymous=role == "anonymous")


@pytest.mark.parametrize(("name", "kwargs", "query", "method", "allowed"), MATRIX, ids=MATRIX_IDS)
def test_password_alone_opens_only_what_anonymous_visitors_see(world, objects, name, kwargs, query, method, allowed):
    """A correspondent or national administrator who typed the password but not the code gets what an
    anonymous visitor gets, on every URL of the matrix."""
    for role in PASSWORD_ONLY_ROLES:
        client = Client()
        client.force_login(world.users[role])  # no second factor
        where = f"{role} (mot de passe seul)"
        check(client, objects, where, name, kwargs, query, method, "anonymous" in allowed, anonymous=True)


def check(client, objects, role, name, kwargs, query, method, is_allowed, *, anonymous: bool) -> None:
    """Request the row's URL; allowed: the page answers; denied: refused (a login page for anonymous visitors),
    and never the confidential content."""
    url = url_of(name, kwargs, query if method == "get" else "", objects)
    data = QueryDict(query.format(**objects)) if method == "post" else None
    response = client.post(url, data) if method == "post" else client.get(url)
    # The test client closes the response once read (a second close would end the database connection).
    body = b"".join(response.streaming_content) if response.streaming else response.content
    where = f"{role} {method.upper()} {url}: {response.status_code}"
    if is_allowed:
        done = method == "post" and response.status_code == 302 and "/connexion/" not in response["Location"]
        expected = ALLOWED_STATUSES | ({404} if name in NOTHING_TO_CONFIRM else set())
        assert done or response.status_code in expected, where
        return
    if anonymous and response.status_code == 302:
        assert "/connexion/" in response["Location"] or "/admin/login/" in response["Location"], where
    elif name.startswith("admin:") and response.status_code == 302:
        assert "/admin/login/" in response["Location"]
    elif name in NOTHING_TO_CONFIRM:
        assert response.status_code == 403, where
    else:
        assert response.status_code in (403, 404, 405), where
    assert SECRET.encode() not in body


def test_every_url_is_in_the_matrix():
    covered = {row[0] for row in MATRIX} | NOT_ROLE_BOUND
    missing = sorted(name for name in _url_names() if not name.startswith("admin:") and name not in covered)
    assert missing == []


def _url_names(patterns=None, namespace=None):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _url_names(pattern.url_patterns, pattern.namespace or namespace)
        elif pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name
