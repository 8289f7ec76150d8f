"""The import page offers an example file of each text import (one action sheet, one structure of the directory),
written by the formats' writers, that imports as it is, without a warning, and explains the two text formats."""

import pytest

from maillage.actions.models import Action
from maillage.exchange.services import import_actions
from maillage.exchange.structure_import import import_structures
from maillage.structures.models import Structure

from .conftest import ROLES
from .test_imports import IMPORTERS, UPLOAD_URL

pytestmark = pytest.mark.django_db


def example_url(name: str) -> str:
    return f"/espace/imports/modele-{name}.txt"


@pytest.mark.parametrize("role", ROLES)
def test_examples_by_role(world, role):
    response = world.client(role).get(example_url("fiches"))
    if role == "anonymous":
        assert response.status_code == 302
    elif role in IMPORTERS:
        assert response.status_code == 200 and response["Content-Type"] == "text/plain; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="modele-fiches.txt"'
    else:
        assert response.status_code == 403


def test_the_page_links_both_examples_and_explains_the_text_formats(world):
    html = world.client("national_admin").get(UPLOAD_URL).content.decode()
    assert f'href="{example_url("fiches")}"' in html and f'href="{example_url("annuaire")}"' in html
    assert "<code>Actions</code>" in html and "<code>Informations sur la structure</code>" in html
    assert "docs/" not in html


def test_the_action_example_imports_one_sheet_without_warning(world, tmp_path):
    path = tmp_path / "modele-fiches.txt"
    path.write_bytes(world.client("national_admin").get(example_url("fiches")).content)
    report = import_actions(path, dry_run=True)
    assert (report.read, report.created, report.warnings) == (1, 1, [])
    assert not Action.objects.filter(title="Jardin partagé du quartier des Lilas").exists()


def test_the_directory_example_imports_one_structure_without_warning(world, tmp_path):
    path = tmp_path / "modele-annuaire.txt"
    path.write_bytes(world.client("national_admin").get(example_url("annuaire")).content)
    report = import_structures(path, dry_run=True)
    assert (report.read, report.created, report.warnings) == (1, 1, [])
    assert not Structure.objects.filter(name="Centre social des Lilas").exists()


def test_an_unknown_example_is_not_found(world):
    assert world.client("national_admin").get(example_url("autre")).status_code == 404
