"""Correspondents' export of their departments' answers: `observatory.answer_export`, `observatory_check:export`."""

import csv
import datetime
import io
import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from maillage.audit.models import AuditAction, AuditEvent
from maillage.observatory.checks import answer_export
from maillage.observatory.checks.answer_export import IDENTITY
from maillage.observatory.models import Campaign, Response, ResponseStatus
from maillage.structures.models import Structure
from tests.factories import make_structure
from tests.logins import log_in

from .conftest import ROLES, questionnaire_for

pytestmark = pytest.mark.django_db
CHECKERS = {"correspondent", "other_correspondent", "national_admin"}
SUBMITTED_AT = datetime.datetime(2025, 4, 2, 8, 30, tzinfo=datetime.UTC)  # 10:30 in Paris
FORMULA = '=HYPERLINK("http://pirate.test";"clic")'
RICH = {
    "PUB_AGES": {"a0_6": {"nombre": 120}, "a75_plus": {"nombre": "15"}},
    "PART_PARTENAIRES": {"caf": {"partenariat": True, "role": "financement"}},
    "PRJ_AXES": ["jeunesse", "parentalite"],
    "PRJ_DATE_PREMIER_AGREMENT": "2012-09-01",
    "PRJ_PREOCCUPATION_TERRITOIRE": FORMULA,
    "FIN_RESULTAT": "-1500,50",
}


@pytest.fixture
def answered(world, campaign):
    """Structure A's 2025 response with a grid, a multiple choice, a date, a formula and a negative amount."""
    response = campaign[0]
    response.answers |= RICH
    response.submitted_at = SUBMITTED_AT
    response.save()
    return campaign


def export_url(fmt: str = "csv") -> str:
    return reverse("observatory_check:export", kwargs={"fmt": fmt})


def download(client, fmt: str = "csv", **params):
    page = client.get(export_url(fmt), params)
    assert page.status_code == 200, page.content
    return b"".join(page.streaming_content)


def read_csv(data: bytes) -> list[dict]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff") and "\r\n" in text
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";"))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]], rows[0]


def read_xlsx(data: bytes):
    book = load_workbook(io.BytesIO(data))
    answers = list(book["Réponses"].iter_rows(values_only=True))
    rows = [dict(zip(answers[0], row, strict=True)) for row in answers[1:]]
    questions = list(book["Questions"].iter_rows(values_only=True))
    return book, rows, questions


def by_name(rows: list[dict]) -> dict[str, dict]:
    return {row["Structure"]: row for row in rows}


# CSV and XLSX content


def test_csv_header_values_french_decimals_grids_and_formulas(client, world, answered):
    make_structure("@Centre piégé", "13")
    log_in(client, world.users["correspondent"])
    rows, header = read_csv(download(client))
    assert header[: len(IDENTITY)] == list(IDENTITY)
    codes = header[len(IDENTITY) :]
    assert codes.index("ID_MODE_GESTION") < codes.index("RH_ETP_TOTAL") < codes.index("TH25_FREINS")
    assert [c for c in codes if c.startswith("PUB_AGES.")][:2] == ["PUB_AGES.a0_6.nombre", "PUB_AGES.a7_10.nombre"]
    assert "PUB_AGES" not in codes and "PART_PARTENAIRES.caf.role" in codes
    assert [row["Structure"] for row in rows][-2:] == ["Centre social A", "Centre social B"]  # the dashboard's order
    assert "'@Centre piégé" in by_name(rows)
    a = by_name(rows)["Centre social A"]
    assert a["Identifiant"] == str(world.structure_a.pk)
    assert (a["Type"], a["Département"], a["État"]) == ("CSX", "13", "transmis")
    assert (a["Transmis le"], a["Validé le"]) == ("02/04/2025 10:30", "")
    assert (a["RH_ETP_TOTAL"], a["TH25_PERMANENCES_HEURES"]) == ("9,0", "12,5")
    assert (a["FIN_CHARGES_TOTAL"], a["FIN_PRODUITS_TOTAL"], a["FIN_RESULTAT"]) == ("380000", "382000", "-1500,50")
    assert (a["TH25_PERMANENCES_DROITS"], a["TH25_FRANCE_SERVICES"]) == ("Oui", "Non")
    assert a["PRJ_AXES"] == "parentalite | jeunesse"  # in the order of the options
    assert a["PRJ_DATE_PREMIER_AGREMENT"] == "01/09/2012"
    assert a["PRJ_PREOCCUPATION_TERRITOIRE"] == "'" + FORMULA
    assert (a["PUB_AGES.a0_6.nombre"], a["PUB_AGES.a7_10.nombre"], a["PUB_AGES.a75_plus.nombre"]) == ("120", "", "15")
    assert (a["PART_PARTENAIRES.caf.partenariat"], a["PART_PARTENAIRES.caf.role"]) == ("Oui", "financement")
    b = by_name(rows)["Centre social B"]
    assert b["État"] == "non commencé" and all(b[code] == "" for code in codes)


