"""Importing the structure directory: the service, the loader and the `import_structures` command."""

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from maillage.accounts.models import User
from maillage.exchange.reading import ImportFileError
from maillage.exchange.structure_import import import_structures
from maillage.history.models import Revision
from maillage.referentials.models import Department, ManagementMode
from maillage.structures.models import Structure

DATA = Path(__file__).parent / "data"
ANNUAIRE = DATA / "structures_annuaire.txt"
CANONIQUE = DATA / "structures_canonique.txt"

pytestmark = pytest.mark.django_db


def by_name(name: str) -> Structure:
    return Structure.objects.select_related("department", "management_mode").get(name=name)


def database_state() -> tuple:
    """Everything an import may write, to check that a failed or dry import wrote nothing."""
    return (
        list(Structure.objects.order_by("id").values()),
        list(Revision.objects.order_by("id").values_list("id", flat=True)),
        list(ManagementMode.objects.order_by("id").values_list("label", "to_review")),
    )


def copy_with(tmp_path: Path, source: Path, name: str, *replacements: tuple[str, str]) -> Path:
    text = source.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_creates_the_structures_with_their_fields():
    report = import_structures(ANNUAIRE)
    assert (report.read, report.created, report.updated, report.unchanged) == (8, 8, 0, 0)
    tilleuls = by_name("CENTRE SOCIAL LES TILLEULS")
    assert tilleuls.department.name == "Bouches-du-Rhône"
    assert (tilleuls.street, tilleuls.postcode, tilleuls.commune) == ("9 rue Roquette", "13001", "Marseille")
    assert (tilleuls.siret, tilleuls.siret_flagged) == ("78154320900014", False)
    assert tilleuls.first_approval.isoformat() == "1985-09-01"
    assert tilleuls.population == 12500
    assert tilleuls.history == (
        "Né en 1984 d'un collectif d'habitants du quartier.\nHistorique\nInstallé dans l'ancienne école en 1990."
    )
    assert tilleuls.axes == ["Accueillir tous les habitants", "Soutenir les familles", "Agir avec les jeunes", "", ""]
    assert tilleuls.management_mode.label == "Associatif"
    assert tilleuls.territory_size.label == "Plusieurs quartiers"
    assert (tilleuls.fcsf_member, tilleuls.travellers, tilleuls.multi_site, tilleuls.itinerant) == (
        True,
        False,
        True,
        False,
    )


def test_empty_values_are_stored_empty():
    import_structures(ANNUAIRE)
    port = by_name("MAISON POUR TOUS DU PORT")
    assert (port.website, port.siret, port.siret_flagged, port.other_federation) == ("", "", False, "")
    assert port.axes == [""] * 5


@pytest.mark.parametrize(
    ("name", "department"),
    [
        ("MAISON POUR TOUS DU PORT", "Corse-du-Sud"),
        ("CENTRE SOCIAL U CASALE", "Haute-Corse"),
        ("EVS LA CASE DES FAMILLES", "La Réunion"),
        ("Centre Social Élan", "Finistère"),
    ],
)
def test_the_department_follows_from_the_postcode(name, department):
    import_structures(ANNUAIRE)
    assert by_name(name).department.name == department


def test_an_unresolved_postcode_leaves_the_department_empty_with_a_warning():
    report = import_structures(ANNUAIRE)
    assert by_name("Centre social Saint-Éloi").department is None
    assert "structures_annuaire.txt:200: code postal « 1300 » : département introuvable, laissé vide" in report.warnings


def test_a_department_code_missing_from_the_table_is_reported(tmp_path):
    path = copy_with(tmp_path, CANONIQUE, "spm.txt", ("97300 Cayenne", "97500 Saint-Pierre"))
    report = import_structures(path)
    assert by_name("LA RUCHE AUX IDÉES").department is None
    assert "spm.txt:73: département « 975 » inconnu : laissé vide" in report.warnings


