"""Loading a questionnaire for a campaign, keeping its files, reading its definition back."""

import shutil

import pytest
from django.core.management.base import CommandError

from maillage.observatory.campaigns import QuestionnaireLoadError, load_questionnaire
from maillage.observatory.definitions.builder import QUESTIONNAIRES_DIR, shipped_definition
from maillage.observatory.models import Campaign, Questionnaire, Response
from tests.factories import make_structure

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(tmp_path):
    for name in ("csx_2025.yaml", "evs_2025.yaml", "thematique_2025.yaml"):
        shutil.copy(QUESTIONNAIRES_DIR / name, tmp_path / name)
    return tmp_path


def test_the_command_creates_the_campaign_and_keeps_every_file(run_command, files):
    out, _ = run_command("load_questionnaire", str(files / "evs_2025.yaml"), "--year", "2025",
                         "--ouverture", "01/03/2026", "--cloture", "31/05/2026")  # fmt: skip
    questionnaire = Questionnaire.objects.get()
    assert questionnaire.kind == "evs"
    assert sorted(questionnaire.sources) == ["csx_2025.yaml", "evs_2025.yaml", "thematique_2025.yaml"]
    assert f"{questionnaire.question_count} questions" in out
    assert Campaign.objects.get().closes_on.isoformat() == "2026-05-31"


def test_the_stored_definition_stays_what_was_loaded(files):
    campaign = Campaign.objects.create(year=2025, opens_on="2026-03-01", closes_on="2026-05-31")
    questionnaire = load_questionnaire(files / "csx_2025.yaml", campaign)
    (files / "csx_2025.yaml").write_text("code: CHANGÉ\n", encoding="utf-8")
    definition = Questionnaire.objects.get(pk=questionnaire.pk).definition()
    assert [q.code for q in definition.questions] == [q.code for q in shipped_definition("csx_2025.yaml").questions]


def test_an_invalid_file_loads_nothing_and_names_the_line(run_command, files):
    (files / "bad.yaml").write_text("code: X\nversion: '1'\ntitle: T\nkind: csx\nsections: nope\n", encoding="utf-8")
    with pytest.raises(CommandError, match="erreur"):
        run_command("load_questionnaire", str(files / "bad.yaml"), "--year", "2025",
                    "--ouverture", "01/03/2026", "--cloture", "31/05/2026")  # fmt: skip
    assert not Questionnaire.objects.exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--year", "2025"], "donnez --ouverture et --cloture"),
        (["--year", "2025", "--ouverture", "31/05/2026", "--cloture", "01/03/2026"], "l'ouverture d'abord"),
        (["--year", "2025", "--ouverture", "2026-03-01", "--cloture", "31/05/2026"], "jj/mm/aaaa"),
        (["--year", "2019", "--ouverture", "01/03/2020", "--cloture", "31/05/2020"], "prévu pour les données 2025"),
    ],
)
def test_bad_arguments_get_a_french_message(run_command, files, arguments, message):
    with pytest.raises(CommandError, match=message):
        run_command("load_questionnaire", str(files / "csx_2025.yaml"), *arguments)
    assert not Questionnaire.objects.exists()


def test_a_questionnaire_with_answers_is_not_replaced(files):
    campaign = Campaign.objects.create(year=2025, opens_on="2026-03-01", closes_on="2026-05-31")
    questionnaire = load_questionnaire(files / "csx_2025.yaml", campaign)
    Response.objects.create(questionnaire=questionnaire, structure=make_structure(), answers={"RH_ETP_TOTAL": "3"})
    with pytest.raises(QuestionnaireLoadError, match="déjà des réponses"):
        load_questionnaire(files / "csx_2025.yaml", campaign)
