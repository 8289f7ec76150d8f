"""Single-line fields hold no line break: the validator, the e-mail subjects built from a title, and the data
migration that joins the lines of values saved before."""

from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import QueryDict

from maillage.accounts.models import CorrespondentScope, User
from maillage.actions.models import Action, ActionFile, ActionState
from maillage.actions.workflow import transition
from maillage.referentials.models import Department, Keyword
from maillage.search.engine import parse_action_filters, search_actions
from maillage.structures.models import Structure
from maillage.validators import LINE_BREAKS, NoLineBreaks, join_lines_in, one_line, single_line_fields
from tests.factories import change_sheet, make_sheet, make_structure

pytestmark = pytest.mark.django_db


def search_ids(query: str) -> list[int]:
    return search_actions(parse_action_filters(QueryDict(urlencode({"q": query})))).ids


@pytest.mark.parametrize("character", list(LINE_BREAKS))
def test_every_character_that_splits_lines_is_refused(character):
    with pytest.raises(ValidationError) as raised:
        NoLineBreaks("Le titre")(f"Jardin{character}partagé")
    assert raised.value.messages == ["Le titre tient sur une ligne : retirez-en les retours à la ligne."]
    assert f"Jardin{character}partagé".splitlines() == ["Jardin", "partagé"]  # what a reader would do
    assert one_line(f"Jardin {character}\t partagé ") == "Jardin partagé"


def test_tabs_and_spaces_stay_and_the_single_line_fields_are_those_named():
    NoLineBreaks()("Jardin\tpartagé  des Lilas")
    assert one_line("Jardin  partagé ") == "Jardin  partagé "
    assert single_line_fields(Action) == {"title"}
    assert single_line_fields(ActionFile) == {"name"}
    assert single_line_fields(Keyword) == {"label"}
    assert single_line_fields(Structure) == {"name", "street", "postcode", "commune", "email", "website", "siret",
                                             "other_federation", *Structure.AXIS_FIELDS}  # fmt: skip


def test_publishing_a_sheet_whose_stored_title_has_a_line_break_tells_the_structure(
    django_capture_on_commit_callbacks,
):
    structure = make_structure("Centre social des Lilas", "13", email="contact@lilas.test")
    sheet = make_sheet("Jardin\r\ndes Lilas", structure, state=ActionState.SUBMITTED)  # saved before the check
    correspondent = User.objects.create_user("caf13@caf.test")
    CorrespondentScope.objects.create(user=correspondent, department=Department.objects.get(code="13"),
                                      organisation="caf")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        transition(sheet, ActionState.PUBLISHED, acting_user=correspondent)
    assert [message.subject for message in mail.outbox] == ["Votre fiche « Jardin des Lilas » a été publiée"]


def test_the_migration_joins_the_lines_of_values_saved_before():
    structure = make_structure("Centre social\ndes Lilas", "13", axis_2="Axe\fdeux",
                               history="Première ligne.\nSeconde ligne.")  # fmt: skip
    sheet = make_sheet("Jardin\n partagé\u2028des Roses", structure)  # indexed as it was saved
    ActionFile.objects.create(action=sheet, name="plan\r\ndu jardin.pdf")
    Keyword.objects.create(label="Culture\npatrimoine")
    Keyword.objects.create(label="Santé\nglobale")
    Keyword.objects.create(label="Santé globale")
    join_lines_in("actions", {"Action": ("title",), "ActionFile": ("name",)})(apps, None)
    join_lines_in("structures", {"Structure": ("name", "axis_2")})(apps, None)
    join_lines_in("referentials", {"Keyword": ("label",)})(apps, None)
    sheet.refresh_from_db()
    structure.refresh_from_db()
    assert sheet.title == "Jardin partagé des Roses"
    assert sheet.files.get().name == "plan du jardin.pdf"
    assert (structure.name, structure.axis_2) == ("Centre social des Lilas", "Axe deux")
    assert structure.history == "Première ligne.\nSeconde ligne."  # a text of several lines stays so
    labels = set(Keyword.objects.values_list("label", flat=True))
    assert {"Culture patrimoine", "Santé\nglobale", "Santé globale"} <= labels  # a unique label is not doubled
    # The search index split the words at the line breaks as it does at spaces: it still matches, and the
    # sheet leaves and re-enters it when it changes next.
    assert search_ids("partagé roses") == [sheet.pk]
    change_sheet(sheet, title="Jardin partagé")
    assert search_ids("roses") == [] and search_ids("jardin") == [sheet.pk]


def test_the_migrations_run_the_join_on_every_single_line_field():
    from importlib import import_module

    for module, app_label, model in [
        ("maillage.actions.migrations.0006_single_line_fields", "actions", Action),
        ("maillage.structures.migrations.0002_single_line_fields", "structures", Structure),
        ("maillage.referentials.migrations.0003_single_line_labels", "referentials", Keyword),
    ]:
        operations = import_module(module).Migration.operations
        assert any(type(operation).__name__ == "RunPython" for operation in operations), module
        altered = {operation.name for operation in operations if operation.__class__.__name__ == "AlterField"}
        assert single_line_fields(model) <= altered, app_label
