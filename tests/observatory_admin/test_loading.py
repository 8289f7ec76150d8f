"""Loading a questionnaire into a campaign from the web: a shipped file or YAML files sent with their includes.

Every bad input answers with a French message naming the file and the line, and stores nothing."""

import pytest

from maillage.audit.models import AuditAction, AuditEvent
from maillage.observatory.definitions.builder import QUESTIONNAIRES_DIR
from maillage.observatory.models import Questionnaire, Response, ResponseStatus

from .conftest import BLOC, LIST_URL, MINI, choose_shipped, load_url, text_of, upload

pytestmark = pytest.mark.django_db


def shipped(name: str) -> tuple[str, str]:
    return name, (QUESTIONNAIRES_DIR / name).read_text(encoding="utf-8")


def test_the_page_offers_both_ways(admin, campaign):
    html = text_of(admin.get(load_url(2025)))
    assert "Aucun questionnaire n'est encore chargé pour cette campagne." in html
    assert 'enctype="multipart/form-data"' in html
    assert '<label class="form-label fw-bold" for="id_main">' in html
    assert 'aria-describedby="id_main-help"' in html and '<p id="id_main-help" class="form-text mb-0">' in html
    assert 'type="file" name="included"' in html and "multiple" in html
    assert '<label class="form-label fw-bold" for="id_shipped">' in html
    assert '<option value="csx_2025.yaml">csx_2025.yaml — CSX_CORE v2025.1, Centre social (2025), ' in html
    assert '<option value="evs_2025.yaml">' in html
    assert '<option value="thematique_2025.yaml">' not in html  # a block is included, not loaded alone


def test_load_a_shipped_file(admin, world, campaign):
    response = choose_shipped(admin, 2025, "csx_2025.yaml")
    assert response.status_code == 302 and response["Location"] == LIST_URL
    questionnaire = Questionnaire.objects.get()
    assert (questionnaire.campaign, questionnaire.kind, questionnaire.code) == (campaign, "csx", "CSX_CORE")
    assert sorted(questionnaire.sources) == ["csx_2025.yaml", "thematique_2025.yaml"]
    assert questionnaire.loaded_by == world.users["national_admin"]
    assert questionnaire.question_count == len(questionnaire.definition()) == 107
    html = text_of(admin.get(LIST_URL))
    assert "chargé : CSX_CORE version 2025.1, 107 questions, fichiers csx_2025.yaml, thematique_2025.yaml." in html
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.actor == world.users["national_admin"] and event.object_id == str(questionnaire.pk)
    assert event.details == {
        "kind": "observatory_questionnaire", "year": 2025, "questionnaire_kind": "csx", "code": "CSX_CORE",
        "version": "2025.1", "files": ["csx_2025.yaml", "thematique_2025.yaml"], "question_count": 107,
        "replaced": None,
    }  # fmt: skip
    assert event.ip_address == "127.0.0.1"


def test_an_unknown_shipped_name_is_refused(admin, campaign):
    response = choose_shipped(admin, 2025, "../../settings.py")
    assert response.status_code == 400
    assert "Choisissez un questionnaire de la liste." in text_of(response)
    assert not Questionnaire.objects.exists()


def test_upload_a_file_and_its_include(admin, world, campaign):
    response = upload(admin, 2025, ("mini.yaml", MINI), ("bloc.yaml", BLOC))
    assert response.status_code == 302
    questionnaire = Questionnaire.objects.get()
    assert questionnaire.sources == {"mini.yaml": MINI, "bloc.yaml": BLOC}
    assert (questionnaire.main_file, questionnaire.question_count) == ("mini.yaml", 2)
    assert [q.code for q in questionnaire.definition().questions] == ["RH_SALARIES", "BLOC_Q"]
    assert AuditEvent.objects.get(action=AuditAction.IMPORT).details["files"] == ["bloc.yaml", "mini.yaml"]


def test_upload_a_variant_with_the_files_it_extends(admin, campaign):
    files = [shipped(name) for name in ("evs_2025.yaml", "csx_2025.yaml", "thematique_2025.yaml")]
    assert upload(admin, 2025, *files).status_code == 302
    questionnaire = Questionnaire.objects.get()
    assert (questionnaire.kind, questionnaire.code) == ("evs", "EVS_CORE")
    assert sorted(questionnaire.sources) == ["csx_2025.yaml", "evs_2025.yaml", "thematique_2025.yaml"]


def test_windows_line_ends_and_byte_order_mark_are_read(admin, campaign):
    main = ("mini.yaml", b"\xef\xbb\xbf" + MINI.replace("\n", "\r\n").encode("utf-8"))
    assert upload(admin, 2025, main, ("bloc.yaml", BLOC)).status_code == 302
    assert Questionnaire.objects.get().sources["mini.yaml"] == MINI


