import pytest

from config.settings.base import TASK_QUEUES

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}


@pytest.fixture
def database_queue(settings):
    """The database backend, as in development and production (the tests otherwise run tasks at once)."""
    settings.TASKS = DATABASE_TASKS