def test_xlsx_typed_cells_and_questions_sheet(client, world, answered):
    log_in(client, world.users["correspondent"])
    book, rows, questions = read_xlsx(download(client, "xlsx"))
    assert book.sheetnames == ["Réponses", "Questions"]
    assert book["Réponses"].freeze_panes == "C2"
    a = by_name(rows)["Centre social A"]
    assert a["Identifiant"] == world.structure_a.pk
    assert a["FIN_CHARGES_TOTAL"] == 380000 and isinstance(a["FIN_CHARGES_TOTAL"], int)
    assert (a["RH_ETP_TOTAL"], a["TH25_PERMANENCES_HEURES"], a["FIN_RESULTAT"]) == (9, 12.5, -1500.5)
    assert isinstance(a["FIN_PRODUITS_TOTAL"], int | float) and a["FIN_PRODUITS_TOTAL"] == 382000
    # Date cells (openpyxl reads them back as naive datetimes): French wall-clock time for the transmission.
    assert a["PRJ_DATE_PREMIER_AGREMENT"].isoformat() == "2012-09-01T00:00:00"
    assert a["Transmis le"].isoformat() == "2025-04-02T10:30:00"
    assert (a["PUB_AGES.a0_6.nombre"], a["PUB_AGES.a7_10.nombre"]) == (120, None)
    assert (a["TH25_PERMANENCES_DROITS"], a["PRJ_AXES"]) == ("Oui", "parentalite | jeunesse")
    assert a["PRJ_PREOCCUPATION_TERRITOIRE"] == "'" + FORMULA
    assert questions[0] == ("Code", "Section", "Question", "Type", "Unité", "Choix possibles", "Questionnaires")
    described = {row[0]: row for row in questions[1:]}
    assert [row[0] for row in questions[1:]] == list(rows[0])[len(IDENTITY) :]
    code, section, label, kind, unit, _, kinds = described["PUB_AGES.a0_6.nombre"]
    assert (section, kind, unit, kinds) == ("Actions et publics", "nombre entier", "personnes", "CSX")
    assert label == "Participants uniques par tranche d'âge — 0-6 ans — Participants"
    assert "financement : " in described["PART_PARTENAIRES.caf.role"][5]