def test_files_sent_but_not_named_are_said(admin, campaign):
    upload(admin, 2025, ("mini.yaml", MINI), ("bloc.yaml", BLOC), ("autre.yaml", BLOC))
    assert "Fichier envoyé mais non utilisé : autre.yaml." in text_of(admin.get(LIST_URL))
    assert "autre.yaml" not in Questionnaire.objects.get().sources


BAD_MINI = {
    "syntax": MINI.replace("title: Mini questionnaire", "title: Mini: questionnaire"),
    "type": MINI.replace("type: integer", "type: nombre"),
    "years": MINI.replace("years: [2025]", "years: [2030]"),
    "path": MINI.replace("[bloc.yaml]", "[../bloc.yaml]"),
}
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("mini.yaml", BAD_MINI["syntax"]), ("bloc.yaml", BLOC)],
         "mini.yaml, ligne 3 : YAML invalide : « : » inattendu (indentation décalée, ou texte contenant « : » à "
         "mettre entre guillemets)"),
        ([("mini.yaml", BAD_MINI["type"]), ("bloc.yaml", BLOC)],
         "mini.yaml, ligne 14 : la question RH_SALARIES : type inconnu « nombre » (types : integer, decimal"),
        ([("mini.yaml", MINI), ("bloc.yaml", BLOC.replace("type: boolean", "type: oui_non"))],
         "bloc.yaml, ligne 11 : la question BLOC_Q : type inconnu « oui_non »"),
        ([("mini.yaml", MINI.encode("cp1252")), ("bloc.yaml", BLOC)],
         "mini.yaml, ligne 12 : le fichier n'est pas encodé en UTF-8 (enregistrez-le en UTF-8)"),
        ([("mini.yaml", MINI), ("bloc.yaml", BLOC.encode("latin-1"))],
         "bloc.yaml, ligne 6 : le fichier n'est pas encodé en UTF-8"),
        ([("mini.yaml", PNG)],
         "mini.yaml, ligne 2 : données binaires : ce n'est pas un fichier texte YAML (une image ou un PDF "
         "renommé ?)"),
        ([("mini.yaml", MINI)],
         "mini.yaml, ligne 6 : fichier « bloc.yaml » introuvable (chemin relatif au fichier qui l'inclut)"),
        ([("mini.yaml", BAD_MINI["path"]), ("bloc.yaml", BLOC)],
         "mini.yaml, ligne 6 : « ../bloc.yaml » : donnez le seul nom d'un fichier du même dossier"),
        ([("mini.yaml", b"")], "mini.yaml : le fichier est vide"),
        ([("mini.yaml", "- une liste\n- pas un questionnaire\n")],
         "mini.yaml, ligne 1 : le fichier doit décrire un questionnaire"),
        ([("mini.yaml", "a: " + "[" * 3000)], "mini.yaml : listes ou blocs imbriqués trop profondément"),
    ],
    ids=["syntax", "unknown-type", "error-in-include", "cp1252", "include-latin1", "png", "missing-include",
         "include-path", "empty", "not-a-mapping", "too-deep"],
)  # fmt: skip
def test_bad_files_are_refused_with_file_and_line(admin, campaign, files, message):
    response = upload(admin, 2025, *files)
    html = text_of(response)
    assert response.status_code == 400
    assert "Le questionnaire n'a pas été chargé" in html and "rien n'a été chargé." in html
    assert message in html
    assert "Traceback" not in html and "<title>Erreur — " in html
    assert not Questionnaire.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT).exists()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("mini.yaml", BAD_MINI["years"]), ("bloc.yaml", BLOC)],
         "mini.yaml est prévu pour les données 2030, pas pour la campagne Enquête 2026 — données 2025. "
         "Rien n'a été chargé."),
        ([("bloc.yaml", BLOC)], "bloc.yaml est un bloc thématique : il se charge inclus par un questionnaire"),
        ([("mini.yaml", MINI), ("mini.yaml", BLOC)], "Plusieurs fichiers envoyés s'appellent mini.yaml"),
    ],
    ids=["other-year", "block-alone", "same-name"],
)  # fmt: skip
def test_files_that_do_not_fit_the_campaign(admin, campaign, files, message):
    response = upload(admin, 2025, *files)
    assert response.status_code == 400
    assert message in text_of(response)
    assert not Questionnaire.objects.exists()


