"""Whole public pages kept for anonymous visitors (`www/page_cache.py`): served again only while what they show is
unchanged, never to or from a logged-in person, never with another visitor's CSRF token."""

import logging
import pickle
import re
import time
import zlib

import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.cache import caches
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from maillage.accounts.models import Membership, User
from maillage.structures.services import structure_change
from maillage.www.page_cache import CSRF_PLACEHOLDER, public_page_cache
from tests.factories import change_sheet, make_sheet, make_structure
from tests.logins import log_in

pytestmark = pytest.mark.django_db

SEARCH = reverse("www:action-list") + "?q=jardin"
TOKEN_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


@pytest.fixture(autouse=True)
def page_cache(settings):
    """The cache on (the test settings turn it off for every other test), empty before and after."""
    settings.PAGE_CACHE_SECONDS = 300
    caches["pages"].clear()
    yield caches["pages"]
    caches["pages"].clear()


@pytest.fixture
def sheet():
    return make_sheet("Jardin partagé du quartier", make_structure(email="contact@lilas.test"))


def test_a_second_anonymous_search_is_served_from_the_cache(client, sheet, django_assert_max_num_queries):
    first = client.get(SEARCH)
    assert first["X-Cache"] == "miss"
    assert "Jardin partagé du quartier" in first.content.decode()
    with django_assert_max_num_queries(1):  # the search's change log: the bank's version
        second = Client().get(SEARCH)
    assert second.status_code == 200
    assert second["X-Cache"] == "hit"
    assert TOKEN_FIELD.sub("", second.content.decode()) == TOKEN_FIELD.sub("", first.content.decode())
    # The headers the middleware adds are there on a hit as on a miss.
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Request-ID", "Content-Type", "Vary"):
        assert second[header], header
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["Vary"] == first["Vary"]


def test_the_request_log_says_whether_the_cache_answered(client, sheet):
    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.fields)
    logger = logging.getLogger("maillage.requests")
    logger.addHandler(handler)
    level, logger.level = logger.level, logging.INFO
    try:
        client.get(SEARCH)
        Client().get(SEARCH)
        client.get("/structures/")  # a page the cache does not handle
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert [line.get("cache") for line in lines] == ["miss", "hit", None]


def test_sheet_pages_and_the_api_are_cached_too(client, sheet):
    for url in (sheet.get_absolute_url(), reverse("api:action-list") + "?q=jardin",
                reverse("api:action-detail", kwargs={"pk": sheet.pk})):  # fmt: skip
        assert client.get(url)["X-Cache"] == "miss", url
        again = client.get(url)
        assert again.status_code == 200
        assert again["X-Cache"] == "hit", url
    assert again["Access-Control-Allow-Origin"] == "*"


def test_a_changed_title_is_shown_at_once(client, sheet):
    assert "Jardin partagé du quartier" in client.get(SEARCH).content.decode()
    assert client.get(sheet.get_absolute_url())["X-Cache"] == "miss"
    change_sheet(sheet, title="Jardin potager du quartier")
    page = client.get(SEARCH)
    assert page["X-Cache"] == "miss"
    assert "Jardin potager du quartier" in page.content.decode()
    assert "Jardin partagé du quartier" not in page.content.decode()
    api = client.get(reverse("api:action-detail", kwargs={"pk": sheet.pk})).json()
    assert api["title"] == "Jardin potager du quartier"


def test_a_newly_published_sheet_is_found_at_once(client, sheet):
    assert client.get(SEARCH)["X-Cache"] == "miss"
    assert client.get(SEARCH)["X-Cache"] == "hit"
    make_sheet("Jardin des enfants", sheet.structure)
    page = client.get(SEARCH)
    assert page["X-Cache"] == "miss"
    assert "Jardin des enfants" in page.content.decode()


def test_a_structure_email_changed_shows_on_its_sheet_page_at_once(client, sheet):
    assert "contact@lilas.test" in client.get(sheet.get_absolute_url()).content.decode()
    structure = sheet.structure
    with structure_change(structure, changed_fields=["email"], acting_user=None, source="test"):
        structure.email = "accueil@lilas.test"
        structure.save()
    page = client.get(sheet.get_absolute_url()).content.decode()
    assert "accueil@lilas.test" in page
    assert "contact@lilas.test" not in page


