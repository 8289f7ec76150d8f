"""Import of past campaigns' answers (`observatory.past_import`): reading, checks by line and column, storing."""

import datetime
import zipfile

import pytest

from maillage.audit.models import AuditAction, AuditEvent
from maillage.exchange.reading import ImportFileError
from maillage.observatory.answers import past_import
from maillage.observatory.answers.past_import import IMPORT_PREFIX, PastImportError, import_past_answers
from maillage.observatory.answers.past_table import describe_file_error
from maillage.observatory.checks.corrections import REPLAY_PREFIX
from maillage.observatory.models import (
    Aggregate,
    AnswerCorrection,
    Flag,
    FlagStatus,
    Response,
    ResponseEvent,
    ResponseStatus,
)
from tests.exchange.test_workbook_formulas import formula_workbook
from tests.factories import make_structure

from .conftest import HEADER, SIRET_B, YEAR, csv_bytes, write, xlsx_bytes

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def run(tmp_path, rows, *, name="reponses.csv", content=None, **options):
    path = write(tmp_path, content if content is not None else csv_bytes(rows), name)
    options.setdefault("year", YEAR)
    return import_past_answers(path, **options)


def messages(report) -> list[str]:
    return [str(issue) for issue in report.errors]


def national_figure(code: str = "REPONSES") -> int:
    return Aggregate.objects.get(year=YEAR, scope="nation", scope_code="", group="all", code=code).structure_count


# --- A clean file -------------------------------------------------------------------------------------------


def test_dry_run_reports_and_changes_nothing(past, tmp_path):
    report = run(tmp_path, past.rows(), dry_run=True)
    assert report.ok, messages(report)
    assert (report.rows, report.to_create, report.to_replace) == (3, 3, 0)
    assert report.summary().startswith(
        "[essai, rien n'est enregistré] reponses.csv (Enquête 2024 — données 2023) : 3 lignes lues"
    )
    assert not Response.objects.exists()
    assert not ResponseEvent.objects.exists()
    assert not Aggregate.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT).exists()


def test_real_run_creates_validated_responses_read_as_the_form_reads(past, tmp_path, world):
    admin = world.users["national_admin"]
    report = run(tmp_path, past.rows(), acting_user=admin)
    assert report.ok, messages(report)
    assert (report.to_create, report.to_replace) == (3, 0)
    a = Response.objects.get(structure=past.a)
    assert a.questionnaire == past.csx and a.status == ResponseStatus.VALIDATED
    assert a.validated_by == admin and a.validated_at is not None
    assert a.answers == {
        "PUB_PARTICIPANTS_UNIQUES": 800,
        "PUB_PASSAGES_CUMULES": 12500,
        "PUB_AGES": {"a0_6": {"nombre": 300}, "a26_59": {"nombre": 500}},
        "RH_SALARIES": 20,
        "RH_ETP_TOTAL": "12.5",
        "FIN_CHARGES_TOTAL": 450000,
        "FIN_PRODUITS_TOTAL": "452000.5",
        "FIN_RESULTAT": "2000.5",
        "TH25_PERMANENCES_DROITS": True,
        "TH25_PERMANENCES_HEURES": "12.5",
        "TH25_ORGANISMES": ["caf", "france_travail"],
    }
    b = Response.objects.get(structure=past.b)  # found by its SIRET, typed with spaces
    assert b.answers["TH25_PERMANENCES_DROITS"] is False and "FIN_RESULTAT" not in b.answers
    evs = Response.objects.get(structure=past.evs_structure)
    assert evs.questionnaire == past.evs and evs.answers["RH_ETP_TOTAL"] == "2.5"
    event = ResponseEvent.objects.get(response=a)
    assert (event.source, event.target, event.acting_user) == ("not_started", "validated", admin)
    assert event.comment == f"{IMPORT_PREFIX}reponses.csv, ligne 2"
    audit = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert audit.actor == admin
    assert (audit.details["filename"], audit.details["year"]) == ("reponses.csv", YEAR)
    assert (audit.details["kind"], audit.details["created"], audit.details["replaced"]) == ("observatory_answers", 3, 0)
    assert not AuditEvent.objects.filter(action=AuditAction.QUESTIONNAIRE_STATUS).exists()  # one entry per file
    assert report.aggregates and national_figure() == 3
    assert "3 réponses créées, 0 remplacée" in report.summary()