def test_the_form_itself(admin, campaign):
    response = admin.post(load_url(2025), {"mode": "envoi"})
    html = text_of(response)
    assert response.status_code == 400
    assert '<p id="id_main-error" class="invalid-feedback d-block mb-0">Choisissez le fichier principal' in html
    big = ("mini.yaml", MINI + "#" * (1024 * 1024))
    assert "mini.yaml : fichier trop gros (1 Mo au plus)." in text_of(upload(admin, 2025, big))
    response = admin.post(load_url(2025), {"mode": "fourni"})
    assert '<p id="id_shipped-error" class="invalid-feedback d-block mb-0">Choisissez un questionnaire' in (
        text_of(response)
    )
    assert not Questionnaire.objects.exists()


# -- replacing ---------------------------------------------------------------------------------------------------


def test_a_questionnaire_without_answers_is_replaced(admin, world, campaign):
    upload(admin, 2025, ("mini.yaml", MINI), ("bloc.yaml", BLOC))
    first = Questionnaire.objects.get()
    Response.objects.create(questionnaire=first, structure=world.structure_a, status=ResponseStatus.NOT_STARTED)
    html = text_of(admin.get(load_url(2025)))
    assert "Déjà chargé, centre social : MINI version 1 (2 questions, le" in html

    response = upload(admin, 2025, ("mini.yaml", MINI.replace('version: "1"', 'version: "2"')), ("bloc.yaml", BLOC))
    assert response.status_code == 302
    replaced = Questionnaire.objects.get()
    assert (replaced.pk, replaced.version) == (first.pk, "2")
    assert replaced.responses.count() == 1
    assert "Il remplace MINI version 1." in text_of(admin.get(LIST_URL))
    events = AuditEvent.objects.filter(action=AuditAction.IMPORT).order_by("id")
    assert [e.details["replaced"] for e in events] == [None, {"code": "MINI", "version": "1"}]


def test_a_questionnaire_with_answers_is_not_replaced(admin, world, campaign):
    choose_shipped(admin, 2025, "csx_2025.yaml")
    questionnaire = Questionnaire.objects.get()
    Response.objects.create(questionnaire=questionnaire, structure=world.structure_a,
                            status=ResponseStatus.IN_PROGRESS, answers={"RH_SALARIES": 3})  # fmt: skip
    response = upload(admin, 2025, ("mini.yaml", MINI), ("bloc.yaml", BLOC))
    assert response.status_code == 400
    assert (
        "Le questionnaire Centre social de la campagne Enquête 2026 — données 2025 a déjà des réponses"
        " : il ne peut plus être remplacé. "
        "Rien n'a été chargé."
    ) in text_of(response)
    questionnaire.refresh_from_db()
    assert (questionnaire.code, sorted(questionnaire.sources)) == (
        "CSX_CORE",
        ["csx_2025.yaml", "thematique_2025.yaml"],
    )
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT).count() == 1
    # the other kind is still free
    assert choose_shipped(admin, 2025, "evs_2025.yaml").status_code == 302


# -- the command shares the path ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (PNG, "mini.yaml, ligne 2 : données binaires"),
        (MINI.encode("cp1252"), "mini.yaml, ligne 12 : le fichier n'est pas encodé en UTF-8"),
        (BAD_MINI["syntax"].encode(), "mini.yaml, ligne 3 : YAML invalide : « : » inattendu"),
        (MINI.encode(), "mini.yaml, ligne 6 : fichier « bloc.yaml » introuvable"),
    ],
    ids=["png", "cp1252", "syntax", "missing-include"],
)
def test_the_command_says_the_same_without_a_traceback(run_command, tmp_path, campaign, content, message):
    from django.core.management.base import CommandError

    (tmp_path / "mini.yaml").write_bytes(content)
    with pytest.raises(CommandError, match="rien n'a été chargé"):
        run_command("load_questionnaire", str(tmp_path / "mini.yaml"), "--year", "2025")
    assert not Questionnaire.objects.exists()


def test_the_command_logs_its_loads_and_keeps_no_campaign_when_refused(run_command, tmp_path):
    from django.core.management.base import CommandError

    from maillage.observatory.models import Campaign

    (tmp_path / "mini.yaml").write_text(BAD_MINI["years"], encoding="utf-8")
    (tmp_path / "bloc.yaml").write_text(BLOC, encoding="utf-8")
    dates = ["--ouverture", "01/03/2026", "--cloture", "31/05/2026"]
    with pytest.raises(CommandError, match="prévu pour les données 2030"):
        run_command("load_questionnaire", str(tmp_path / "mini.yaml"), "--year", "2025", *dates)
    assert not Campaign.objects.exists()
    (tmp_path / "mini.yaml").write_text(MINI, encoding="utf-8")
    run_command("load_questionnaire", str(tmp_path / "mini.yaml"), "--year", "2025", *dates)
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert (event.actor, event.details["code"], event.details["files"]) == (None, "MINI", ["bloc.yaml", "mini.yaml"])