def test_each_visitor_gets_their_own_csrf_token(sheet):
    first_visitor, second_visitor = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first = first_visitor.get(SEARCH)
    second = second_visitor.get(SEARCH)
    assert second["X-Cache"] == "hit"
    [first_token] = TOKEN_FIELD.findall(first.content.decode())
    [second_token] = TOKEN_FIELD.findall(second.content.decode())
    assert first_token != second_token
    assert CSRF_PLACEHOLDER not in second.content.decode()
    assert first_visitor.cookies["csrftoken"].value != second_visitor.cookies["csrftoken"].value
    # The token of the cached page works for its visitor, and not for the other one.
    form = {"email": "lecteur@example.org", "query": "q=jardin"}
    assert (
        first_visitor.post(reverse("www:alert-subscribe"), {**form, "csrfmiddlewaretoken": second_token}).status_code
        == 403
    )
    assert (
        second_visitor.post(reverse("www:alert-subscribe"), {**form, "csrfmiddlewaretoken": second_token}).status_code
        == 200
    )
    # No trace of the first visitor's secret in what was stored.
    [stored] = [value for value in caches["pages"]._cache.values()]  # noqa: SLF001
    assert first_visitor.cookies["csrftoken"].value.encode() not in stored
    assert first_token.encode() not in stored


def test_a_logged_in_member_neither_gets_nor_fills_the_cache(client, sheet):
    member = User.objects.create_user("membre@lilas.test", password="x", full_name="Camille Membre")
    Membership.objects.create(user=member, structure=sheet.structure)
    anonymous = Client()
    assert anonymous.get(SEARCH)["X-Cache"] == "miss"
    log_in(client, member)
    for _ in range(2):
        page = client.get(SEARCH)
        assert "X-Cache" not in page
        assert "Mon compte" in page.content.decode()
    log_in(client, member)
    client.get(sheet.get_absolute_url())
    page = anonymous.get(sheet.get_absolute_url())
    assert page["X-Cache"] == "miss"
    assert "Mon compte" not in page.content.decode()
    assert "Connexion" in page.content.decode()
    assert anonymous.get(sheet.get_absolute_url())["X-Cache"] == "hit"


def test_a_person_who_has_not_entered_their_second_factor_is_not_served_from_the_cache(client, sheet):
    from maillage.accounts.models import CorrespondentScope
    from maillage.referentials.models import Department

    correspondent = User.objects.create_user("correspondant@caf.test", password="x")
    CorrespondentScope.objects.create(
        user=correspondent, department=Department.objects.get(code="13"), organisation="caf"
    )
    Client().get(SEARCH)
    client.force_login(correspondent)  # shown the public pages as an anonymous visitor until the code is entered
    page = client.get(SEARCH)
    assert page.status_code == 200
    assert "X-Cache" not in page


def cached_view(**set_on_response):
    calls = []

    @public_page_cache(lambda request: "v1")
    def view(request):
        calls.append(request)
        response = HttpResponse("une page")
        if set_on_response.get("cookie"):
            response.set_cookie("choix", "1")
        if set_on_response.get("message"):
            messages.info(request, "Enregistré.")
        if "status" in set_on_response:
            response.status_code = set_on_response["status"]
        if "control" in set_on_response:
            response["Cache-Control"] = set_on_response["control"]
        return response

    return view, calls


def anonymous_request(path="/page/"):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.parametrize(
    "answer",
    [
        {"cookie": True},
        {"message": True},
        {"status": 404},
        {"status": 302},
        {"control": "private"},
        {"control": "no-store"},
    ],  # fmt: skip
)
def test_answers_that_are_not_for_everyone_are_not_stored(answer):
    view, calls = cached_view(**answer)
    view(anonymous_request())
    view(anonymous_request())
    assert len(calls) == 2
    plain, plain_calls = cached_view()
    plain(anonymous_request())
    assert plain(anonymous_request())["X-Cache"] == "hit"
    assert len(plain_calls) == 1


def test_a_pending_message_is_never_served_from_nor_into_the_cache():
    view, calls = cached_view()
    view(anonymous_request())
    request = anonymous_request()
    messages.success(request, "Votre abonnement est confirmé.")
    assert "X-Cache" not in view(request)
    assert len(calls) == 2


def test_missing_and_moved_sheets_are_not_stored(client, sheet):
    for url in (reverse("www:action-detail", kwargs={"pk": sheet.pk + 1000, "slug": "x"}),
                reverse("www:action-permalink", kwargs={"pk": sheet.pk})):  # fmt: skip
        answers = [client.get(url) for _ in range(2)]
        assert [answer.status_code for answer in answers] in ([404, 404], [301, 301]), url
        assert all(answer.get("X-Cache") != "hit" for answer in answers), url
    assert not caches["pages"]._cache  # noqa: SLF001 (nothing stored)


