"""The roles of the authorisation matrix (`tests/authz/conftest.py`) and old sheets for the freshness tests."""

from datetime import timedelta

from django.utils import timezone

from maillage.actions.models import Action
from tests.authz.conftest import ROLES, World, world  # noqa: F401 (the seven roles, shared)

MODERATORS = ("correspondent", "national_admin")


def make_old(action: Action, days: int = 800) -> Action:
    """Pretend the sheet was last changed `days` ago (`update()` leaves `auto_now` alone)."""
    Action.objects.filter(pk=action.pk).update(updated_at=timezone.now() - timedelta(days=days))
    action.refresh_from_db()
    return action
