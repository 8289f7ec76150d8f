"""Shared test helpers: running commands and reaching fixture files."""

import io
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

TESTS_DIR = Path(__file__).parent
# A copy of ../shared/seeds (public data: a real export and the JSON it must give), so that a clone alone
# runs every test.
SEEDS = TESTS_DIR / "data" / "seeds"


@contextmanager
def made_once_for_the_module(django_db_blocker):
    """Data that a module-scoped fixture makes once for all of the module's tests, as Django's
    `TestCase.setUpTestData`: made in a transaction that stays open while the module runs and is rolled back at
    its end. Each test runs in a savepoint within it, rolled back after the test, so what one test changes is gone
    for the next; objects kept in memory must be copied for each test."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


def command(*args, **options) -> tuple[str, str]:
    """Run a management command; returns (stdout, stderr). Exceptions propagate."""
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def run_command():
    """Run a management command; returns (stdout, stderr). Exceptions propagate to the test."""

    return command


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
