"""The questionnaire's loading page explains the YAML format itself, without sending people to `docs/`, and offers
the questionnaires shipped with Maillage (thematic block included) as models to download."""

import pytest

from maillage.observatory.definitions.builder import QUESTIONNAIRES_DIR

from .conftest import load_url, text_of


def file_url(name: str) -> str:
    return f"/espace/observatoire/questionnaires/modeles/{name}"


def test_the_page_explains_the_format_and_links_the_shipped_files(admin, campaign):
    html = text_of(admin.get(load_url(2025)))
    assert "docs/" not in html
    assert "Format d'un questionnaire (YAML)" in html
    for key in ("<code>sections</code>", "<code>rules</code>", "<code>show_if</code>", "<code>grid</code>"):
        assert key in html, key
    for name in ("csx_2025.yaml", "evs_2025.yaml", "thematique_2025.yaml"):
        assert f'href="{file_url(name)}"' in html


def test_a_shipped_file_downloads_as_it_is(admin):
    response = admin.get(file_url("thematique_2025.yaml"))
    assert response.status_code == 200 and response["Content-Type"] == "text/yaml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="thematique_2025.yaml"'
    assert response.content.decode() == (QUESTIONNAIRES_DIR / "thematique_2025.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["autre.yaml", "..%2Fsettings.py", "csx_2025.yml"])
def test_other_names_are_not_found(admin, name):
    assert admin.get(file_url(name)).status_code == 404


def test_only_national_administrators_download(world):
    assert world.client("correspondent").get(file_url("csx_2025.yaml")).status_code == 403