def test_an_invalid_siret_is_kept_and_flagged_with_a_warning():
    report = import_structures(ANNUAIRE)
    casale = by_name("CENTRE SOCIAL U CASALE")
    assert (casale.siret, casale.siret_flagged) == ("12345678900000", True)
    assert any(warning.startswith("structures_annuaire.txt:78: « Numéro SIRET »") for warning in report.warnings)
    assert list(Structure.objects.with_flagged_siret()) == [casale]


def test_an_unknown_management_mode_is_added_to_review_not_dropped():
    report = import_structures(ANNUAIRE)
    mode = by_name("EVS LA CASE DES FAMILLES").management_mode
    assert (mode.label, mode.to_review) == ("Gestion coopérative", True)
    assert (
        "structures_annuaire.txt:121: valeur inconnue « Gestion coopérative » ajoutée à la liste "
        "« modes de gestion » (à vérifier)" in report.warnings
    )
    assert not ManagementMode.objects.get(label="Associatif").to_review


def test_a_truncated_structure_keeps_what_is_there():
    report = import_structures(ANNUAIRE)
    bourg = by_name("CENTRE SOCIAL DU BOURG")
    assert (bourg.email, bourg.website, bourg.department.code) == (
        "bourg@example.org",
        "https://cs-bourg.example.org",
        "35",
    )
    assert (bourg.siret, bourg.population, bourg.management_mode, bourg.fcsf_member) == ("", None, None, None)
    assert any(warning.startswith("structures_annuaire.txt:226: structure incomplète") for warning in report.warnings)


def test_the_kind_is_guessed_from_the_name_with_a_warning():
    report = import_structures(ANNUAIRE)
    kinds = dict(Structure.objects.values_list("name", "kind"))
    assert kinds["EVS LA CASE DES FAMILLES"] == "evs"
    assert kinds["Espace de vie sociale du Plateau"] == "evs"
    assert kinds["CENTRE SOCIAL LES TILLEULS"] == "csx"
    assert set(kinds.values()) == {"csx", "evs"}
    guesses = [warning for warning in report.warnings if "type non précisé" in warning]
    assert len(guesses) == 8
    assert (
        "structures_annuaire.txt:101: type non précisé : « EVS LA CASE DES FAMILLES » est considérée comme "
        "espace de vie sociale d'après son nom (option --kind pour le fixer)" in guesses
    )
    assert guesses[0].startswith("structures_annuaire.txt:2: type non précisé : « CENTRE SOCIAL LES TILLEULS »")
    assert "est considérée comme centre social d'après son nom" in guesses[0]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("EVS du Moulin", "evs"),
        ("Le Moulin (evs)", "evs"),
        ("Les Évs du Moulin", "evs"),
        ("ESPACE DE VIE SOCIALE LE MOULIN", "evs"),
        ("Espace de Vie Sociale du Moulin", "evs"),
        ("Espace de vie socialé", "evs"),
        ("LEVSKI CENTRE", "csx"),
        ("Espace vie sociale du Moulin", "csx"),
    ],
)
def test_kind_guessing_rules(tmp_path, name, kind):
    path = copy_with(tmp_path, CANONIQUE, "kinds.txt", ("Liste des centres sociaux\n", ""))
    text = path.read_text(encoding="utf-8").split("Liste des espaces")[0]
    path.write_text(text.replace("CENTRE SOCIAL ET EVS DES AUBIERS", name), encoding="utf-8")
    import_structures(path)
    assert Structure.objects.get(name=name).kind == kind


def test_the_kind_option_applies_to_every_structure_without_guessing():
    report = import_structures(ANNUAIRE, kind="evs")
    assert set(Structure.objects.values_list("kind", flat=True)) == {"evs"}
    assert not [warning for warning in report.warnings if "type non précisé" in warning]