def test_the_api_limit_still_answers_429_for_cached_answers(client, sheet, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 30
    if time.time() % 60 > 55:  # the limit counts per calendar minute
        time.sleep(60 - time.time() % 60 + 0.1)
    url = reverse("api:action-list") + "?q=jardin"
    answers = [client.get(url, REMOTE_ADDR="192.0.2.40") for _ in range(31)]
    assert [answer.status_code for answer in answers] == [200] * 30 + [429]
    assert [answer["X-Cache"] for answer in answers[:30]] == ["miss"] + ["hit"] * 29
    assert answers[30]["Retry-After"]
    assert client.get(url, REMOTE_ADDR="192.0.2.41").status_code == 200


def test_the_cache_is_off_with_zero_seconds(client, sheet, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.get(SEARCH)
    assert "X-Cache" not in client.get(SEARCH)


def test_the_file_cache_of_a_node_stays_bounded(tmp_path):
    from maillage.ops.file_cache import CULL_EVERY, SampledCullFileCache

    pages = SampledCullFileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 100}})
    for number in range(400):
        pages.set(f"page:{number}", b"une page", 300)
        assert len(list(tmp_path.glob("*.djcache"))) <= 100 + CULL_EVERY
    assert pages.get("page:399") == b"une page"


def test_the_file_cache_compresses_quickly_and_reads_back(tmp_path):
    """zlib's level 1 (0.2 ms for a 35 KB page, against 1 ms at Django's default level): what is kept reads back."""
    from maillage.ops.file_cache import SampledCullFileCache

    pages = SampledCullFileCache(str(tmp_path), {})
    page = ("<li>Jardin partagé du quartier, atelier vélo solidaire</li>" * 600).encode()
    pages.set("page:1", {"content": page}, 300)
    (stored,) = tmp_path.glob("*.djcache")
    with stored.open("rb") as file:
        pickle.load(file)  # the expiry time
        compressed = file.read()
    assert compressed == zlib.compress(pickle.dumps({"content": page}, pages.pickle_protocol), 1)
    assert pages.get("page:1") == {"content": page}


def test_get_and_head_share_a_page_but_not_other_methods(client, sheet):
    assert client.get(SEARCH)["X-Cache"] == "miss"
    head = client.head(SEARCH)
    assert (head.status_code, head["X-Cache"], head.content) == (200, "hit", b"")
    assert "X-Cache" not in client.options(SEARCH)


def test_a_cache_that_cannot_be_written_still_answers_the_page(client, sheet, settings, tmp_path, caplog):
    not_a_directory = tmp_path / "fichier"
    not_a_directory.write_text("")
    broken = {"BACKEND": "maillage.ops.file_cache.SampledCullFileCache", "LOCATION": str(not_a_directory / "pages")}
    with override_settings(CACHES={**settings.CACHES, "pages": broken}):
        for _ in range(2):
            page = client.get(SEARCH)
            assert page.status_code == 200
            assert page["X-Cache"] == "miss"
            assert "Jardin partagé du quartier" in page.content.decode()
    assert "Cache des pages : écriture impossible" in caplog.text


def test_the_visitors_secret_and_its_masks_are_hidden_and_nothing_else():
    from django.middleware.csrf import _mask_cipher_secret

    from maillage.www.page_cache import without_csrf_token

    request = RequestFactory().get(SEARCH)
    secret = "A" * 16 + "b" * 16
    request.META.update(CSRF_COOKIE=secret, CSRF_COOKIE_NEEDS_UPDATE=True)
    masked, other = _mask_cipher_secret(secret), _mask_cipher_secret("c" * 32)
    long_run = "d" * 64 + "e"
    page = f'<input value="{masked}"><p>{secret}</p><i>{other}</i><b>{long_run}</b>é'.encode()
    content, found = without_csrf_token(request, page)
    placeholder = CSRF_PLACEHOLDER
    assert found
    assert content.decode() == f'<input value="{placeholder}"><p>{placeholder}</p><i>{other}</i><b>{long_run}</b>é'
    assert without_csrf_token(request, b"<p>rien</p>") == (b"<p>rien</p>", False)


def test_forms_of_a_kept_page_render_the_placeholder_and_the_page_is_not_searched(sheet, monkeypatch):
    """`{% csrf_token %}` writes the placeholder while a page that may be kept is rendered: the page is not searched
    for tokens (5 % of the servers' time), and the visitor still gets a token of their own."""
    from maillage.www import page_cache

    class NoSearch:
        def finditer(self, content):
            raise AssertionError("page searched for tokens")

    monkeypatch.setattr(page_cache, "LETTER_RUN", NoSearch())
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(SEARCH)
    assert page["X-Cache"] == "miss"
    [token] = TOKEN_FIELD.findall(page.content.decode())
    form = {"email": "lecteur@example.org", "query": "q=jardin", "csrfmiddlewaretoken": token}
    assert visitor.post(reverse("www:alert-subscribe"), form).status_code == 200
    [stored] = [value for value in caches["pages"]._cache.values()]  # noqa: SLF001
    assert CSRF_PLACEHOLDER.encode() in stored and token.encode() not in stored