def test_xlsx_with_number_and_date_cells(past, tmp_path):
    rows = past.rows()
    rows[0] += ["PRJ_DATE_PREMIER_AGREMENT"]
    rows[1] = [past.a.pk, None, "Centre social A", 20, 12.5, 450000, 452000.5, 2000.5, 800, 12500, 300, 500, True,
               12.5, "caf", datetime.datetime(2010, 3, 1)]  # noqa: DTZ001 (a date cell)  # fmt: skip
    rows[2][1] = int(SIRET_B)  # a SIRET typed as a number
    rows[3] += [""]
    report = run(tmp_path, None, name="reponses.xlsx", content=xlsx_bytes(rows))
    assert report.ok, messages(report)
    a = Response.objects.get(structure=past.a).answers
    assert (a["RH_SALARIES"], a["RH_ETP_TOTAL"], a["FIN_PRODUITS_TOTAL"]) == (20, "12.5", "452000.5")
    assert a["PRJ_DATE_PREMIER_AGREMENT"] == "2010-03-01" and a["TH25_PERMANENCES_DROITS"] is True
    assert Response.objects.filter(status=ResponseStatus.VALIDATED).count() == 3


def test_comma_separated_csv_without_bom_and_the_answers_export_header(past, tmp_path):
    """The identity columns of the answers export are not read: an exported table imports back as it is."""
    rows = [["Identifiant", "Structure", "SIRET", "Type", "Département", "Commune", "État", "Transmis le",
             "Validé le", "RH_SALARIES", "FIN_CHARGES_TOTAL"],
            [past.a.pk, "Centre social A", "", "CSX", "13", "Marseille", "validé", "", "", "20", "450000"]]  # fmt: skip
    report = run(tmp_path, None, content=csv_bytes(rows, delimiter=",", bom=False))
    assert report.ok, messages(report)
    assert Response.objects.get(structure=past.a).answers == {"RH_SALARIES": 20, "FIN_CHARGES_TOTAL": 450000}


def test_amounts_with_three_decimals_written_keep_their_value(past, tmp_path):
    """ "1,250" € is 1.25 €: stored as "1.25", not "1.250" (which an amount reads back as 1250)."""
    rows = [["id", "FIN_RESULTAT"], [past.a.pk, "1,250"]]
    assert run(tmp_path, rows).ok
    assert Response.objects.get(structure=past.a).answers == {"FIN_RESULTAT": "1.25"}


def test_empty_cells_and_blank_lines_are_no_answer(past, tmp_path):
    rows = [["id", "RH_SALARIES", "RH_ETP_TOTAL"], [past.a.pk, "", "  "], ["", "", ""], [past.b.pk, "4", ""]]
    report = run(tmp_path, rows)
    assert report.ok and report.rows == 2
    assert Response.objects.get(structure=past.a).answers == {}
    assert Response.objects.get(structure=past.b).answers == {"RH_SALARIES": 4}


# --- Warnings do not block ----------------------------------------------------------------------------------


def test_warnings_are_listed_and_do_not_block(past, tmp_path):
    rows = [["id", "RH_SALARIES", "TH25_PERMANENCES_DROITS", "TH25_PERMANENCES_HEURES"], [past.a.pk, "200", "non", "6"]]
    report = run(tmp_path, rows)
    assert report.ok
    warnings = [str(w) for w in report.warnings]
    assert any(w.startswith("ligne 2, colonne RH_SALARIES : ") and "paraît élevé" in w for w in warnings)
    assert (
        "ligne 2, colonne TH25_PERMANENCES_HEURES : réponse non enregistrée : la question n'est posée que si "
        "« Accueillez-vous des permanences d'accès aux droits ? » vaut oui" in warnings
    )
    assert any(w.startswith("ligne 2 : questions obligatoires sans réponse : ") for w in warnings)
    answers = Response.objects.get(structure=past.a).answers
    assert answers == {"RH_SALARIES": 200, "TH25_PERMANENCES_DROITS": False}


# --- Errors name the line and the column; one error and nothing is stored -------------------------------------