def test_page_headers_give_the_kind_and_the_option_overrides_them():
    report = import_structures(CANONIQUE)
    assert list(Structure.objects.order_by("id").values_list("kind", flat=True)) == ["csx", "csx", "evs"]
    assert not [warning for warning in report.warnings if "type non précisé" in warning]
    report = import_structures(CANONIQUE, kind="evs")
    assert set(Structure.objects.values_list("kind", flat=True)) == {"evs"}
    assert report.updated == 2


def test_dry_run_writes_nothing():
    before = database_state()
    report = import_structures(ANNUAIRE, dry_run=True)
    assert report.dry_run
    assert (report.read, report.created) == (8, 8)
    assert database_state() == before
    assert report.summary("structure").startswith(
        "[essai, rien n'est enregistré] structures_annuaire.txt : 8 structures lues"
    )


def test_reimport_is_idempotent():
    import_structures(ANNUAIRE)
    before = database_state()
    report = import_structures(ANNUAIRE)
    assert (report.read, report.created, report.updated, report.unchanged) == (8, 0, 0, 8)
    assert database_state() == before
    assert not Revision.objects.exists()
    assert not [warning for warning in report.warnings if "type non précisé" in warning]


def test_an_update_keeps_the_previous_version_in_history(tmp_path):
    import_structures(ANNUAIRE)
    tilleuls = by_name("CENTRE SOCIAL LES TILLEULS")
    changed = copy_with(
        tmp_path,
        ANNUAIRE,
        "maj.txt",
        ("accueil@cs-tilleuls.example.org", "direction@cs-tilleuls.example.org"),
        ("- Axe 3 : Agir avec les jeunes\n- Axe 4 :", "- Axe 3 : Agir avec les jeunes\n- Axe 4 : Habiter le quartier"),
    )
    user = User.objects.create_user("correspondante@example.org")
    report = import_structures(changed, acting_user=user)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 7)
    tilleuls.refresh_from_db()
    assert tilleuls.email == "direction@cs-tilleuls.example.org"
    assert tilleuls.axis_4 == "Habiter le quartier"
    [revision] = Revision.objects.for_object(tilleuls)
    assert revision.data["email"] == "accueil@cs-tilleuls.example.org"
    assert revision.data["axes"][3] == ""
    assert revision.data["name"] == "CENTRE SOCIAL LES TILLEULS"
    assert (revision.source, revision.changed_by) == ("import maj.txt:2", user)


def test_a_structure_created_by_an_action_import_is_matched_and_completed():
    bouches = Department.objects.get(code="13")
    stub = Structure.objects.create(name="Centre social les Tilleuls", department=bouches, kind="")
    report = import_structures(ANNUAIRE)
    assert (report.created, report.updated) == (7, 1)
    stub.refresh_from_db()
    assert (stub.name, stub.kind, stub.email) == (
        "CENTRE SOCIAL LES TILLEULS",
        "csx",
        "accueil@cs-tilleuls.example.org",
    )
    [revision] = Revision.objects.for_object(stub)
    assert revision.data["name"] == "Centre social les Tilleuls"
    assert revision.data["kind"] is None


def test_the_same_name_in_another_department_is_another_structure():
    other = Structure.objects.create(name="CENTRE SOCIAL LES TILLEULS", department=Department.objects.get(code="59"))
    report = import_structures(ANNUAIRE)
    assert report.created == 8
    assert Structure.objects.filter(name="CENTRE SOCIAL LES TILLEULS").count() == 2
    other.refresh_from_db()
    assert other.email == ""


def test_a_structure_is_also_recognised_by_its_valid_siret():
    renamed = Structure.objects.create(
        name="ANCIEN NOM DES TILLEULS", department=Department.objects.get(code="13"), siret="78154320900014"
    )
    report = import_structures(ANNUAIRE)
    assert (report.created, report.updated) == (7, 1)
    renamed.refresh_from_db()
    assert renamed.name == "CENTRE SOCIAL LES TILLEULS"
    assert (
        f"structures_annuaire.txt:2: structure reconnue par son numéro SIRET (structure n° {renamed.pk})"
        in report.warnings
    )


