"""Public pages. Views parse the request, call a queryset and render: no business rules here."""

from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render

from maillage.actions.models import Action
from maillage.exchange.action_json import action_records
from maillage.exchange.structure_json import STRUCTURE_RELATIONS
from maillage.structures.models import Structure

LATEST_ACTIONS = 10


def home(request):
    published = Action.objects.published()
    latest = published.select_related("structure__department").order_by(F("published_at").desc(nulls_last=True), "-id")
    context = {
        "action_count": published.count(),
        "structure_count": Structure.objects.count(),
        "latest_actions": latest[:LATEST_ACTIONS],
    }
    return render(request, "www/home.html", context)


def action_detail(request, pk: int, slug: str | None = None):
    action = get_object_or_404(Action.objects.published().select_related("structure"), pk=pk)
    if slug != action.slug:
        return redirect(action, permanent=True)
    record = action_records([action.pk])[action.pk]
    return render(request, "www/action_detail.html", {"action": action, "record": record})


def structure_detail(request, pk: int):
    structure = get_object_or_404(Structure.objects.select_related(*STRUCTURE_RELATIONS, "department__region"), pk=pk)
    actions = structure.actions.published().order_by("title", "id")
    return render(request, "www/structure_detail.html", {"structure": structure, "actions": actions})
