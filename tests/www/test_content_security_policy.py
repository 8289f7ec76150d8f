"""A Content-Security-Policy on every page, and nothing inline for it to block: no inline script, no style
attribute, no event handler attribute (what pages need is in static files)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from maillage.actions.models import ActionFile, ActionState
from maillage.history.models import Revision
from tests.authz.conftest import world  # noqa: F401
from tests.factories import change_sheet, make_sheet
from tests.logins import log_in

pytestmark = pytest.mark.django_db
TEMPLATES = Path(settings.BASE_DIR) / "maillage" / "templates"
# E-mails are read by mail programs (which need inline styles), the PDF by WeasyPrint: no browser, no CSP.
NOT_WEB_PAGES = ("/email/", "observatory/plaquette.html")
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "style element": re.compile(r"<style\b", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: link": re.compile(r"javascript:", re.IGNORECASE),
}


def inline_content(html: str) -> list[str]:
    return [name for name, pattern in INLINE.items() if pattern.search(html)]


@pytest.mark.parametrize("path", ["/", "/actions/", "/structures/", "/connexion/", "/confidentialite/", "/api/v1/docs"])
def test_pages_carry_a_strict_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
                      "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'"):  # fmt: skip
        assert directive in policy, directive
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_error_pages_carry_it_too(client):
    assert "script-src 'self'" in client.get("/actions/999999/")["Content-Security-Policy"]


def test_attachments_keep_their_own_stricter_policy(client, world, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    attached = ActionFile(action=make_sheet("Publiée", world.structure_a), name="programme.pdf")
    attached.file.save("programme.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    response = client.get(f"/fichiers/{attached.pk}/")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    response.close()


def test_templates_have_nothing_inline():
    found = {}
    for template in sorted(TEMPLATES.rglob("*.html")):
        name = template.relative_to(TEMPLATES).as_posix()
        if not any(part in f"/{name}" for part in NOT_WEB_PAGES):
            kinds = inline_content(template.read_text())
            if kinds:
                found[name] = kinds
    assert found == {}


def test_pages_drawn_by_code_have_nothing_inline(client, world):  # noqa: F811
    """Pages whose markup comes partly from Python: a text diff, the QR code, the admin's revision page."""
    sheet = make_sheet("Jardin", world.structure_a, state=ActionState.DRAFT, summary="Un potager.")
    change_sheet(sheet, summary="Un potager partagé.")
    log_in(client, world.users["national_admin"])
    revision = Revision.objects.for_object(sheet).first()
    pages = {
        "history": client.get(f"/espace/fiches/{sheet.pk}/historique/"),
        "admin": client.get(f"/admin/history/revision/{revision.pk}/change/"),
    }
    client.force_login(world.users["correspondent"])  # a second factor to set up
    pages["two-factor"] = client.get("/connexion/double-authentification/activer/")
    for name, response in pages.items():
        html = response.content.decode()
        assert response.status_code == 200, name
        assert inline_content(html) == [], name
    assert '<div class="diff"><p class="diff-row' in pages["history"].content.decode()
    assert '<pre class="revision-data">' in pages["admin"].content.decode()