def test_an_invalid_siret_does_not_match():
    Structure.objects.create(name="AUTRE", siret="12345678900000", siret_flagged=True)
    report = import_structures(ANNUAIRE)
    assert report.created == 8


def test_absent_labels_leave_stored_values_alone_on_update(tmp_path):
    import_structures(ANNUAIRE)
    text = ANNUAIRE.read_text(encoding="utf-8")
    start = text.index("Informations sur la structure\nCENTRE SOCIAL LES TILLEULS")
    truncated = tmp_path / "tronque.txt"
    truncated.write_text(text[start : text.index("Historique", start)], encoding="utf-8")
    report = import_structures(truncated)
    assert (report.updated, report.unchanged) == (0, 1)
    tilleuls = by_name("CENTRE SOCIAL LES TILLEULS")
    assert (tilleuls.population, tilleuls.management_mode.label) == (12500, "Associatif")


def test_an_identical_repeat_in_the_file_is_a_duplicate(tmp_path):
    text = CANONIQUE.read_text(encoding="utf-8")
    path = tmp_path / "double.txt"
    path.write_text(text + text, encoding="utf-8")
    report = import_structures(path)
    assert (report.read, report.created, report.duplicates) == (6, 3, 3)
    assert Structure.objects.count() == 3


def test_two_structures_with_the_same_name_and_department_stay_two(tmp_path):
    text = CANONIQUE.read_text(encoding="utf-8")
    second = text.replace("aubiers@example.org", "annexe@example.org").replace("50123456700037", "")
    path = tmp_path / "homonymes.txt"
    path.write_text(text + second, encoding="utf-8")
    report = import_structures(path)
    assert (report.created, report.updated, report.duplicates) == (4, 0, 2)
    assert Structure.objects.filter(name="CENTRE SOCIAL ET EVS DES AUBIERS").count() == 2
    report = import_structures(path)
    assert (report.created, report.updated, report.unchanged, report.duplicates) == (0, 0, 4, 2)


@pytest.mark.parametrize(
    ("content", "where", "message"),
    [
        (b"", "vide.txt", "le fichier est vide"),
        ("Informations sur la structure\nCENTRE SOCIAL DES PR\xc9S\n".encode("latin-1"), "vide.txt:2", "UTF-8"),
        (b"Informations sur la structure\nCS\x00\x01\x02\n", "vide.txt:2", "données binaires"),
        (b"Liste des centres sociaux\nAucune structure ici\n", "vide.txt:1", "aucune structure trouvée"),
    ],
)
def test_bad_input_fails_naming_file_and_line_and_writes_nothing(tmp_path, content, where, message):
    import_structures(CANONIQUE)
    path = tmp_path / "vide.txt"
    path.write_bytes(content)
    before = database_state()
    with pytest.raises(ImportFileError) as error:
        import_structures(path)
    assert str(error.value).startswith(f"{where}: ")
    assert message in str(error.value)
    assert database_state() == before


def test_an_error_in_the_last_structure_undoes_the_structures_read_before(tmp_path):
    import_structures(CANONIQUE)
    long_site = "Site internet : https://cs-bourg.example.org/" + "w" * 500
    path = copy_with(tmp_path, ANNUAIRE, "fin.txt", ("Site internet : https://cs-bourg.example.org", long_site))
    before = database_state()
    with pytest.raises(ImportFileError, match=r"^fin\.txt:233: « Site internet » : plus de 500 caractères"):
        import_structures(path)
    assert database_state() == before


def test_a_value_too_long_for_the_database_fails_naming_its_line(tmp_path):
    path = copy_with(
        tmp_path, CANONIQUE, "long.txt", ("Site internet : https://aubiers.example.org", "Site internet : " + "w" * 501)
    )
    before = database_state()
    with pytest.raises(ImportFileError, match=r"^long\.txt:9: « Site internet » : plus de 500 caractères"):
        import_structures(path)
    assert database_state() == before


