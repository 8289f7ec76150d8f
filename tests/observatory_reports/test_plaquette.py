"""The plaquette of the nation, a region and a department: four A4 pages at most, key figures in French, the
territory's editorial (escaped) and logos, a tagged PDF/UA file; logos checked by their content in the admin."""

import io
import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from PIL import Image

from maillage.accounts.models import User
from maillage.observatory.figures import publications, reports
from maillage.observatory.models import AggregateScope, TerritoryEditorial
from tests.logins import log_in
from tests.pdfs import pdf_objects, pdfinfo

YEARS = [2024, 2023]


def png_bytes(size=(40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#1f5f99").save(buffer, "PNG")
    return buffer.getvalue()


def plaquette(scope, code="") -> bytes:
    return publications.plaquette_bytes(reports.territory(scope, code), 2024, YEARS)


def page_texts(data: bytes) -> list[str]:
    """Each page's text in reading order (no layout), blanks joined."""
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return [" ".join(page.split()) for page in text.split("\f") if page.strip()]


@pytest.fixture
def places(aggregates):
    return [(AggregateScope.NATION, ""), (AggregateScope.REGION, aggregates), (AggregateScope.DEPARTMENT, "13")]


@pytest.mark.parametrize("index", [0, 1, 2])
def test_each_plaquette_is_four_tagged_pages_with_its_key_figures_and_editorial(places, index):
    scope, code = places[index]
    TerritoryEditorial.objects.create(
        scope=scope,
        scope_code=code,
        text="Édito <script>alert(1)</script> des partenaires",
        logo_1=png_bytes(),
        logo_1_type="image/png",
        logo_1_alt="Caf des Bouches-du-Rhône",
    )
    data = plaquette(scope, code)
    pages = page_texts(data)
    assert 1 <= len(pages) <= 4
    cover = pages[0]
    assert "Chiffres clés" in cover and "Emploi" in cover and "ETP (équivalents temps plein) par structure" in cover
    assert "budget médian d'une structure" in cover and "1 000 000 €" in cover
    assert "Édito <script>alert(1)</script> des partenaires" in cover  # shown as text, not run nor dropped
    info = pdfinfo(data)
    assert re.search(r"^Tagged:\s+yes", info, re.M)
    assert re.search(r"^Pages:\s+[1-4]$", info, re.M)
    assert "Observatoire des centres sociaux" in re.search(r"^Title:(.*)$", info, re.M).group(1)
    objects = pdf_objects(data)
    assert b"/StructTreeRoot" in objects and b"/MarkInfo" in objects and b"/Lang (fr)" in objects
    assert b"/Alt" in objects  # figures (map, charts, logos) carry their alternative text


def test_the_department_cover_shows_it_on_the_map_of_france(places):
    data = plaquette(AggregateScope.DEPARTMENT, "13")
    cover = page_texts(data)[0]
    assert "Le département Bouches-du-Rhône (13), dans la région Provence" in cover
    assert "Fond de carte" in cover  # the map is drawn (its credit under it)


def test_an_overseas_department_is_placed_in_words(places):
    data = plaquette(AggregateScope.DEPARTMENT, "974")
    cover = page_texts(data)[0]
    assert "Il n'est pas sur la carte de la France métropolitaine" in cover and "Fond de carte" not in cover


def test_a_new_editorial_makes_a_new_plaquette_version(places):
    place = reports.territory(AggregateScope.DEPARTMENT, "13")
    before = publications.plaquette_version(place, 2024)
    TerritoryEditorial.objects.create(scope=AggregateScope.DEPARTMENT, scope_code="13", text="Nouveau")
    assert publications.plaquette_version(place, 2024) != before


@pytest.fixture
def national_admin(db):
    return User.objects.create_user(email="admin@example.org", password="x", is_national_admin=True, is_staff=True)


def post_editorial(client, **files):
    data = {"scope": AggregateScope.DEPARTMENT, "scope_code": "13", "text": "Texte", "logo_1_alt": "Caf",
            "logo_2_alt": "", **files}  # fmt: skip
    return client.post(reverse("admin:observatory_territoryeditorial_add"), data)


def test_a_file_that_is_not_png_or_jpeg_is_refused_in_french_naming_the_field(client, national_admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    log_in(client, national_admin)
    svg = SimpleUploadedFile("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>')
    response = post_editorial(client, logo_1_file=svg)
    assert response.status_code == 200
    assert "Logo 1 : le fichier n&#x27;est pas une image PNG ou JPEG lisible." in response.content.decode()
    assert not TerritoryEditorial.objects.exists()
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, "GIF")
    response = post_editorial(client, logo_1_file=SimpleUploadedFile("logo.png", gif.getvalue()))
    assert "Logo 1 : seules les images PNG ou JPEG sont acceptées." in response.content.decode()
    big = SimpleUploadedFile("logo.png", b"\x89PNG" + b"0" * (301 * 1024))
    assert "Logo 1 : le fichier pèse plus de 300 Ko." in post_editorial(client, logo_1_file=big).content.decode()
    assert not TerritoryEditorial.objects.exists()


def test_a_png_logo_is_kept_and_a_logo_needs_its_alt_text(client, national_admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    log_in(client, national_admin)
    response = post_editorial(client, logo_1_file=SimpleUploadedFile("a.png", png_bytes()), logo_1_alt="")
    assert "Texte de remplacement du logo 1 : à remplir pour un logo." in response.content.decode()
    response = post_editorial(client, logo_1_file=SimpleUploadedFile("a.png", png_bytes()))
    assert response.status_code == 302
    row = TerritoryEditorial.objects.get()
    assert bytes(row.logo_1) == png_bytes() and row.logo_1_type == "image/png"


def test_only_national_admins_reach_the_editorials(client, db):
    staff = User.objects.create_user(email="staff@example.org", password="x", is_staff=True)
    log_in(client, staff)
    assert client.get(reverse("admin:observatory_territoryeditorial_changelist")).status_code == 403


def test_pdfinfo_is_installed():
    assert shutil.which("pdfinfo") and shutil.which("pdftotext")


def test_a_small_share_keeps_a_visible_bar():
    from decimal import Decimal

    from maillage.observatory.figures.charts import BarChart, horizontal_bars_svg

    svg = horizontal_bars_svg(BarChart("Parts", "Parts", [("Grande", Decimal("0.9")), ("Petite", Decimal("0.001"))],
                                       unit="percent"))  # fmt: skip
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg)]
    assert len(widths) == 2 and min(widths) >= 3.0


def test_the_thematic_labels_are_drawn_whole_with_room_for_them():
    from decimal import Decimal

    from maillage.observatory.figures.charts import BarChart, horizontal_bars_svg

    label = "Accueillant des permanences d'accès aux droits"
    items = [(label, Decimal("0.58"))]
    assert "…" in horizontal_bars_svg(BarChart("Thème", "Thème", items, unit="percent"))  # the web page's room
    assert "permanences d&#x27;accès aux droits<" in horizontal_bars_svg(
        BarChart("Thème", "Thème", items, unit="percent", label_width=400)
    )