def test_csx_and_evs_questionnaires_give_one_table_csx_codes_first(client, world, answered):
    questionnaire = questionnaire_for(2025, "evs")
    evs = make_structure("Espace Z", "13", kind="evs")
    Response.objects.create(
        questionnaire=questionnaire, structure=evs, status=ResponseStatus.SUBMITTED,
        answers={"EVS_PORTEUR": True, "PUB_AGES": {"a0_6": {"nombre": 7}},
                 "ACT_PERSONNES_PAR_FAMILLE": {"enfance": {"nombre": 3}}},  # not asked of an EVS: left out
    )  # fmt: skip
    log_in(client, world.users["correspondent"])
    rows, header = read_csv(download(client))
    assert header.index("TH25_FREINS") < header.index("EVS_PORTEUR") == len(header) - 1
    z, a = by_name(rows)["Espace Z"], by_name(rows)["Centre social A"]
    assert (z["Type"], z["EVS_PORTEUR"], z["PUB_AGES.a0_6.nombre"]) == ("EVS", "Oui", "7")
    assert z["ACT_PERSONNES_PAR_FAMILLE.enfance.nombre"] == "" and a["EVS_PORTEUR"] == ""
    _, _, questions = read_xlsx(download(client, "xlsx"))
    kinds = {row[0]: row[6] for row in questions[1:]}
    assert (kinds["PUB_AGES.a0_6.nombre"], kinds["EVS_PORTEUR"], kinds["ACT_PERSONNES_PAR_FAMILLE.enfance.nombre"]) == (
        "CSX, EVS", "EVS", "CSX",
    )  # fmt: skip


def test_unreadable_answers_are_given_as_typed(client, world, answered):
    response = answered[0]
    response.answers |= {"RH_SALARIES": "une vingtaine", "PUB_AGES": {"a0_6": {"nombre": "beaucoup"}}}
    response.save()
    log_in(client, world.users["correspondent"])
    a = by_name(read_csv(download(client))[0])["Centre social A"]
    assert (a["RH_SALARIES"], a["PUB_AGES.a0_6.nombre"]) == ("une vingtaine", "beaucoup")


# Who sees what


@pytest.mark.parametrize("role", ROLES)
def test_export_permissions(client, world, campaign, role):
    if role != "anonymous":
        log_in(client, world.users[role])
    page = client.get(export_url())
    if role == "anonymous":
        assert page.status_code == 302 and "/connexion/" in page["Location"]
    elif role in CHECKERS:
        assert page.status_code == 200 and page["Content-Type"] == "text/csv; charset=utf-8"
    else:
        assert page.status_code == 403
    assert not page.streaming or b"".join(page.streaming_content)


def test_each_person_gets_their_departments(client, world, campaign):
    rhone = make_structure("Centre du Rhône", "69")
    Response.objects.create(questionnaire=campaign[0].questionnaire, structure=rhone, answers={"RH_SALARIES": 4},
                            status=ResponseStatus.VALIDATED)  # fmt: skip
    everyone = set(Structure.objects.values_list("name", flat=True))
    in_13 = set(Structure.objects.filter(department__code="13").values_list("name", flat=True))
    in_69 = set(Structure.objects.filter(department__code="69").values_list("name", flat=True))
    assert {"Centre social A", "Centre social B", "Centre social 9"} <= in_13 and "Centre du Rhône" in in_69
    for role, expected in (("correspondent", in_13), ("national_admin", everyone), ("other_correspondent", in_69)):
        client.logout()
        log_in(client, world.users[role])
        rows, _ = read_csv(download(client))
        assert {row["Structure"] for row in rows} == expected, role
    assert by_name(rows)["Centre du Rhône"]["RH_SALARIES"] == "4"
    client.logout()
    log_in(client, world.users["correspondent"])
    page = client.get(export_url(), {"departement": "69"})
    assert page.status_code == 400
    assert "Département : Ce département n'est pas dans votre périmètre." in page.content.decode()


def test_filters_of_the_dashboard(client, world, answered):
    log_in(client, world.users["national_admin"])
    rows, _ = read_csv(download(client, etat="validated", departement="13"))
    assert sorted(row["Structure"] for row in rows) == [f"Centre social {n}" for n in range(1, 10)]
    rows, _ = read_csv(download(client, etat="not_started", departement="13"))
    assert [row["Structure"] for row in rows] == ["Centre social B"]
    rows, _ = read_csv(download(client, annee="2024", page="3"))  # the dashboard's page is ignored
    a = by_name(rows)["Centre social A"]
    assert (a["État"], a["FIN_CHARGES_TOTAL"], a["PRJ_AXES"]) == ("validé", str(round(380_000 * 0.96)), "")
    rows, _ = read_csv(download(client, departement="2A"))
    assert rows == []