@pytest.mark.parametrize(
    ("header", "cells", "expected"),
    [
        (["FOO"], ["1"], "ligne 1, colonne FOO : colonne inconnue : ni id, ni siret, ni un code de question "
         "du questionnaire "
         "Enquête 2024 — données 2023"),
        (["RH_SALARIES"], ["douze"], "ligne 2, colonne RH_SALARIES : nombre attendu, pas « douze »"),
        (["RH_SALARIES"], ["12,5"], "ligne 2, colonne RH_SALARIES : nombre entier attendu, pas « 12,5 »"),
        (["TH25_PERMANENCES_DROITS"], ["peut-être"], "colonne TH25_PERMANENCES_DROITS : répondre par oui ou non"),
        (["TH25_ORGANISMES"], ["caf | mairie"], "colonne TH25_ORGANISMES : « mairie » ne fait pas partie des choix"),
        (["PUB_AGES.a0_6.nombre"], ["beaucoup"], "ligne 2, colonne PUB_AGES.a0_6.nombre : nombre attendu"),
        (["PRJ_DATE_PREMIER_AGREMENT"], ["2010"], "colonne PRJ_DATE_PREMIER_AGREMENT : date attendue au format"),
        (["RH_SALARIES"], ["5000"],
         "ligne 2, colonne RH_SALARIES : « Nombre de salariés » : 5 000 dépasse le maximum possible"),
        (["PUB_AGES"], ["12"], "ligne 1, colonne PUB_AGES : question en tableau : une colonne par case"),
        (["PUB_PARTICIPANTS_UNIQUES", "PUB_PASSAGES_CUMULES"], ["900", "100"],
         "ligne 2, colonnes PUB_PARTICIPANTS_UNIQUES, PUB_PASSAGES_CUMULES : Les participants uniques ne peuvent pas "
         "dépasser la fréquentation cumulée"),
        (["RH_SALARIES", "rh_salaries"], ["1", "2"], "ligne 1, colonne rh_salaries : colonne en double"),
    ],
)  # fmt: skip
def test_each_error_names_line_and_column(past, tmp_path, header, cells, expected):
    report = run(tmp_path, [["id", *header], [past.a.pk, *cells]])
    assert not report.ok
    assert any(expected in message for message in messages(report)), messages(report)
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (["999999", ""], "ligne 2, colonne id : aucune structure n'a l'identifiant 999999"),
        (["douze", ""], "ligne 2, colonne id : identifiant de structure illisible « douze »"),
        (["²", ""], "ligne 2, colonne id : identifiant de structure illisible « ² »"),
        (["", "12345678901234"], "ligne 2, colonne siret : aucune structure n'a le numéro SIRET 12345678901234"),
        (["", ""], "ligne 2, colonnes id, siret : structure non identifiée : cellule vide"),
        (
            ["{a}", SIRET_B],
            "ligne 2, colonnes id, siret : l'identifiant {a} est celui de « Centre social A », le SIRET",
        ),
    ],
)
def test_unknown_structures_name_the_line(past, tmp_path, row, expected):
    row = [cell.format(a=past.a.pk) for cell in row]
    report = run(tmp_path, [["id", "siret", "RH_SALARIES"], [*row, "3"]])
    assert expected.format(a=past.a.pk) in "\n".join(messages(report))
    assert not Response.objects.exists()


def test_siret_shared_by_two_structures_asks_for_the_id(past, tmp_path):
    make_structure("Autre centre", "13", siret=SIRET_B)
    report = run(tmp_path, [["siret", "RH_SALARIES"], [SIRET_B, "3"]])
    assert messages(report) == [
        f"ligne 2, colonne siret : 2 structures ont le numéro SIRET {SIRET_B} : identifiez-la par la colonne id"
    ]


def test_question_not_asked_to_the_structure_kind(past, tmp_path):
    rows = [["id", "PUB_PASSAGES_CUMULES"], [past.evs_structure.pk, "12"]]
    report = run(tmp_path, rows)
    assert messages(report) == [
        "ligne 2, colonne PUB_PASSAGES_CUMULES : question absente du questionnaire Enquête 2024 — données 2023 "
        "des structures de type "
        "« espace de vie sociale » (« Espace de vie sociale C »)"
    ]


