"""`maillage bootstrap_demo`: demo data and an administrator on a fresh install, nothing the second time."""

import re

import pytest
from django.contrib.auth import get_user_model

from maillage.actions.models import Action
from maillage.demo.management.commands import bootstrap_demo
from maillage.observatory.models import Response, ResponseStatus
from maillage.structures.models import Structure

pytestmark = pytest.mark.django_db
PASSWORD_LINE = re.compile(
    r"Compte administrateur créé : admin@maillage\.local ; mot de passe : (\S+) \(affiché une seule fois\)"
)


@pytest.fixture(autouse=True)
def small_defaults(monkeypatch):
    monkeypatch.setattr(bootstrap_demo, "DEFAULT_STRUCTURES", 8)
    monkeypatch.setattr(bootstrap_demo, "DEFAULT_ACTIONS", 40)
    monkeypatch.setattr(bootstrap_demo, "DEFAULT_OBSERVATORY_YEARS", 1)


def test_first_run_seeds_and_creates_the_admin_once(run_command):
    out, err = run_command("bootstrap_demo")
    assert err == ""
    assert Structure.objects.count() == 8 and Action.objects.count() == 40
    assert Response.objects.filter(status=ResponseStatus.VALIDATED).exists()
    assert "Observatoire créé" in out
    found = PASSWORD_LINE.findall(out)
    assert len(found) == 1
    admin = get_user_model().objects.get(email="admin@maillage.local")
    assert admin.is_superuser and admin.is_staff and admin.check_password(found[0])
    assert len(found[0]) >= 20

    out, err = run_command("bootstrap_demo")
    assert out == "" and err == ""
    assert Action.objects.count() == 40 and get_user_model().objects.count() == 1
    assert get_user_model().objects.get().check_password(found[0])


def test_existing_superuser_is_kept_and_nothing_is_printed_about_it(run_command):
    get_user_model().objects.create_superuser("correspondant@example.org", "un-mot-de-passe-solide")
    out, _ = run_command("bootstrap_demo")
    assert "Compte administrateur" not in out
    assert not get_user_model().objects.filter(email="admin@maillage.local").exists()


def test_existing_sheets_are_left_alone(run_command):
    run_command("seed_demo", "--structures", "2", "--actions", "3", "--seed", "1")
    out, _ = run_command("bootstrap_demo")
    assert Action.objects.count() == 3 and Structure.objects.count() == 2
    assert "Données de démonstration" not in out
    assert PASSWORD_LINE.search(out)


def test_structures_without_sheets_are_not_mixed_with_demo_data(run_command):
    Structure.objects.create(name="Centre social réel")
    out, err = run_command("bootstrap_demo")
    assert Structure.objects.count() == 1 and not Action.objects.exists()
    assert "données de démonstration non créées" in err
    assert PASSWORD_LINE.search(out)


def test_a_plain_user_with_the_admin_address_is_not_promoted(run_command):
    get_user_model().objects.create_user("admin@maillage.local", "un-mot-de-passe-solide")
    out, err = run_command("bootstrap_demo")
    assert "existe sans être administrateur" in err
    assert not PASSWORD_LINE.search(out)
    assert not get_user_model().objects.get(email="admin@maillage.local").is_superuser
