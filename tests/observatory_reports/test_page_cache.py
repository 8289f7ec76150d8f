"""The observatory's report pages kept for anonymous visitors (`www/page_cache.py`), served again only until the
figures are computed again."""

from datetime import date

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from maillage.observatory.figures.aggregates import refresh_year
from maillage.observatory.models import Campaign

pytestmark = pytest.mark.django_db

NATION = reverse("observatory:nation")


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 300
    caches["pages"].clear()
    yield
    caches["pages"].clear()


def test_the_page_shows_new_figures_after_a_refresh(client, aggregates, page_cache):
    for year in (2023, 2024):
        Campaign.objects.create(year=year, opens_on=date(year + 1, 3, 1), closes_on=date(year + 1, 5, 31))
    first = client.get(NATION)
    assert first["X-Cache"] == "miss"
    assert "Observatoire : France — Enquête 2025 — données 2024" in first.content.decode()
    again = Client().get(NATION)
    assert again["X-Cache"] == "hit"
    assert again.content == first.content

    refresh_year(2024)  # no validated answer in 2024: the year's figures are gone, 2023 is shown

    page = client.get(NATION)
    assert page["X-Cache"] == "miss"
    text = page.content.decode()
    assert "données 2024" not in text
    assert "Observatoire : France — Enquête 2024 — données 2023" in text
    assert client.get(NATION)["X-Cache"] == "hit"
