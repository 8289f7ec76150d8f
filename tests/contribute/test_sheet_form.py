"""The sheet form: create, edit, validation messages, text shown as text, workflow buttons."""

import pytest
from django.urls import reverse

from maillage.actions.models import Action, ActionState
from maillage.audit.models import AuditEvent
from tests.factories import make_sheet

from .helpers import form_data, initiative_id, keyword_id, status_id

pytestmark = pytest.mark.django_db
NEW = reverse("contribute:sheet-new")


def edit_url(action) -> str:
    return reverse("contribute:sheet-edit", kwargs={"pk": action.pk})


def test_a_member_creates_a_draft(login, people):
    client = login("member")
    page = client.get(f"{NEW}?structure={people['structure'].pk}")
    assert page.status_code == 200
    assert people["structure"].name in page.content.decode()
    response = client.post(f"{NEW}?structure={people['structure'].pk}",
                           form_data(keywords=[keyword_id("Culture"), keyword_id("Santé")]))  # fmt: skip
    action = Action.objects.get(title="Jardin partagé")
    assert response.status_code == 302 and response["Location"] == edit_url(action)
    assert action.state == ActionState.DRAFT and action.structure == people["structure"]
    assert list(action.keywords.order_by("actionkeyword__position").values_list("label", flat=True)) == [
        "Culture",
        "Santé",
    ]
    assert AuditEvent.objects.filter(action="sheet_edited", object_id=str(action.pk)).exists()


def test_the_form_follows_the_sheet_order_and_offers_active_values(login, people):
    from maillage.referentials.models import Keyword

    retired = Keyword.objects.get(label="Santé")
    retired.is_active = False
    retired.save()
    sheet = make_sheet("Ateliers", people["structure"], state=ActionState.DRAFT, keywords=["Santé"])
    html = login("member").get(edit_url(sheet)).content.decode()
    labels = ["Titre de l&#x27;action", "Fichier(s) associé(s)", "Statut de l&#x27;action", "Raisons pour lesquelles",
              "Dimension", "Mots clés associés", "Résumé", "Qui est à l&#x27;initiative", "Précision (si autre)",
              "Territoire concerné", "Description de l&#x27;expérience", "Public", "Avec qui cette action",
              "Description générale", "Ressources financières", "Nombre de personnes", "Résultat sur le territoire",
              "Résultat pour le centre social", "Résultat pour les habitants", "Suite de l&#x27;action : limites",
              "Suite de l&#x27;action : perspectives"]  # fmt: skip
    positions = [html.index(label) for label in labels]
    assert positions == sorted(positions)
    assert 'type="radio" name="status"' in html and 'type="checkbox" name="keywords"' in html
    assert ">Santé</label>" in html  # retired, but the sheet has it
    other = make_sheet("Autre", people["structure"], state=ActionState.DRAFT)
    assert ">Santé</label>" not in login("member").get(edit_url(other)).content.decode()


def test_edit_saves_and_keeps_history(login, people):
    sheet = make_sheet("Ateliers", people["structure"], state=ActionState.DRAFT, summary="Avant")
    client = login("member")
    response = client.post(edit_url(sheet), form_data(sheet, summary="Après"))
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.summary == "Après"
    from maillage.history.models import Revision

    assert Revision.objects.for_object(sheet).first().data["summary"] == "Avant"


def test_finished_without_reason_is_refused_next_to_the_field(login, people):
    client = login("member")
    response = client.post(f"{NEW}?structure={people['structure'].pk}", form_data(status=status_id("Terminée")))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="end_reason-error"' in html and "Indiquez pourquoi l&#x27;action est terminée" in html
    assert (
        'aria-invalid="true"' in html and 'aria-describedby="end_reason-hint end_reason-count end_reason-error"' in html
    )
    assert not Action.objects.filter(title="Jardin partagé").exists()
    ok = client.post(f"{NEW}?structure={people['structure'].pk}",
                     form_data(status=status_id("Terminée"), end_reason="Le financement a pris fin."))  # fmt: skip
    assert ok.status_code == 302


def test_other_initiative_needs_its_detail(login, people):
    client = login("member")
    response = client.post(f"{NEW}?structure={people['structure'].pk}", form_data(initiative=[initiative_id("Autre")]))
    assert response.status_code == 400
    assert "Vous avez coché « Autre » : précisez qui est à l&#x27;initiative." in response.content.decode()
    assert 'data-reveal-by="initiative"' in response.content.decode()


def test_missing_title_and_too_long_text_are_explained(login, people):
    client = login("member")
    response = client.post(f"{NEW}?structure={people['structure'].pk}", form_data(title="", summary="x" * 2001))
    html = response.content.decode()
    assert "Indiquez : titre de l&#x27;action." in html
    assert "Ce texte est trop long : 2001 caractères pour 2000 au plus." in html


