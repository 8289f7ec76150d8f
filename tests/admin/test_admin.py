"""The admin: every screen opens, the changelists do not grow with the rows, and saving or deleting
a sheet or a structure keeps the history and the search index in step."""

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from maillage.actions.models import Action, ActionKeyword, ActionPublic, ActionState
from maillage.actions.services import begin_action_change, record_action_change
from maillage.history.models import Revision
from maillage.history.services import record_revision
from maillage.referentials.models import Department, Keyword, Public, Region
from maillage.search.services import search_action_ids
from maillage.structures.models import Structure, StructureKind
from maillage.structures.services import structure_snapshot
from tests.logins import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    from maillage.accounts.models import User

    return User.objects.create_superuser(email="admin@example.org", password="mot-de-passe-solide")


@pytest.fixture
def admin_client(client, superuser):
    log_in(client, superuser)
    return client


def make_structure(name="Centre social des Lilas", **fields) -> Structure:
    fields.setdefault("department", Department.objects.get(code="13"))
    fields.setdefault("kind", StructureKind.CSX)
    return Structure.objects.create(name=name, **fields)


def make_action(structure, title, *, keywords=(), publics=(), **fields) -> Action:
    fields.setdefault("state", ActionState.PUBLISHED)
    fields.setdefault("year", 2019)
    action = Action.objects.create(structure=structure, title=title, **fields)
    for position, label in enumerate(keywords):
        ActionKeyword.objects.create(action=action, item=Keyword.objects.get(label=label), position=position)
    for position, label in enumerate(publics):
        ActionPublic.objects.create(action=action, item=Public.objects.get(label=label), position=position)
    record_action_change(action, None, acting_user=None, source="test")
    return action


