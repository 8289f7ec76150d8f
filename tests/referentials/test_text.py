import pytest

from maillage.referentials.text import compact_key, fold, match_key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("CS L'Abeille", "cs l abeille"),
        ("cs l’abeille ", "cs l abeille"),
        ("CS  L ABEILLE", "cs l abeille"),
        ("Œuvre commune", "oeuvre commune"),
        ("Éducation_Nationale", "education nationale"),
        ("مركز اجتماعي", "مركز اجتماعي"),
    ],
)
def test_match_key(text, key):
    assert match_key(text) == key


def test_different_non_latin_names_keep_different_keys():
    assert match_key("مركز") != match_key("Центр") != ""


def test_fold_keeps_the_text_but_case_and_accents():
    assert fold("Côtes-d’Armor") == "cotes-d’armor"


@pytest.mark.parametrize("text", ["Val-d'Oise", "val d oise", "Val dOise", "VAL D’OISE"])
def test_compact_key(text):
    assert compact_key(text) == "valdoise"