def test_structure_without_questionnaire_or_kind(past, tmp_path):
    nameless_kind = make_structure("Structure sans type", "13", kind="")
    report = run(tmp_path, [["id", "RH_SALARIES"], [nameless_kind.pk, "3"]])
    assert "n'a pas de type (centre social ou EVS) : complétez sa fiche" in messages(report)[0]
    past.evs.delete()
    report = run(tmp_path, [["id", "RH_SALARIES"], [past.evs_structure.pk, "3"]])
    assert messages(report) == [
        "ligne 2, colonne id : la campagne Enquête 2024 — données 2023 n'a pas de questionnaire pour les structures "
        "de type "
        "« espace de vie sociale »"
    ]


def test_duplicated_structure_rows(past, tmp_path):
    rows = [["id", "siret", "RH_SALARIES"], [past.b.pk, "", "3"], [past.a.pk, "", "4"], ["", SIRET_B, "5"]]
    report = run(tmp_path, rows)
    assert messages(report) == ["ligne 4, colonne id : la structure « Centre social B » est déjà à la ligne 2"]
    assert not Response.objects.exists()


def test_value_under_a_column_without_name(past, tmp_path):
    report = run(tmp_path, [["id", "", "RH_SALARIES"], [past.a.pk, "oublié", "3"]])
    assert messages(report) == ["ligne 2, colonne n° 2 : valeur dans une colonne sans nom : elle ne serait pas lue"]


def test_errors_listed_by_line_then_column_with_counts(past, tmp_path):
    rows = [["id", "RH_SALARIES", "RH_ETP_TOTAL"], [past.a.pk, "x", "y"], ["424242", "1", "1"], [past.b.pk, "2", "1"]]
    report = run(tmp_path, rows, dry_run=True)
    assert [(i.line, i.column) for i in report.errors] == [(2, "RH_SALARIES"), (2, "RH_ETP_TOTAL"), (3, "id")]
    assert (report.rows, report.error_lines, report.to_create) == (3, 2, 1)
    assert "3 erreurs sur 2 lignes" in report.summary()


# --- Atomicity -------------------------------------------------------------------------------------------------


def test_one_bad_row_and_nothing_is_stored_previous_answers_intact(past, tmp_path):
    run(tmp_path, [["id", "RH_SALARIES"], [past.b.pk, "7"]])
    before = Response.objects.get(structure=past.b)
    rows = past.rows()
    rows[2][3] = "9"  # B would be replaced…
    rows[3][3] = "trois"  # …but the EVS row is wrong
    report = run(tmp_path, rows)
    assert messages(report) == ["ligne 4, colonne RH_SALARIES : nombre attendu, pas « trois »"]
    assert report.summary().startswith("[refusé, rien n'est enregistré]")
    assert list(Response.objects.all()) == [before]
    assert Response.objects.get(structure=past.b).answers == {"RH_SALARIES": 7}
    assert ResponseEvent.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT).count() == 1
    assert national_figure() == 1


def test_failure_while_writing_rolls_everything_back(past, tmp_path, monkeypatch):
    def broken(year):
        raise RuntimeError("panne")

    monkeypatch.setattr(past_import, "refresh_year", broken)
    with pytest.raises(RuntimeError):
        run(tmp_path, past.rows())
    assert not Response.objects.exists()
    assert not ResponseEvent.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT).exists()


# --- Responses already there -------------------------------------------------------------------------------------


def site_response(past, structure, status=ResponseStatus.SUBMITTED, answers=None):
    return Response.objects.create(questionnaire=past.csx, structure=structure, status=status,
                                   answers=answers if answers is not None else {"RH_SALARIES": 40})  # fmt: skip