def admin_url(model, view, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def field_data(form) -> dict:
    """What the browser would post back for an unchanged form."""
    data = {}
    for name, field in form.fields.items():
        bound = form[name]
        value = bound.value()
        widget = getattr(field.widget, "widget", field.widget)  # related fields come wrapped
        if isinstance(field, forms.FileField):
            continue
        if isinstance(field, forms.NullBooleanField):
            data[bound.html_name] = {True: "true", False: "false"}.get(value, "unknown")
        elif isinstance(field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(widget, forms.MultiWidget):
            for index, part in enumerate(widget.decompress(value)):
                data[f"{bound.html_name}_{index}"] = "" if part is None else part
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(item) for item in value]
        else:
            data[bound.html_name] = "" if value is None else value
    return data


def change_form_data(response) -> dict:
    """The main form and every inline (management form included) of an admin change page."""
    data = field_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(field_data(formset.management_form))
        for form in formset.forms:
            data.update(field_data(form))
    data["_save"] = "Enregistrer"
    return data


# Every screen


def test_superuser_opens_every_changelist_and_change_page(admin_client, superuser):
    structure = make_structure()
    action = make_action(structure, "Jardin partagé", keywords=["Culture"], publics=["Seniors"])
    previous = begin_action_change(action.pk)
    Action.objects.filter(pk=action.pk).update(title="Jardin des habitants")
    action.refresh_from_db()
    record_action_change(action, previous, acting_user=superuser, source="test")
    Group.objects.create(name="Correspondants")
    assert Revision.objects.exists()

    request = RequestFactory().get("/")
    request.user = superuser
    opened = []
    for model, model_admin in admin.site._registry.items():
        assert admin_client.get(admin_url(model, "changelist")).status_code == 200, model
        assert admin_client.get(admin_url(model, "changelist"), {"q": "a"}).status_code == 200, model
        if model_admin.has_add_permission(request):
            assert admin_client.get(admin_url(model, "add")).status_code == 200, model
        obj = model._default_manager.first()
        if obj is not None:
            response = admin_client.get(admin_url(model, "change", obj.pk))
            assert response.status_code == 200, model
            assert "INVALID TEMPLATE VARIABLE" not in response.content.decode(), model
            opened.append(model)
    assert {Action, Structure, Revision, Department, Region, Keyword} <= set(opened)


def test_closed_lists_can_be_marked_as_reviewed(admin_client):
    unknown = Keyword.objects.create(label="Numérique", to_review=True)
    response = admin_client.post(
        admin_url(Keyword, "changelist"),
        {"action": "mark_reviewed", "_selected_action": [unknown.pk]},
        follow=True,
    )
    assert response.status_code == 200
    unknown.refresh_from_db()
    assert not unknown.to_review
    assert "1 valeur marquée comme vérifiée." in response.content.decode()


def add_sheets(count: int, start: int = 0, duplicate_of=None) -> None:
    departments = list(Department.objects.filter(region__code="93"))
    for index in range(start, start + count):
        structure = make_structure(f"Centre {index}", department=departments[index % len(departments)])
        make_action(
            structure,
            f"Fiche {index}",
            keywords=["Culture", "Solidarité"],
            publics=["Seniors"],
            probable_duplicate_of=duplicate_of if index % 5 == 0 else None,
        )


def test_action_changelist_runs_a_fixed_number_of_queries(admin_client, django_assert_num_queries):
    url = admin_url(Action, "changelist")
    original = make_action(make_structure("Centre d'origine"), "Fiche d'origine")
    add_sheets(4, duplicate_of=original)
    admin_client.get(url)  # warm the session and content type caches
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    assert len(few) <= 20

    add_sheets(25, start=4, duplicate_of=original)
    assert Action.objects.count() == 30
    with django_assert_num_queries(len(few)):
        response = admin_client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 30


def test_action_changelist_filters_probable_duplicates(admin_client):
    original = make_action(make_structure(), "Jardin partagé")
    make_action(make_structure("Autre centre"), "Jardin partagé bis", probable_duplicate_of=original)
    url = admin_url(Action, "changelist")
    assert admin_client.get(url, {"doublon": "oui"}).context["cl"].result_count == 1
    assert admin_client.get(url, {"doublon": "non"}).context["cl"].result_count == 1
    assert admin_client.get(url, {"q": "Autre centre"}).context["cl"].result_count == 1


# History and index through the admin


def test_saving_a_sheet_keeps_the_previous_version_and_updates_the_index(admin_client, superuser):
    action = make_action(make_structure(), "Potager collectif", keywords=["Culture"], publics=["Seniors"])
    assert search_action_ids("potager") == [action.pk]
    url = admin_url(Action, "change", action.pk)
    data = change_form_data(admin_client.get(url))
    data["title"] = "Ludothèque itinérante"
    # Add a keyword through the inline.
    data["actionkeyword_set-TOTAL_FORMS"] = "2"
    data["actionkeyword_set-1-item"] = str(Keyword.objects.get(label="Solidarité").pk)
    data["actionkeyword_set-1-position"] = "1"
    data["actionkeyword_set-1-action"] = str(action.pk)

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    action.refresh_from_db()
    assert action.title == "Ludothèque itinérante"
    assert list(action.keywords.values_list("label", flat=True)) == ["Culture", "Solidarité"]
    revision = Revision.objects.for_object(action).get()
    assert revision.data["title"] == "Potager collectif"
    assert revision.data["keywords"] == ["Culture"]
    assert revision.changed_by == superuser
    assert revision.source == "admin"
    assert search_action_ids("ludothèque") == [action.pk]
    assert search_action_ids("potager") == []
    # The revision is shown on the change page.
    content = admin_client.get(url).content.decode()
    assert reverse("admin:history_revision_change", args=[revision.pk]) in content


def test_saving_an_unchanged_sheet_records_no_revision(admin_client):
    action = make_action(make_structure(), "Potager collectif", keywords=["Culture"])
    url = admin_url(Action, "change", action.pk)
    response = admin_client.post(url, change_form_data(admin_client.get(url)))
    assert response.status_code == 302
    assert not Revision.objects.for_object(action).exists()


def test_adding_a_sheet_indexes_it(admin_client):
    url = admin_url(Action, "add")
    data = change_form_data(admin_client.get(url))
    data.update(title="Café des parents", state=ActionState.PUBLISHED, year="2020")
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    action = Action.objects.get(title="Café des parents")
    assert search_action_ids("café parents") == [action.pk]
    assert action.fingerprint
    assert not Revision.objects.for_object(action).exists()


def test_deleting_a_sheet_removes_it_from_the_index(admin_client, superuser):
    action = make_action(make_structure(), "Potager collectif")
    pk = action.pk
    response = admin_client.post(admin_url(Action, "delete", pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Action.objects.filter(pk=pk).exists()
    assert search_action_ids("potager") == []
    revision = Revision.objects.get(object_id=pk)
    assert revision.data["title"] == "Potager collectif"
    assert revision.changed_by == superuser


def test_deleting_sheets_in_bulk_removes_them_from_the_index(admin_client):
    structure = make_structure()
    actions = [make_action(structure, f"Potager numéro {index}") for index in range(3)]
    kept = make_action(structure, "Potager conservé")
    response = admin_client.post(
        admin_url(Action, "changelist"),
        {"action": "delete_selected", "_selected_action": [a.pk for a in actions], "post": "yes"},
    )
    assert response.status_code == 302
    assert search_action_ids("potager") == [kept.pk]
    assert Revision.objects.filter(comment="Suppression").count() == 3


def test_saving_a_structure_keeps_the_previous_version_and_reindexes_its_sheets(admin_client, superuser):
    structure = make_structure("Centre social Arc-en-ciel", street="1 rue Haute")
    action = make_action(structure, "Atelier cuisine")
    assert search_action_ids("arc-en-ciel") == [action.pk]
    url = admin_url(Structure, "change", structure.pk)
    data = change_form_data(admin_client.get(url))
    data["name"] = "Centre social Mosaïque"

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    structure.refresh_from_db()
    assert structure.name == "Centre social Mosaïque"
    revision = Revision.objects.for_object(structure).get()
    assert revision.data["name"] == "Centre social Arc-en-ciel"
    assert revision.data["street"] == "1 rue Haute"
    assert revision.changed_by == superuser
    assert revision.source == "admin"
    assert search_action_ids("mosaïque") == [action.pk]
    assert search_action_ids("arc-en-ciel") == []
    content = admin_client.get(url).content.decode()
    assert reverse("admin:history_revision_change", args=[revision.pk]) in content


def test_deleting_a_structure_keeps_its_last_version(admin_client):
    structure = make_structure("Centre social éphémère")
    pk = structure.pk
    snapshot = structure_snapshot(pk)
    response = admin_client.post(admin_url(Structure, "delete", pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Structure.objects.filter(pk=pk).exists()
    assert Revision.objects.get(object_id=pk).data == snapshot


def test_revisions_are_read_only(admin_client, superuser):
    action = make_action(make_structure(), "Potager collectif")
    previous = begin_action_change(action.pk)
    Action.objects.filter(pk=action.pk).update(title="Jardin <b>fleuri</b>")
    action.refresh_from_db()
    record_action_change(action, previous, acting_user=superuser, source="test")
    revision = Revision.objects.get()
    content = admin_client.get(admin_url(Revision, "change", revision.pk)).content.decode()
    assert '"title": "Potager collectif"' in content.replace("&quot;", '"')
    assert admin_client.get(admin_url(Revision, "add")).status_code == 403
    assert admin_client.post(admin_url(Revision, "delete", revision.pk), {"post": "yes"}).status_code == 403
    assert Revision.objects.filter(pk=revision.pk).exists()
    filtered = admin_client.get(
        admin_url(Revision, "changelist"),
        {"content_type__id__exact": revision.content_type_id, "object_id": action.pk},
    )
    assert filtered.context["cl"].result_count == 1


def test_revisions_are_filtered_by_kind_of_source(admin_client):
    action = make_action(make_structure(), "Potager collectif")
    for source in ("admin", "import actions.txt:12", "import actions.txt:40", "test"):
        record_revision(action, {}, source=source)
    url = admin_url(Revision, "changelist")
    counts = {
        kind: admin_client.get(url, {"origine": kind}).context["cl"].result_count
        for kind in ("admin", "import", "autre")
    }
    assert counts == {"admin": 1, "import": 2, "autre": 1}


def test_renaming_a_keyword_refreshes_the_sheets_that_show_it(admin_client):
    action = make_action(make_structure(), "Atelier du samedi", keywords=["Culture"])
    other = make_action(make_structure("Centre social voisin"), "Permanence", keywords=["Santé"])
    keyword = Keyword.objects.get(label="Culture")
    url = admin_url(Keyword, "change", keyword.pk)
    data = change_form_data(admin_client.get(url))
    data["label"] = "Patrimoine vivant"

    assert admin_client.post(url, data).status_code == 302

    assert search_action_ids("patrimoine") == [action.pk]
    assert search_action_ids("culture") == []
    assert search_action_ids("sante") == [other.pk]


def test_renaming_a_department_refreshes_the_sheets_of_its_structures(admin_client):
    action = make_action(make_structure(), "Atelier du samedi")
    department = Department.objects.get(code="13")
    url = admin_url(Department, "change", department.pk)
    data = change_form_data(admin_client.get(url))
    data["name"] = "Provence maritime"

    assert admin_client.post(url, data).status_code == 302

    assert search_action_ids("provence") == [action.pk]
    assert search_action_ids("bouches") == []


def test_a_siret_typed_in_the_admin_must_be_valid(admin_client):
    structure = make_structure("Centre social des Rives")
    url = admin_url(Structure, "change", structure.pk)
    data = change_form_data(admin_client.get(url))
    data["siret"] = "123 456 789 00010"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "Numéro SIRET invalide" in response.content.decode()
    data["siret"] = "732 829 320 00074"
    assert admin_client.post(url, data).status_code == 302
    structure.refresh_from_db()
    assert (structure.siret, structure.siret_flagged) == ("73282932000074", False)


def test_an_imported_invalid_siret_stays_flagged_until_corrected(admin_client):
    structure = make_structure("Centre social des Quais", siret="12345678900010", siret_flagged=True)
    url = admin_url(Structure, "change", structure.pk)
    data = change_form_data(admin_client.get(url))
    data["commune"] = "Lyon"

    assert admin_client.post(url, data).status_code == 302

    structure.refresh_from_db()
    assert (structure.commune, structure.siret_flagged) == ("Lyon", True)


def test_questionnaire_answers_are_read_only_in_the_admin(admin_client):
    from maillage.observatory.models import Response
    from tests.observatory_check.conftest import questionnaire_for

    structure = Structure.objects.create(name="Centre social témoin", kind=StructureKind.CSX)
    response = Response.objects.create(questionnaire=questionnaire_for(2025), structure=structure, status="submitted")
    url = reverse("admin:observatory_response_change", args=[response.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and 'name="status"' not in page.content.decode()
    admin_client.post(url, {"status": "validated", "answers": "{}"})
    response.refresh_from_db()
    assert response.status == "submitted"


def test_a_title_or_a_name_on_two_lines_is_refused_in_the_admin(admin_client):
    action = make_action(make_structure(), "Potager collectif")
    url = admin_url(Action, "change", action.pk)
    data = change_form_data(admin_client.get(url))
    data["title"] = "Potager\ncollectif"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Le titre tient sur une ligne : retirez-en les retours à la ligne." in response.content.decode()
    structure = action.structure
    url = admin_url(Structure, "change", structure.pk)
    data = change_form_data(admin_client.get(url))
    data["name"] = "Centre social\r\ndes Lilas"
    assert "Le nom tient sur une ligne" in admin_client.post(url, data).content.decode()
    keyword = Keyword.objects.get(label="Culture")
    url = admin_url(Keyword, "change", keyword.pk)
    data = change_form_data(admin_client.get(url))
    data["label"] = "Culture\npatrimoine"
    assert "Le libellé tient sur une ligne" in admin_client.post(url, data).content.decode()
    action.refresh_from_db()
    structure.refresh_from_db()
    keyword.refresh_from_db()
    assert (action.title, structure.name, keyword.label) == ("Potager collectif", "Centre social des Lilas", "Culture")
