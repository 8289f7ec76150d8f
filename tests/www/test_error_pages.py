"""Refused pages answer in French, without a traceback."""

import pytest

from maillage.accounts.models import User

pytestmark = pytest.mark.django_db


def test_a_refused_page_says_so_in_french(client):
    client.force_login(User.objects.create_user("membre@maillage.test"))
    response = client.get("/moderation/")
    assert response.status_code == 403
    content = response.content.decode()
    assert "<h1>Accès refusé</h1>" in content
    assert "correspondant de votre département" in content