def test_answers_given_on_the_site_are_replaced_only_when_asked(past, tmp_path, world):
    response = site_response(past, past.a)
    flag = Flag.objects.create(response=response, kind="jump", codes=["RH_SALARIES"], explanation="Saut")
    rows = [["id", "RH_SALARIES"], [past.a.pk, "20"], [past.b.pk, "10"]]
    report = run(tmp_path, rows)
    assert messages(report) == [
        "ligne 2, colonne id : « Centre social A » a déjà des réponses pour Enquête 2024 — données 2023 "
        "saisies sur le site "
        "(état : transmis) : "
        "elles ne sont remplacées que si vous le demandez (option --replace, ou case « Remplacer » du formulaire)"
    ]
    response.refresh_from_db()
    assert response.answers == {"RH_SALARIES": 40} and response.status == ResponseStatus.SUBMITTED
    assert not Response.objects.filter(structure=past.b).exists()

    report = run(tmp_path, rows, replace=True, acting_user=world.users["national_admin"])
    assert report.ok and (report.to_create, report.to_replace) == (1, 1)
    response.refresh_from_db()
    assert response.answers == {"RH_SALARIES": 20} and response.status == ResponseStatus.VALIDATED
    event = response.events.get()
    assert (event.source, event.target) == ("submitted", "validated")
    flag.refresh_from_db()
    assert flag.status == FlagStatus.RESOLVED


def test_empty_response_is_filled_without_asking(past, tmp_path):
    site_response(past, past.a, status=ResponseStatus.NOT_STARTED, answers={})
    report = run(tmp_path, [["id", "RH_SALARIES"], [past.a.pk, "20"]])
    assert report.ok and report.to_replace == 1
    assert Response.objects.get(structure=past.a).answers == {"RH_SALARIES": 20}


def test_an_import_is_replaced_by_a_new_import_until_a_correspondent_corrects_it(past, tmp_path, world):
    assert run(tmp_path, [["id", "RH_SALARIES"], [past.a.pk, "200"]]).ok
    report = run(tmp_path, [["id", "RH_SALARIES"], [past.a.pk, "150"]])
    assert report.ok and report.to_replace == 1
    response = Response.objects.get(structure=past.a)
    assert response.answers == {"RH_SALARIES": 150} and response.events.count() == 2
    AnswerCorrection.objects.create(response=response, code="RH_SALARIES", old_value=150, new_value=15,
                                    reason="Faute de frappe", acting_user=world.users["correspondent"])  # fmt: skip
    report = run(tmp_path, [["id", "RH_SALARIES"], [past.a.pk, "150"]])
    assert (
        "a déjà des réponses pour Enquête 2024 — données 2023 saisies sur le site (état : validé)"
        in messages(report)[0]
    )
    # Replaced when asked: the correspondent's cleaning rule applies again to the same wrong figure.
    assert run(tmp_path, [["id", "RH_SALARIES"], [past.a.pk, "150"]], replace=True).ok
    response.refresh_from_db()
    assert response.answers == {"RH_SALARIES": 15}
    assert response.corrections.filter(reason__startswith=REPLAY_PREFIX).count() == 1
    # The replay is part of the import: importing again needs no --replace.
    assert run(tmp_path, [["id", "RH_SALARIES"], [past.a.pk, "150"]]).ok


# --- Files that cannot be read ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        ("id;RH_SALARIES\r\n1;Été\r\n".encode("latin-1"), "latin1.csv", "latin1.csv, ligne 2 : le fichier n'est pas "
                                                                        "encodé en UTF-8"),
        (b"", "vide.csv", "vide.csv : le fichier est vide"),
        (PNG, "image.csv", "image.csv, ligne 2 : données binaires : ce n'est pas un fichier texte"),
        (b"PK\x03\x04pas un zip", "faux.xlsx", "faux.xlsx : ce n'est pas un classeur XLSX lisible"),
        (b"id;RH_SALARIES\r\n", "entete.csv", "entete.csv, ligne 1 : aucune ligne de réponses sous la ligne des "
                                              "colonnes"),
        (b"nom;RH_SALARIES\r\nA;3\r\n", "sans_id.csv", "sans_id.csv, ligne 1 : colonne « id » ou « siret » absente"),
    ],
    ids=["latin-1", "empty", "png", "not-a-zip", "header-only", "no-identifier"],
)  # fmt: skip
def test_unreadable_files_get_a_french_message_naming_the_file(past, tmp_path, content, name, expected):
    with pytest.raises(ImportFileError) as raised:
        run(tmp_path, None, name=name, content=content)
    assert describe_file_error(raised.value).startswith(expected)
    assert not Response.objects.exists()


