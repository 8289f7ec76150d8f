"""The shipped questionnaires load, have the expected sizes and contents, and the check command reports them."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from maillage.observatory.definitions.builder import QUESTIONNAIRES_DIR, shipped_definition
from maillage.observatory.definitions.questionnaire import NUMERIC_TYPES
from maillage.observatory.definitions.validation import validate


@pytest.fixture(scope="module")
def csx():
    return shipped_definition("csx_2025.yaml")


@pytest.fixture(scope="module")
def evs():
    return shipped_definition("evs_2025.yaml")


def test_core_csx_questionnaire(csx):
    core = [q for q in csx.questions if q.section != "THEME_2025"]
    assert 90 <= len(core) <= 110
    assert [s.code for s in csx.sections] == [
        "PROJET", "ACTIONS", "PARTICIPATION", "PARTENARIATS", "RH", "FINANCES", "THEME_2025",
    ]  # fmt: skip
    assert all(q.help for q in csx.questions)
    assert {"integer", "decimal", "money", "boolean", "single_choice", "multiple_choice", "short_text",
            "long_text", "date", "grid"} <= {q.type for q in csx.questions}  # fmt: skip
    ages = csx.question("PUB_AGES")
    assert [r.label for r in ages.rows] == [
        "0-6 ans", "7-10 ans", "11-14 ans", "15-17 ans", "18-25 ans", "26-59 ans", "60-74 ans", "75 ans et plus",
    ]  # fmt: skip
    funders = [r.code for r in csx.question("FIN_PRODUITS_FINANCEURS").rows]
    assert {"caf_ps", "communes", "departement", "etat", "region", "usagers", "autres"} <= set(funders)
    assert {"R_ETP_FONCTIONS", "R_PARTICIPANTS_PASSAGES", "R_AGES", "R_PRODUITS_FINANCEURS"} <= {
        r.code for r in csx.rules
    }
    assert "EVS_PORTEUR" not in csx


def test_evs_variant_is_lighter(evs, csx):
    assert 40 <= len(evs) <= 60 and evs.kind == "evs"
    assert "EVS_PORTEUR" in evs and "RH_ETP_PILOTAGE" not in evs and "PUB_FEMMES" not in evs
    assert "R_ETP_FONCTIONS" not in {r.code for r in evs.rules}  # lost its parts
    assert set(evs._by_code) - {"EVS_PORTEUR"} <= set(csx._by_code)


def test_thematic_block():
    block = shipped_definition("thematique_2025.yaml")
    assert 8 <= len(block) <= 15 and block.kind == "block"


def realistic_answers():
    return {
        "ID_MODE_GESTION": "Associatif", "ID_TYPE_TERRITOIRE": "urbain", "ID_TAILLE_TERRITOIRE": "commune",
        "ID_QPV": "dans_qpv", "ID_POPULATION": "12 500", "ID_ADHERENT_FEDERATION": "oui",
        "PRJ_DATE_PREMIER_AGREMENT": "01/09/1998", "PRJ_AXES": ["parentalite", "participation"],
        "PUB_PARTICIPANTS_UNIQUES": "850", "PUB_PASSAGES_CUMULES": "21 000",
        "PUB_AGES": {"a0_6": {"nombre": "100"}, "a26_59": {"nombre": "750"}},
        "PAR_BENEVOLES_ACTIVITE": "55", "PAR_BENEVOLES_GOUVERNANCE": "24",
        "RH_SALARIES": "33", "RH_ETP_TOTAL": "13", "RH_ETP_PILOTAGE": "3,1", "RH_ETP_ACTIVITES": "6,5",
        "RH_ETP_LOGISTIQUE": "3,4",
        "FIN_CHARGES_TOTAL": "450 000", "FIN_PRODUITS_TOTAL": "455 000", "FIN_RESULTAT": "5000",
        "FIN_PRODUITS_FINANCEURS": {"caf_ps": {"montant": "117 000"}, "communes": {"montant": "338 000"}},
        "TH25_PERMANENCES_DROITS": "non",
    }  # fmt: skip


def test_realistic_answers_pass_and_inconsistent_ones_fail(csx):
    result = validate(csx, realistic_answers())
    assert result.errors == [] and result.warnings == [] and result.missing_required == []
    answers = {**realistic_answers(), "RH_ETP_ACTIVITES": "9", "PUB_PASSAGES_CUMULES": "500"}
    assert {i.key for i in validate(csx, answers).errors} == {"R_ETP_FONCTIONS", "R_PARTICIPANTS_PASSAGES"}


def test_no_numeric_question_without_range_sense(csx):
    for question in csx.questions:
        if question.type in NUMERIC_TYPES:
            assert question.min is not None, question.code


def test_command_lists_sections(capsys):
    call_command(
        "check_questionnaire", str(QUESTIONNAIRES_DIR / "csx_2025.yaml"), str(QUESTIONNAIRES_DIR / "evs_2025.yaml")
    )
    out = capsys.readouterr().out
    assert "csx_2025.yaml : CSX_CORE version 2025.1 (csx), 107 questions, 13 règles" in out
    assert "  RH — Ressources humaines : 20 questions" in out
    assert "evs_2025.yaml : EVS_CORE version 2025.1 (evs), 51 questions" in out


def test_command_reports_errors_with_lines_and_fails(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "code: B\nversion: '1'\ntitle: B\nkind: csx\nyears: [2025]\nsections:\n  - code: S\n    title: S\n"
        "    questions:\n      - {code: X, label: X, help: h, type: choice}\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="1 fichier invalide sur 1"):
        call_command("check_questionnaire", str(path))
    err = capsys.readouterr().err
    assert f"{path}, ligne 10 : la question X : type inconnu « choice »" in err


def test_command_exit_code(tmp_path):
    import subprocess
    import sys

    ok = subprocess.run(
        [sys.executable, "-m", "maillage.cli", "check_questionnaire", str(QUESTIONNAIRES_DIR / "thematique_2025.yaml")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: [\n", encoding="utf-8")
    failed = subprocess.run(
        [sys.executable, "-m", "maillage.cli", "check_questionnaire", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert failed.returncode == 1 and "YAML invalide" in failed.stderr


def test_choice_labels_with_commas_are_kept_whole():
    labels = [option.label for option in shipped_definition("csx_2025.yaml").question("RH_DIRECTEUR_NIVEAU").options]
    assert "Niveau 6 (licence, DEJEPS…)" in labels
