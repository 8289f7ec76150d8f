"""Differences people can read: words marked inside paragraphs, and no « Ordre modifié » that is not one."""

import pytest

from maillage.actions.editing import SheetContent, edit_version, save_sheet
from maillage.actions.history import diff_records, list_diff, text_diff, word_diff
from maillage.actions.models import ActionKeyword, ActionState, PendingRevision
from maillage.actions.moderation import proposed_record
from maillage.actions.services import action_snapshot
from maillage.exchange.records import empty_record
from maillage.referentials.models import Keyword
from tests.factories import make_sheet

pytestmark = pytest.mark.django_db


def test_words_changed_inside_a_paragraph():
    segments = word_diff(
        "Un potager ouvert le mercredi aux familles.", "Un potager partagé ouvert le samedi aux familles."
    )
    assert segments == [
        ("same", "Un potager"),
        ("added", " partagé"),
        ("same", " ouvert le "),
        ("removed", "mercredi"),
        ("added", "samedi"),
        ("same", " aux familles."),
    ]


def test_a_rewritten_sentence_reads_as_one_removal_and_one_addition():
    segments = word_diff("Le jardin est ouvert à tous.", "Une cuisine se tient là le soir.")
    assert segments == [
        ("removed", "Le jardin est ouvert à tous"),
        ("added", "Une cuisine se tient là le soir"),
        ("same", "."),
    ]


def test_long_texts_keep_only_the_words_around_a_change():
    words = " ".join(f"mot{number}" for number in range(200))
    rows = text_diff(f"{words}\nsuite", f"{words.replace('mot100', 'MOT100')}\nsuite")
    (row, context) = rows
    shown = "".join(text for _, text in row.segments)
    assert row.kind == "changed" and ("removed", "mot100") in row.segments and ("added", "MOT100") in row.segments
    assert "mot95" in shown and "mot105" in shown and "mot50 " not in shown and "mot150" not in shown
    assert shown.startswith("…") and shown.endswith("…")
    assert len(shown) < 200
    assert context.segments == [("same", "suite")]


def test_unchanged_paragraphs_far_from_a_change_are_left_out():
    before = "\n".join(f"Paragraphe {number}." for number in range(10))
    rows = text_diff(before, before.replace("Paragraphe 5.", "Paragraphe cinq."))
    assert [row.kind for row in rows] == ["same", "changed", "same"]


def test_the_page_escapes_words_and_marks_them(client, world):
    from maillage.actions.workflow import transition
    from tests.factories import change_sheet

    sheet = make_sheet("Jardin", world.structure_a, state=ActionState.DRAFT, summary="Un potager.")
    change_sheet(sheet, summary="Un potager <script>alert(1)</script>.")
    transition(sheet, ActionState.SUBMITTED, acting_user=world.users["member_a"])
    page = world.client_for(client, "member_a").get(f"/espace/fiches/{sheet.pk}/historique/").content.decode()
    assert "Un potager<ins> &lt;script&gt;alert(1)&lt;/script&gt;</ins>." in page
    assert "<script>alert(1)" not in page


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (["a", "b"], ["a", "b", "c"], (["c"], [], False)),
        (["a", "b", "c"], ["a", "c"], ([], ["b"], False)),
        (["a", "b"], ["b", "a"], ([], [], True)),
        (["a", "b"], ["b", "a", "c"], (["c"], [], True)),
        # Two attachments of the same name, one removed: a removal, not a new order.
        (["photo.jpg", "photo.jpg"], ["photo.jpg"], ([], ["photo.jpg"], False)),
        (["a", "b", "a"], ["b", "a"], ([], ["a"], False)),
    ],
)
def test_list_differences(before, after, expected):
    assert list_diff(before, after) == expected


def test_same_values_in_the_same_order_are_no_change():
    old = {**empty_record(), "keywords": ["Santé", "Culture"], "files": ["a.pdf", "a.pdf"]}
    assert diff_records(old, {**old, "files": ["a.pdf"]})[0].reordered is False
    assert diff_records(old, {**old}) == []


def test_a_proposal_ticking_the_same_values_says_no_order_change(world):
    """The form gives ticked values in the order of the list of choices; the sheet keeps its own."""
    sheet = make_sheet("Jardin", world.structure_a, state=ActionState.PUBLISHED, summary="Un potager.",
                       keywords=["Santé", "Culture"])  # fmt: skip
    form_order = sorted(Keyword.objects.filter(label__in=["Santé", "Culture"]), key=lambda keyword: keyword.label)
    content = SheetContent.of(sheet)
    content.lists["keywords"] = [keyword.pk for keyword in form_order]  # « Culture » before « Santé »
    content.texts["summary"] = "Un potager partagé."
    outcome = save_sheet(sheet, content, version=edit_version(sheet), acting_user=world.users["member_a"])
    changes = diff_records(action_snapshot(sheet.pk), proposed_record(outcome.pending))
    assert [change.key for change in changes] == ["summary"]


def test_a_save_that_only_reorders_the_form_proposes_nothing(world):
    sheet = make_sheet("Jardin", world.structure_a, state=ActionState.PUBLISHED, keywords=["Santé", "Culture"])
    content = SheetContent.of(sheet)
    content.lists["keywords"] = list(reversed(content.lists["keywords"]))
    outcome = save_sheet(sheet, content, version=edit_version(sheet), acting_user=world.users["member_a"])
    assert outcome.changed is False and not PendingRevision.objects.exists()


def test_values_at_the_same_rank_come_back_in_a_stable_order(world):
    sheet = make_sheet("Jardin", world.structure_a, keywords=["Santé", "Culture", "Famille"])
    ActionKeyword.objects.filter(action=sheet).update(position=0)  # as an edit in the admin may leave them
    first = action_snapshot(sheet.pk)["keywords"]
    assert first == ["Santé", "Culture", "Famille"]  # by creation, then
    assert diff_records(action_snapshot(sheet.pk), action_snapshot(sheet.pk)) == []