def test_zip_that_is_not_a_workbook(past, tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "rien")
    with pytest.raises(ImportFileError) as raised:
        import_past_answers(path, year=YEAR)
    assert "archive.xlsx : ce n'est pas un classeur XLSX lisible" in describe_file_error(raised.value)


def test_campaign_without_questionnaire_or_missing(past, tmp_path):
    with pytest.raises(PastImportError, match="Il n'y a pas de campagne Enquête 2000 — données 1999"):
        run(tmp_path, [HEADER], year=1999)
    past.csx.delete()
    past.evs.delete()
    with pytest.raises(
        PastImportError, match="La campagne Enquête 2024 — données 2023 n'a pas de questionnaire chargé"
    ):
        run(tmp_path, [HEADER])


# --- The questionnaire's rules on every path ---------------------------------------------------------------------

STAFF = ["id", "RH_SALARIES", "RH_ETP_TOTAL", "RH_ETP_PILOTAGE", "RH_ETP_ACTIVITES", "RH_ETP_LOGISTIQUE"]


def test_replayed_cleaning_rule_that_would_break_a_blocking_rule_is_an_error(past, tmp_path, world):
    """A correspondent corrected the total ETP (600 → 60) after a first import; the file comes back with 600 and
    other ETP by function: the replayed rule would store answers no questionnaire may be validated with."""
    assert run(tmp_path, [STAFF, [past.a.pk, "700", "600", "100", "400", "100"]]).ok
    response = Response.objects.get(structure=past.a)
    AnswerCorrection.objects.create(response=response, code="RH_ETP_TOTAL", old_value=600, new_value=60,
                                    reason="Faute de frappe", acting_user=world.users["correspondent"])  # fmt: skip
    report = run(tmp_path, [STAFF, [past.a.pk, "700", "600", "150", "300", "150"]], replace=True)
    [error] = messages(report)
    assert error.startswith(
        "ligne 2, colonnes RH_ETP_TOTAL, RH_ETP_PILOTAGE, RH_ETP_ACTIVITES, RH_ETP_LOGISTIQUE : Les ETP par fonction "
        "doivent totaliser le nombre total d'ETP"
    )
    assert error.endswith(
        "une fois rejouée la règle de nettoyage d'un correspondant sur RH_ETP_TOTAL : corrigez aussi ces réponses "
        "dans le fichier"
    )
    response.refresh_from_db()
    assert (response.answers["RH_ETP_TOTAL"], response.answers["RH_ETP_ACTIVITES"]) == (600, 400)  # nothing stored


def test_condition_of_a_hidden_answer_is_described_in_french(past, tmp_path):
    report = run(tmp_path, [["id", "RH_SALARIES", "RH_ETP_PILOTAGE"], [past.a.pk, "0", "3"]])
    assert report.ok
    warnings = [str(w) for w in report.warnings]
    assert (
        "ligne 2, colonne RH_ETP_PILOTAGE : réponse non enregistrée : la question n'est posée que si "
        "« Nombre de salariés » est supérieur à 0" in warnings
    )
    assert not any("Decimal" in w for w in warnings)


def test_xlsx_formula_cells_use_their_computed_value_and_one_without_it_is_an_error(past, tmp_path):
    rows = [STAFF, [past.a.pk, "=10*2", "=B2*0.45", 3, 4, 2]]
    report = run(tmp_path, None, name="reponses.xlsx", content=formula_workbook(rows, {"B2": 20, "C2": 9}))
    assert report.ok and not [w for w in report.warnings if "non enregistrée" in w.message]
    answers = Response.objects.get(structure=past.a).answers
    assert [answers[code] for code in STAFF[1:]] == [20, 9, 3, 4, 2]
    # Saved by a program, never computed: the cell is not read as empty (which would drop the ETP by function).
    with pytest.raises(ImportFileError) as raised:
        run(tmp_path, None, name="reponses.xlsx", content=formula_workbook(rows, {"C2": 9}), replace=True)
    assert describe_file_error(raised.value).startswith(
        "reponses.xlsx, ligne 2 : la cellule B2 contient une formule (=10*2) enregistrée sans sa valeur"
    )
    assert Response.objects.get(structure=past.a).answers["RH_SALARIES"] == 20