def test_the_command_reports_counts_and_line_numbered_warnings(run_command):
    out, err = run_command("import_structures", str(ANNUAIRE))
    assert "structures_annuaire.txt : 8 structures lues, 8 créées, 0 mise à jour, 0 inchangée" in out
    assert "  avertissement structures_annuaire.txt:78: « Numéro SIRET »" in out
    assert err == ""


def test_the_command_kind_option(run_command):
    run_command("import_structures", "--kind", "evs", str(ANNUAIRE))
    assert set(Structure.objects.values_list("kind", flat=True)) == {"evs"}
    with pytest.raises(CommandError):
        run_command("import_structures", "--kind", "centre", str(ANNUAIRE))


def test_the_command_dry_run_writes_nothing(run_command):
    out, _ = run_command("import_structures", "--dry-run", str(ANNUAIRE))
    assert out.startswith("[essai, rien n'est enregistré]")
    assert not Structure.objects.exists()
    assert not ManagementMode.objects.filter(to_review=True).exists()


def test_the_command_fails_with_status_1_on_bad_input_and_imports_the_good_files(run_command, tmp_path):
    bad = tmp_path / "binaire.txt"
    bad.write_bytes(b"\x00\x01\x02")
    good = tmp_path / "bon.txt"
    shutil.copy(CANONIQUE, good)
    with pytest.raises(CommandError) as error:
        run_command("import_structures", str(bad), str(good))
    assert error.value.returncode == 1
    assert str(error.value) == "1 fichier en erreur"
    assert Structure.objects.count() == 3


def test_the_command_error_names_file_and_line(tmp_path):
    bad = tmp_path / "sans.txt"
    bad.write_text("Bonjour\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_structures", str(bad), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().startswith("sans.txt:1: aucune structure trouvée")
    assert "rien n'a été importé de ce fichier" in err.getvalue()
    assert not Structure.objects.exists()


def test_the_same_name_with_another_valid_siret_is_another_structure():
    bouches = Department.objects.get(code="13")
    other = Structure.objects.create(name="CENTRE SOCIAL LES TILLEULS", department=bouches, siret="44301972600019")
    report = import_structures(ANNUAIRE, kind="csx")
    assert report.created == 8
    other.refresh_from_db()
    assert (other.siret, other.email) == ("44301972600019", "")


def test_a_siret_shared_by_several_stored_structures_matches_none():
    for name in ("ANNEXE NORD", "ANNEXE SUD"):
        Structure.objects.create(name=name, siret="78154320900014")
    report = import_structures(ANNUAIRE, kind="csx")
    assert report.created == 8
    assert set(Structure.objects.filter(name__startswith="ANNEXE").values_list("siret", flat=True)) == {
        "78154320900014"
    }


def test_an_unknown_kind_is_refused_before_reading():
    with pytest.raises(ValueError, match="type de structure inconnu"):
        import_structures(ANNUAIRE, kind="centre")
    assert not Structure.objects.exists()


def test_a_siret_of_digits_int_cannot_read_is_flagged_not_a_crash(tmp_path):
    path = copy_with(tmp_path, ANNUAIRE, "a.txt", ("Numéro SIRET : 123 456 789 00000", "Numéro SIRET : " + "²" * 14))
    report = import_structures(path)
    assert by_name("CENTRE SOCIAL U CASALE").siret_flagged
    assert any(warning.startswith("a.txt:78: « Numéro SIRET »") for warning in report.warnings)


def test_a_population_of_digits_int_cannot_read_is_left_empty_with_a_warning(tmp_path):
    from maillage.exchange.structure_table import import_structure_table

    path = tmp_path / "t.csv"
    path.write_text("name;postcode;population\nCentre social des Lilas;13001;²\n", encoding="utf-8")
    report = import_structure_table(path)
    assert Structure.objects.get(name="Centre social des Lilas").population is None
    assert "t.csv:2: population « ² » illisible (nombre entier attendu) : laissée vide" in report.warnings
