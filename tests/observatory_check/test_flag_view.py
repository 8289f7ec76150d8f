"""The correspondent's flag view reads without codes: question labels, this year, last year and the change side
by side, the score in words, the structure's justification next to the flag; corrections pick the question from
a list by label (grouped by section), and a choice outside the list is refused with a French message."""

import html
import re

import pytest
from django.urls import reverse

from maillage.observatory.checks import checking
from maillage.observatory.models import AnswerCorrection
from maillage.www import flag_display
from tests.logins import log_in

RAW_CODE = re.compile(r"[A-Z]{2,}_[A-Z_]+")
NBSP = "\u00a0"
VOLUNTEERS = "Bénévoles d'activité"


def visible_text(body: str) -> str:
    """The page as read: tags (and their attributes) dropped, entities decoded, spaces collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return " ".join(text.replace(NBSP, " ").replace("\u202f", " ").split())


def flag_card(body: str, flag) -> str:
    start = body.index(f'id="flag-{flag.pk}-title"')
    return visible_text(body[start : body.index("</article>", start)])


@pytest.fixture
def volunteers_flagged(campaign):
    """Structure A declares 2 000 volunteers (43 last year): a jump and an outlier in its department."""
    response = campaign[0]
    response.answers = {**response.answers, "PAR_BENEVOLES_ACTIVITE": 2000}
    response.confirmations = {"PAR_BENEVOLES_ACTIVITE": "Fête de quartier : tous les habitants ont aidé."}
    response.save()
    flags = {flag.kind: flag for flag in checking.raise_flags(response)}
    assert {"jump", "outlier"} <= set(flags)
    return response, flags


def page_of(client, world, response, role="correspondent"):
    log_in(client, world.users[role])
    return client.get(reverse("observatory_check:response", args=[2025, response.structure_id]))


@pytest.mark.django_db
def test_flags_read_in_words_with_both_years_and_the_justification(client, world, volunteers_flagged):
    response, flags = volunteers_flagged
    page = page_of(client, world, response)
    assert page.status_code == 200
    body = page.content.decode()
    text = visible_text(body)
    assert RAW_CODE.findall(text) == [] and "robust_z" not in text

    jump = flag_card(body, flags["jump"])
    assert VOLUNTEERS in jump
    # This year, last year and the change side by side.
    assert "Question Cette année L'an dernier Évolution" in jump
    assert f"{VOLUNTEERS} 2 000 bénévoles 43 bénévoles +1 957 bénévoles (+4 551 %)" in jump
    assert "Évolution : valeur multipliée par 47 en un an." in jump
    assert "Justification de la structure" in jump and "« Fête de quartier : tous les habitants ont aidé. »" in jump

    outlier = flag_card(body, flags["outlier"])
    z = abs(float(flags["outlier"].values["robust_z"]))
    assert "fois l'écart habituel" in outlier and f"{z:.1f}".replace(".", ",") in outlier
    median = flags["outlier"].values["median"]
    assert f"Soit {round(2000 / float(median))} fois la médiane des structures comparables ({median})." in outlier
    assert "« Fête de quartier : tous les habitants ont aidé. »" in outlier


@pytest.mark.django_db
def test_ratio_flag_reads_in_words(client, world, campaign):
    response = campaign[0]
    response.answers = {**response.answers, "RH_SALARIES": 5}
    response.save()
    [flag] = [f for f in checking.raise_flags(response) if f.kind == "impossible_ratio"]
    card = flag_card(page_of(client, world, response).content.decode(), flag)
    assert "Rapport : « Nombre total d'ETP » vaut 1,8 fois « Nombre de salariés » ; il doit être au plus 1." in card
    assert RAW_CODE.findall(card) == []


def test_scores_are_rounded_as_said():
    from decimal import Decimal

    assert [flag_display.rounded(Decimal(v)) for v in ("21.49", "-4.26", "2.04", "3.5", "10.5")] == [
        "21", "4,3", "2", "3,5", "11",
    ]  # fmt: skip


@pytest.mark.django_db
def test_corrections_pick_the_question_by_label(client, world, volunteers_flagged):
    response, _ = volunteers_flagged
    body = page_of(client, world, response).content.decode()
    form = body[body.index('id="correct-title"') : body.index("</form>", body.index('id="correct-title"'))]
    assert 'type="text" class="form-control" id="correct-code' not in form and '<input type="text"' in form
    assert form.count('<select name="code"') == 3
    assert '<optgroup label="Participation des habitants">' in form or "<optgroup label=" in form
    assert f'<option value="PAR_BENEVOLES_ACTIVITE">{html.escape(VOLUNTEERS)}</option>'.replace("'", "&#x27;") in form
    assert "Choisir une question" in form
    assert RAW_CODE.findall(visible_text(form)) == []
    definition = response.questionnaire.definition()
    grids = [q.code for q in definition.questions if q.type == "grid"]
    assert grids and not any(f'value="{code}"' in form for code in grids)

    url = reverse("observatory_check:correct", args=[2025, response.structure_id])
    refused = client.post(url, {"code": ["PAR_NIMPORTE_QUOI", ""], "value": ["45", ""], "reason": "Saisie"})
    assert refused.status_code == 400
    refused_body = refused.content.decode()
    assert "Question à corriger (ligne 1) : choisissez une question de la liste." in html.unescape(refused_body)
    assert 'aria-invalid="true" aria-describedby="correct-code-error"' in refused_body
    for posted, message in (
        (
            {"code": ["", ""], "value": ["45", ""]},
            "Question à corriger (ligne 1) : choisissez la question de cette valeur.",
        ),
        ({"code": ["", ""], "value": ["", ""]}, "Question à corriger : choisissez une question de la liste."),
    ):
        refused = client.post(url, {**posted, "reason": "Saisie"})
        assert refused.status_code == 400 and message in html.unescape(refused.content.decode())
    assert not AnswerCorrection.objects.exists()

    done = client.post(url, {"code": ["PAR_BENEVOLES_ACTIVITE", ""], "value": ["45", ""], "reason": "Un zéro de trop"},
                       follow=True)  # fmt: skip
    assert "Valeur corrigée ; la correction est consignée." in done.content.decode()
    correction = AnswerCorrection.objects.get()
    assert (correction.code, correction.old_value, correction.new_value) == ("PAR_BENEVOLES_ACTIVITE", 2000, 45)
    # The corrections table names the question by its label.
    corrections = visible_text(done.content.decode().split('id="corrections-title"')[1].split("</table>")[0])
    assert f"{VOLUNTEERS} 2 000 bénévoles 45 bénévoles Un zéro de trop" in corrections


@pytest.mark.django_db
def test_only_the_departments_correspondents_see_or_correct(client, world, volunteers_flagged):
    response, _ = volunteers_flagged
    assert page_of(client, world, response, "other_correspondent").status_code == 404
    url = reverse("observatory_check:correct", args=[2025, response.structure_id])
    posted = client.post(url, {"code": "PAR_BENEVOLES_ACTIVITE", "value": "45", "reason": "x"})
    assert posted.status_code == 404 and not AnswerCorrection.objects.exists()
