"""Shared test helpers: running commands and reaching fixture files."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

TESTS_DIR = Path(__file__).parent
# A copy of ../shared/seeds (public data: a real export and the JSON it must give), so that a clone alone
# runs every test.
SEEDS = TESTS_DIR / "data" / "seeds"


@pytest.fixture
def run_command():
    """Run a management command; returns (stdout, stderr). Exceptions propagate to the test."""

    def run(*args, **options):
        out, err = io.StringIO(), io.StringIO()
        call_command(*args, stdout=out, stderr=err, **options)
        return out.getvalue(), err.getvalue()

    return run


@pytest.fixture(autouse=True)
def fresh_search_caches():
    """Each test starts with no facet index, match or similar-sheet cache left by another test's data."""
    from maillage.search import engine, facets, similar, suggestions, vocabulary

    facets.forget()
    vocabulary.forget()
    engine.clear_match_cache()
    similar.forget()
    suggestions.forget_vocabulary()
    yield
