"""Identity sheet edited on the web, and structures created by correspondents."""

import pytest
from django.urls import reverse

from maillage.audit.models import AuditAction, AuditEvent
from maillage.history.models import Revision
from maillage.referentials.models import Department, ManagementMode
from maillage.structures.editing import version_of
from maillage.structures.models import Structure

from .conftest import ROLES

VALID_SIRET = "78154320900014"  # Luhn-valid (from the directory fixture)


def edit_url(structure) -> str:
    return reverse("structure_admin:structure-edit", args=[structure.pk])


def form_data(structure, **changes) -> dict:
    """What the form posts when nothing is changed, plus `changes`."""
    data = {
        "version": version_of(structure),
        "kind": structure.kind,
        "name": structure.name,
        "department": structure.department_id or "",
        "street": structure.street,
        "postcode": structure.postcode,
        "commune": structure.commune,
        "email": structure.email,
        "website": structure.website,
        "siret": structure.siret,
        "first_approval": "",
        "population": "" if structure.population is None else structure.population,
        "history": structure.history,
        "other_federation": structure.other_federation,
        "management_mode": "",
        "territory_type": "",
        "territory_size": "",
        "priority_geography": "",
    }
    for key in structure.AXIS_FIELDS:
        data[key] = getattr(structure, key)
    for key in ("fcsf_member", "travellers", "multi_site", "itinerant"):
        data[key] = {True: "true", False: "false", None: "unknown"}[getattr(structure, key)]
    data.update(changes)
    return data


EDIT_ALLOWED = {"member_a", "admin_a", "correspondent", "national_admin"}


@pytest.mark.parametrize("role", ROLES)
def test_edit_page_by_role(world, role):
    structure = world.structure_a
    response = world.client(role).get(edit_url(structure))
    if role == "anonymous":
        assert response.status_code == 302 and "next=" in response["Location"]
    elif role in EDIT_ALLOWED:
        assert response.status_code == 200
        assert "contact@a.test" in response.content.decode()
    else:
        assert response.status_code == 403
        assert "contact@a.test" not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_edit_post_by_role(world, role):
    structure = world.structure_a
    response = world.client(role).post(edit_url(structure), form_data(structure, commune="Marseille 1er"))
    structure.refresh_from_db()
    if role in EDIT_ALLOWED:
        assert response.status_code == 302
        assert structure.commune == "Marseille 1er"
    else:
        assert response.status_code in (302, 403)
        assert structure.commune == ""


def test_unknown_structure_is_404(world):
    response = world.client("national_admin").get(reverse("structure_admin:structure-edit", args=[999999]))
    assert response.status_code == 404


def test_edit_is_versioned_and_logged(world):
    structure = world.structure_a
    user = world.users["member_a"]
    mode = ManagementMode.objects.get(label="Associatif")
    data = form_data(structure, name="Centre social A renommé", management_mode=mode.pk, fcsf_member="true")
    response = world.client("member_a").post(edit_url(structure), data)
    assert response.status_code == 302
    structure.refresh_from_db()
    assert (structure.name, structure.management_mode, structure.fcsf_member) == ("Centre social A renommé", mode, True)
    revision = Revision.objects.for_object(structure).get()
    assert revision.data["name"] == "Centre social A" and revision.changed_by == user
    event = AuditEvent.objects.get(action=AuditAction.STRUCTURE_EDITED)
    assert event.actor == user and event.object_id == str(structure.pk)
    assert {"name", "management_mode", "fcsf_member"} <= set(event.details["fields"])


def test_saving_without_change_keeps_no_version(world):
    structure = world.structure_a
    response = world.client("member_a").post(edit_url(structure), form_data(structure), follow=True)
    assert "Aucun changement" in response.content.decode()
    assert not Revision.objects.for_object(structure).exists()


@pytest.mark.parametrize(
    ("siret", "message"),
    [("1234", "14 chiffres"), ("781 543 209 00015", "clé de contrôle est fausse"), ("ABCDEFGHIJKLMN", "14 chiffres"),
     ("²" * 14, "14 chiffres"), ("٣" * 14, "14 chiffres")],
)  # fmt: skip
def test_bad_siret_refused_next_to_field(world, siret, message):
    structure = world.structure_a
    response = world.client("member_a").post(edit_url(structure), form_data(structure, siret=siret))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'id="id_siret-error"' in html and 'aria-describedby="id_siret-error' in html
    structure.refresh_from_db()
    assert structure.siret == ""


def test_siret_with_spaces_is_saved_normalised(world):
    structure = world.structure_a
    world.client("member_a").post(edit_url(structure), form_data(structure, siret="781 543 209 00014"))
    structure.refresh_from_db()
    assert structure.siret == VALID_SIRET and not structure.siret_flagged


@pytest.mark.parametrize(
    ("department", "postcode", "ok"),
    [
        ("13", "13005", True),
        ("13", "69001", False),
        ("13", "1300", False),
        ("2A", "20000", True),
        ("2B", "20090", True),
        ("2A", "13001", False),
        ("974", "97400", True),
        ("974", "97100", False),
        ("971", "97110", True),
    ],
)
def test_postcode_must_match_department(world, department, postcode, ok):
    structure = world.structure_a
    dept = Department.objects.get(code=department)
    data = form_data(structure, department=dept.pk, postcode=postcode)
    response = world.client("national_admin").post(edit_url(structure), data)
    structure.refresh_from_db()
    if ok:
        assert response.status_code == 302
        assert (structure.postcode, structure.department.code) == (postcode, department)
    else:
        assert response.status_code == 400
        assert "id_postcode-error" in response.content.decode()
        assert structure.postcode == "13001"


