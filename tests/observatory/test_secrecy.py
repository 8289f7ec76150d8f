import pickle

import pytest

from maillage.observatory.figures.secrecy import SECRET, is_primary_secret, is_secret


def test_secret_is_a_marker_not_a_number():
    assert str(SECRET) == "secret statistique"
    assert not SECRET and is_secret(SECRET) and not is_secret(0)
    assert pickle.loads(pickle.dumps(SECRET)) is SECRET
    with pytest.raises(TypeError):
        SECRET + 1  # noqa: B018


def test_primary_rule_below_five_structures():
    assert is_primary_secret(4) and is_primary_secret(0)
    assert not is_primary_secret(5)
