"""The request log: one JSON line per request, with an id, the role and no personal data."""

import io
import json
import logging

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from maillage.accounts.models import CorrespondentScope, Membership, User
from maillage.json_logs import JsonLines
from maillage.referentials.models import Department
from tests.factories import make_structure
from tests.logins import log_in

pytestmark = pytest.mark.django_db

EMAIL = "camille.martin@example.org"
PASSWORD = "un mot de passe assez long"


class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.stream = io.StringIO()
        self.setFormatter(JsonLines())

    def emit(self, record):
        self.stream.write(self.format(record) + "\n")

    def all(self) -> list[dict]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]

    def last(self) -> dict:
        return self.all()[-1]


@pytest.fixture
def request_log():
    logger = logging.getLogger("maillage.requests")
    handler = Lines()
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_one_json_line_per_request(client, request_log):
    response = client.get("/structures/")
    assert response.status_code == 200
    [line] = request_log.all()
    assert line["logger"] == "maillage.requests"
    assert line["level"] == "info"
    assert line["method"] == "GET"
    assert line["path"] == "/structures/"
    assert line["status"] == 200
    assert line["role"] == "anonymous"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["request_id"] == response["X-Request-ID"]
    assert len(line["request_id"]) == 32
    assert line["time"].endswith("+00:00")


def test_every_response_is_logged_even_those_made_before_a_view(client, request_log):
    client.get("/adresse-inconnue/")
    client.get("/actions/", {"page": "²"})
    assert [line["status"] for line in request_log.all()] == [404, 400]


def test_the_query_string_is_dropped(client, request_log):
    client.get("/actions/", {"q": "vélo", "email": EMAIL})
    line = request_log.last()
    assert line["path"] == "/actions/"
    assert "example.org" not in request_log.stream.getvalue()


def test_credentials_in_paths_are_masked(client, request_log):
    token = "Zx8-secret_token_of_an_invitation"
    client.get(f"/invitation/{token}/")
    client.get(f"/alertes/desabonner/{token}/")
    client.get(f"/mot-de-passe/nouveau/MTIz/{token}/")
    assert [line["path"] for line in request_log.all()] == [
        "/invitation/<token>/",
        "/alertes/desabonner/<token>/",
        "/mot-de-passe/nouveau/<uidb64>/<token>/",
    ]
    assert token not in request_log.stream.getvalue()


def test_a_safe_request_id_is_kept_and_echoed(client, request_log):
    response = client.get("/sante/vivant", headers={"X-Request-ID": "proxy-1f3a.42:7"})
    assert response["X-Request-ID"] == "proxy-1f3a.42:7"
    assert request_log.last()["request_id"] == "proxy-1f3a.42:7"


@pytest.mark.parametrize("given", ["a b", "x" * 129, '"><script>', "é", "-starts-with-a-dash", ""])
def test_an_unsafe_request_id_is_replaced(client, request_log, given):
    response = client.get("/sante/vivant", headers={"X-Request-ID": given})
    assert response["X-Request-ID"] != given
    assert len(response["X-Request-ID"]) == 32
    assert request_log.last()["request_id"] == response["X-Request-ID"]


def person(**fields) -> User:
    return User.objects.create_user(EMAIL, PASSWORD, full_name="Camille Martin", **fields)


def test_a_member_is_logged_by_role_never_by_name_email_or_address(client, request_log):
    user = person()
    Membership.objects.create(user=user, structure=make_structure())
    log_in(client, user)
    client.get("/espace/compte/", REMOTE_ADDR="203.0.113.7")
    text = request_log.stream.getvalue()
    line = request_log.last()
    assert line["role"] == "member"
    assert set(line) == {"time", "level", "logger", "message", "request_id", "method", "path", "status",
                         "duration_ms", "role"}  # fmt: skip
    for personal in ("Camille", "Martin", "camille", "203.0.113.7"):
        assert personal not in text


@pytest.mark.parametrize(
    ("role", "make"),
    [
        ("account", lambda user: None),
        ("member", lambda user: Membership.objects.create(user=user, structure=make_structure())),
        ("structure_admin", lambda user: Membership.objects.create(user=user, structure=make_structure(),
                                                                    is_admin=True)),
        ("correspondent", lambda user: CorrespondentScope.objects.create(
            user=user, department=Department.objects.get(code="13"), organisation="caf")),
        ("national_admin", lambda user: User.objects.filter(pk=user.pk).update(is_national_admin=True)),
    ],
)  # fmt: skip
def test_each_role(client, request_log, role, make):
    user = person()
    make(user)
    user.refresh_from_db()
    log_in(client, user)
    client.get("/")
    assert request_log.last()["role"] == role


def test_the_role_is_read_from_the_session_with_no_query_of_its_own(client, settings):
    user = person()
    Membership.objects.create(user=user, structure=make_structure(), is_admin=True)
    log_in(client, user)
    client.get("/espace/compte/")
    with CaptureQueriesContext(connection) as with_log:
        client.get("/espace/compte/")
    without = [name for name in settings.MIDDLEWARE if not name.endswith("RequestLogMiddleware")]
    with override_settings(MIDDLEWARE=without), CaptureQueriesContext(connection) as without_log:
        client.get("/espace/compte/")
    assert len(with_log) == len(without_log)


def test_a_person_who_has_not_entered_the_second_factor_is_logged_as_anonymous(client, request_log):
    user = person(is_national_admin=True)
    client.force_login(user)
    client.get("/")
    assert request_log.last()["role"] == "anonymous"


def test_a_session_opened_before_roles_were_kept_still_gets_its_role(client, request_log):
    user = person()
    Membership.objects.create(user=user, structure=make_structure())
    log_in(client, user)
    session = client.session
    del session["maillage_role"]
    session.save()
    client.get("/")
    assert request_log.last()["role"] == "member"


def test_the_formatter_writes_one_line_of_json():
    record = logging.LogRecord("maillage.requests", logging.INFO, __file__, 1, "request", None, None)
    record.fields = {"path": "/territoires/Ardèche\n/", "status": 200}
    text = JsonLines().format(record)
    assert "\n" not in text
    assert json.loads(text)["path"] == "/territoires/Ardèche\n/"