def test_postcode_of_digits_other_than_0_to_9_is_refused(world):
    structure = world.structure_a
    data = form_data(structure, department="", postcode="１３００５")
    response = world.client("national_admin").post(edit_url(structure), data)
    assert response.status_code == 400
    assert "Le code postal doit compter 5 chiffres" in response.content.decode()


@pytest.mark.parametrize("field", ["name", "street", "commune", "axis_1", "other_federation"])
def test_a_single_line_field_on_two_lines_is_refused_next_to_it(world, field):
    structure = world.structure_a
    response = world.client("member_a").post(edit_url(structure), form_data(structure, **{field: "Ligne\nsuivante"}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "tient sur une ligne : retirez-en les retours à la ligne." in html
    assert f'id="id_{field}-error"' in html
    structure.refresh_from_db()
    assert "\n" not in getattr(structure, field)


def test_postcode_error_names_department(world):
    structure = world.structure_a
    response = world.client("member_a").post(edit_url(structure), form_data(structure, postcode="69001"))
    assert "ne correspond pas au département Bouches-du-Rhône (13) : il doit commencer par 13" in (
        response.content.decode()
    )


def test_member_cannot_move_structure_to_another_department(world):
    structure = world.structure_a
    other = Department.objects.get(code="69")
    response = world.client("member_a").post(edit_url(structure), form_data(structure, department=other.pk))
    assert response.status_code == 302
    structure.refresh_from_db()
    assert structure.department.code == "13"


def test_correspondent_cannot_move_structure_outside_their_departments(world):
    structure = world.structure_a
    other = Department.objects.get(code="69")
    response = world.client("correspondent").post(edit_url(structure), form_data(structure, department=other.pk))
    assert response.status_code == 400
    assert "id_department-error" in response.content.decode()
    structure.refresh_from_db()
    assert structure.department.code == "13"


def test_concurrent_edit_is_refused(world):
    structure = world.structure_a
    first = form_data(structure, commune="Première")
    second = form_data(structure, commune="Seconde")  # opened at the same time: same version
    assert world.client("member_a").post(edit_url(structure), first).status_code == 302
    response = world.client("correspondent").post(edit_url(structure), second)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Quelqu&#x27;un d&#x27;autre a modifié cette structure" in html
    assert 'value="Seconde"' in html  # what the person typed is kept
    structure.refresh_from_db()
    assert structure.commune == "Première"
    assert Revision.objects.for_object(structure).count() == 1


def test_html_is_saved_and_shown_as_text(world):
    structure = world.structure_a
    payload = '<script>alert("x")</script><b>gras</b>'
    data = form_data(structure, history=payload, axis_1=payload, other_federation=payload)
    assert world.client("member_a").post(edit_url(structure), data).status_code == 302
    structure.refresh_from_db()
    assert structure.history == payload and structure.axis_1 == payload
    html = world.client("member_a").get(edit_url(structure)).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_booleans_offer_unknown(world):
    structure = world.structure_a
    structure.travellers = True
    structure.save()
    html = world.client("member_a").get(edit_url(structure)).content.decode()
    assert "Non renseigné" in html
    response = world.client("member_a").post(edit_url(structure), form_data(structure, travellers="unknown"))
    assert response.status_code == 302
    structure.refresh_from_db()
    assert structure.travellers is None


def test_csrf_is_enforced(world):
    structure = world.structure_a
    client = world.client("member_a", enforce_csrf_checks=True)
    response = client.post(edit_url(structure), form_data(structure, commune="Sans jeton"))
    assert response.status_code == 403
    structure.refresh_from_db()
    assert structure.commune == ""


# Creation

CREATE_URL = "/espace/structures/nouvelle/"


def creation_data(code: str, **changes) -> dict:
    data = {
        "name": "Espace de vie sociale Nouveau",
        "kind": "evs",
        "department": Department.objects.get(code=code).pk,
        "postcode": "",
        **dict.fromkeys(("fcsf_member", "travellers", "multi_site", "itinerant"), "unknown"),
    }
    data.update(changes)
    return data


def test_create_url():
    assert reverse("structure_admin:structure-create") == CREATE_URL


@pytest.mark.parametrize("role", ROLES)
def test_create_by_role(world, role):
    response = world.client(role).post(CREATE_URL, creation_data("13", postcode="13002"))
    created = Structure.objects.filter(name="Espace de vie sociale Nouveau").first()
    if role == "anonymous":
        assert response.status_code == 302 and "next=" in response["Location"]
    if role in {"correspondent", "national_admin"}:
        assert response.status_code == 302
        assert created is not None and created.department.code == "13" and created.kind == "evs"
        event = AuditEvent.objects.get(action=AuditAction.STRUCTURE_EDITED)
        assert event.details == {"created": True}
    elif role == "other_correspondent":
        assert response.status_code == 400  # 13 is not among the choices offered
        assert created is None
    else:
        assert created is None
        assert response.status_code in (302, 403)


def test_create_form_offers_only_own_departments(world):
    html = world.client("other_correspondent").get(CREATE_URL).content.decode()
    rhone = Department.objects.get(code="69")
    assert f'<option value="{rhone.pk}"' in html
    assert f'<option value="{Department.objects.get(code="13").pk}"' not in html
    all_html = world.client("national_admin").get(CREATE_URL).content.decode()
    assert all_html.count("<option value=") > 100


def test_create_requires_name_and_department(world):
    response = world.client("correspondent").post(CREATE_URL, creation_data("13", name="", department=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Indiquez le nom de la structure." in html
    assert "Choisissez le département de la structure." in html
