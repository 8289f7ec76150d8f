"""The counts on the moderation tabs (« Fiches à examiner (12) », …), for every page that shows the tabs.

A tag rather than each view's context: the tabs are included by the moderation pages and by the observatory's
check and administration pages alike. Bounded queries (`actions.moderation.tab_counts`, and two for the
questionnaires to check), kept a minute per person in the cache.
"""

from django import template
from django.core.cache import cache

from maillage.actions import moderation
from maillage.observatory.checks import checking
from maillage.observatory.models import Campaign, ResponseStatus

register = template.Library()


@register.simple_tag(takes_context=True)
def moderation_tab_counts(context) -> dict:
    """The counts, kept a minute per person (one cache read on most pages); the duplicates page shows the
    number of pairs it has just found."""
    user = context["request"].user
    key = moderation.tab_counts_key(user)
    counts = cache.get(key)
    if counts is None:
        counts = _counts(user)
        cache.set(key, counts, moderation.TAB_COUNTS_TTL)
    if context.get("tab") == "duplicates" and "pairs" in context:
        counts = {**counts, "duplicates": len(context["pairs"])}
    return counts


def _counts(user) -> dict:
    counts = moderation.tab_counts(user)
    return {
        "queue": counts.submitted,
        "pending": counts.pending,
        "duplicates": counts.duplicates,
        "stale": counts.stale,
        "orphans": counts.orphans,
        "observatory": _questionnaires_to_check(user),
    }


def _questionnaires_to_check(user) -> int:
    """Questionnaires transmitted and waiting for a check, in the latest campaign (where the dashboard opens)."""
    campaign = Campaign.objects.first()
    if campaign is None:
        return 0
    structures = checking.with_status(checking.expected_structures(campaign, user), campaign)
    return structures.filter(response_status=ResponseStatus.SUBMITTED).count()
