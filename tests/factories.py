"""Sheets and structures for tests, written through the services (so that history, search index and
facet counts follow, as in the application)."""

from maillage.actions.models import LIST_RELATIONS, Action, ActionState
from maillage.actions.services import begin_action_change, record_action_change
from maillage.referentials.models import ActionStatus, Department, Territory
from maillage.structures.models import Structure, StructureKind

LIST_FIELDS = tuple(LIST_RELATIONS)  # dimensions, keywords, initiative, public, partners


def make_structure(name: str = "Centre social des Lilas", department: str = "13", **fields) -> Structure:
    fields.setdefault("kind", StructureKind.CSX)
    return Structure.objects.create(name=name, department=Department.objects.get(code=department), **fields)


def make_sheet(title: str, structure: Structure | None = None, *, state=ActionState.PUBLISHED, **fields) -> Action:
    """A sheet; list fields take labels (`keywords=["Culture"]`), `status`/`territory` a label."""
    lists = {key: fields.pop(key, ()) for key in LIST_FIELDS}
    if "status" in fields:
        fields["status"] = ActionStatus.objects.get(label=fields["status"])
    if "territory" in fields:
        fields["territory"] = Territory.objects.get(label=fields["territory"])
    fields.setdefault("year", 2024)
    action = Action.objects.create(title=title, structure=structure or make_structure(), state=state, **fields)
    _link(action, lists)
    record_action_change(action, None, acting_user=None, source="test")
    return action


def change_sheet(action: Action, **fields) -> Action:
    """Change stored fields of a sheet through the services (as an edit or a state change would)."""
    previous = begin_action_change(action.pk)
    lists = {key: fields.pop(key) for key in LIST_FIELDS if key in fields}
    Action.objects.filter(pk=action.pk).update(**fields)
    for key in lists:
        LIST_RELATIONS[key][0].objects.filter(action=action).delete()
    _link(action, lists)
    action.refresh_from_db()
    record_action_change(action, previous, acting_user=None, source="test")
    return action


def _link(action: Action, lists: dict) -> None:
    for key, labels in lists.items():
        through, _ = LIST_RELATIONS[key]
        model = through._meta.get_field("item").related_model
        for position, label in enumerate(labels):
            through.objects.create(action=action, item=model.objects.get(label=label), position=position)