def test_bad_format_and_bad_filters_are_explained_in_french(client, world, campaign):
    log_in(client, world.users["correspondent"])
    page = client.get(export_url("pdf"))
    assert page.status_code == 400 and page["Content-Type"] == "text/plain; charset=utf-8"
    assert "Export impossible. Format « pdf » inconnu : choisissez csv ou xlsx." in page.content.decode()
    for params, message in (
        ({"etat": "nope"}, "État : Choisissez un état de la liste."),
        ({"annee": "1999"}, "Campagne (année observée) : Choisissez une campagne de la liste."),
        ({"annee": "deux mille"}, "Choisissez une campagne de la liste."),
        ({"departement": "zz"}, "Ce département n'est pas dans votre périmètre."),
    ):
        page = client.get(export_url("xlsx"), params)
        assert page.status_code == 400, params
        assert message in page.content.decode(), params
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT_PERSONAL_DATA).exists()


def test_no_campaign_is_not_found(client, world):
    log_in(client, world.users["national_admin"])
    assert client.get(export_url()).status_code == 404


def test_file_name_head_and_audit_event(client, world, campaign):
    log_in(client, world.users["correspondent"])
    head = client.head(export_url("xlsx"), {"departement": "13"})
    assert head.status_code == 200
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT_PERSONAL_DATA).exists()
    page = client.get(export_url("xlsx"), {"departement": "13", "etat": "validated"})
    name = 'attachment; filename="observatoire-reponses-enquete-2026-donnees-2025-13-'
    assert page["Content-Disposition"].startswith(name)
    assert page["Content-Disposition"].endswith('.xlsx"')
    b"".join(page.streaming_content)
    event = AuditEvent.objects.get(action=AuditAction.EXPORT_PERSONAL_DATA)
    assert event.actor == world.users["correspondent"]
    assert event.object_id == str(Campaign.objects.get(year=2025).pk)
    assert event.details == {"export": "observatory_answers", "format": "xlsx", "department": "13",
                             "status": "validated", "structures": 9}  # fmt: skip


def test_dashboard_links_keep_the_filters_applied(client, world, campaign):
    log_in(client, world.users["correspondent"])
    body = client.get(reverse("observatory_check:dashboard"), {"etat": "validated", "departement": "13"}).content
    assert escape(export_url("csv") + "?annee=2025&etat=validated&departement=13") in body.decode()
    assert escape(export_url("xlsx") + "?annee=2025&etat=validated&departement=13") in body.decode()
    body = client.get(reverse("observatory_check:dashboard"), {"etat": "nope"}).content.decode()
    assert escape(export_url("csv") + "?annee=2025") + '"' in body  # the invalid filter was not applied


# Queries


def test_reading_runs_a_fixed_number_of_queries(world, campaign, django_assert_num_queries):
    national, year = world.users["national_admin"], Campaign.objects.get(year=2025)
    with django_assert_num_queries(2):  # questionnaires, ordered ids
        export = answer_export.prepare(national, year)
    count = Structure.objects.count()
    assert len(export.structure_ids) == count >= 11
    with django_assert_num_queries(math.ceil(count / 4)):  # one per batch
        assert len(list(answer_export.rows(export, batch_size=4))) == count


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_queries_do_not_grow_with_responses(client, world, campaign, fmt):
    log_in(client, world.users["correspondent"])
    download(client, fmt)  # caches (questionnaire definitions, sessions) warmed

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            download(client, fmt)
        return len(captured)

    before = queries()
    questionnaire = campaign[0].questionnaire
    for n in range(40):
        structure = make_structure(f"Centre supplémentaire {n}", "13")
        Response.objects.create(questionnaire=questionnaire, structure=structure, answers=dict(campaign[1].answers),
                                status=ResponseStatus.VALIDATED)  # fmt: skip
    assert queries() == before <= 12