def test_unknown_choice_is_an_error_not_a_crash(login, people):
    response = login("member").post(f"{NEW}?structure={people['structure'].pk}", form_data(keywords=["999999", "x"]))
    assert response.status_code == 400
    assert "n&#x27;est plus proposée" in response.content.decode() or "valide" in response.content.decode()


TEXT_FIELDS = ("title", "end_reason", "summary", "initiative_detail", "experience", "general_description",
               "financial_resources", "people_mobilised", "result_territory", "result_centre", "result_inhabitants",
               "limits", "perspectives")  # fmt: skip


def test_html_and_scripts_are_saved_and_shown_as_text(login, people, client):
    payload = '<script>alert("x")</script><b>gras</b>'
    data = form_data(status=status_id("Terminée"), initiative=[initiative_id("Autre")])
    data.update({name: f"{name} {payload}" for name in TEXT_FIELDS})
    logged = login("member")
    response = logged.post(f"{NEW}?structure={people['structure'].pk}", data)
    assert response.status_code == 302
    action = Action.objects.get()
    assert action.summary == f"summary {payload}"
    edit_html = logged.get(edit_url(action)).content.decode()
    assert "<script>alert" not in edit_html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in edit_html
    from maillage.actions.workflow import transition

    transition(action, ActionState.SUBMITTED, acting_user=people["member"])
    transition(action, ActionState.PUBLISHED, acting_user=people["correspondent"])
    client.logout()
    public = client.get(action.get_absolute_url()).content.decode()
    for name in TEXT_FIELDS:
        assert f"{name} &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;gras&lt;/b&gt;" in public or (
            name == "title"  # the title is shown as the page heading, escaped too
        )
    assert "<script>alert" not in public and "<b>gras</b>" not in public


def test_submit_button_saves_then_submits(login, people):
    sheet = make_sheet("Ateliers", people["structure"], state=ActionState.DRAFT)
    client = login("member")
    html = client.get(edit_url(sheet)).content.decode()
    assert 'name="move" value="submitted"' in html and "Enregistrer et soumettre pour publication" in html
    response = client.post(edit_url(sheet), form_data(sheet, summary="Prête", move="submitted"))
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.state == ActionState.SUBMITTED and sheet.summary == "Prête"


def test_moves_the_person_may_not_make_are_refused(login, people):
    sheet = make_sheet("Ateliers", people["structure"], state=ActionState.DRAFT)
    client = login("member")
    client.post(edit_url(sheet), form_data(sheet, move="published"), follow=True)
    sheet.refresh_from_db()
    assert sheet.state == ActionState.DRAFT


def test_concurrent_edit_is_refused_and_nothing_is_overwritten(login, people):
    sheet = make_sheet("Ateliers", people["structure"], state=ActionState.DRAFT, summary="Départ")
    first = form_data(sheet, summary="Version d'Alice")
    second = form_data(sheet, summary="Version de Bruno")
    assert login("member").post(edit_url(sheet), first).status_code == 302
    response = login("structure_admin").post(edit_url(sheet), second)
    assert response.status_code == 400
    assert "modifiée par quelqu&#x27;un d&#x27;autre" in response.content.decode()
    assert "Version de Bruno" in response.content.decode()  # what they typed is still in the form
    sheet.refresh_from_db()
    assert sheet.summary == "Version d'Alice"


def test_a_state_change_meanwhile_also_counts_as_a_conflict(login, people):
    from maillage.actions.workflow import transition

    sheet = make_sheet("Ateliers", people["structure"], state=ActionState.DRAFT)
    data = form_data(sheet, summary="Changement")
    transition(sheet, ActionState.SUBMITTED, acting_user=people["member"])
    transition(sheet, ActionState.PUBLISHED, acting_user=people["correspondent"])
    assert login("member").post(edit_url(sheet), data).status_code == 400
    sheet.refresh_from_db()
    assert sheet.summary == ""


def test_csrf_is_required(people, client):
    from django.test import Client

    sheet = make_sheet("Ateliers", people["structure"], state=ActionState.DRAFT)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(people["member"])
    assert strict.post(edit_url(sheet), form_data(sheet, summary="Sans jeton")).status_code == 403
    sheet.refresh_from_db()
    assert sheet.summary == ""


@pytest.mark.parametrize("title", ["Jardin\npartagé", "Jardin\r\npartagé", "Jardin\u2028partagé"])
def test_a_title_on_two_lines_is_refused_next_to_the_field(login, people, title):
    response = login("member").post(f"{NEW}?structure={people['structure'].pk}", form_data(title=title))
    assert response.status_code == 400
    assert "« Titre de l&#x27;action » tient sur une ligne : retirez-en les retours à la ligne." in (
        response.content.decode()
    )
    assert not Action.objects.exists()
