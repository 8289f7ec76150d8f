"""Who may do what: every view, template, API endpoint and admin page asks these predicates.

Anonymous visitors read published sheets and the directory only. Members edit their structures'
sheets and identity; structure administrators also manage members. Correspondents moderate and edit
what belongs to their departments. National administrators may do everything.
"""

from django.db.models import Q

from maillage.actions.models import Action, ActionState
from maillage.observatory.models import Response, ResponseStatus
from maillage.structures.models import Structure

# A questionnaire the structure may still change: until it is transmitted, or once it is sent back.
EDITABLE_RESPONSE_STATUSES = (ResponseStatus.NOT_STARTED, ResponseStatus.IN_PROGRESS, ResponseStatus.RETURNED)


def is_national_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_national_admin or user.is_superuser))


def structure_ids(user) -> set[int]:
    """Structures the person is a member of."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_structure_ids", None)
    if cached is None:
        cached = user._structure_ids = set(user.memberships.values_list("structure_id", flat=True))
    return cached


def department_ids(user) -> set[int]:
    """Departments the person is a correspondent for."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_department_ids", None)
    if cached is None:
        cached = user._department_ids = set(user.correspondent_scopes.values_list("department_id", flat=True))
    return cached


def is_correspondent(user) -> bool:
    return bool(department_ids(user))


def can_moderate_department(user, department_id: int | None) -> bool:
    return is_national_admin(user) or (department_id is not None and department_id in department_ids(user))


def can_edit_structure(user, structure: Structure) -> bool:
    """Change the identity sheet and the sheets of a structure."""
    return (
        structure.pk in structure_ids(user)
        or can_moderate_department(user, structure.department_id)
        or is_national_admin(user)
    )


def can_manage_members(user, structure: Structure) -> bool:
    """Invite and remove members: the structure's administrators, its correspondents, national admins."""
    if is_national_admin(user) or can_moderate_department(user, structure.department_id):
        return True
    return user.is_authenticated and user.memberships.filter(structure=structure, is_admin=True).exists()


def can_view_action(user, action: Action) -> bool:
    """Published sheets are public; the others are seen by those who may edit or moderate them."""
    return action.state == ActionState.PUBLISHED or can_edit_action(user, action)


def can_edit_action(user, action: Action) -> bool:
    if action.structure_id is None:
        return is_national_admin(user)
    return can_edit_structure(user, action.structure)


def can_moderate_action(user, action: Action) -> bool:
    department_id = action.structure.department_id if action.structure_id else None
    return can_moderate_department(user, department_id)


def visible_actions(user, queryset=None):
    """Sheets the person may see: published ones, plus those of their structures and departments."""
    queryset = Action.objects.all() if queryset is None else queryset
    if is_national_admin(user):
        return queryset
    return queryset.filter(
        Q(state=ActionState.PUBLISHED)
        | Q(structure_id__in=structure_ids(user))
        | Q(structure__department_id__in=department_ids(user))
    )


def moderated_actions(user, queryset=None):
    """Sheets in the person's moderation scope (their departments; everything for national admins)."""
    queryset = Action.objects.all() if queryset is None else queryset
    if is_national_admin(user):
        return queryset
    return queryset.filter(structure__department_id__in=department_ids(user))


def can_create_structure(user) -> bool:
    return is_national_admin(user) or is_correspondent(user)


def can_assign_members(user, structure: Structure) -> bool:
    """Attach an existing account to a structure: its correspondents and national administrators."""
    return can_moderate_department(user, structure.department_id)


def can_import(user) -> bool:
    return is_national_admin(user) or is_correspondent(user)


def visible_import_jobs(user, queryset):
    """Background imports a person may follow (progress page, report, confirmation): the ones they started;
    every one for national administrators. Others get a 404, as if the job did not exist."""
    if is_national_admin(user):
        return queryset
    if not user.is_authenticated:
        return queryset.none()
    return queryset.filter(started_by=user)


def can_view_observatory_answers(user, structure: Structure) -> bool:
    """A structure's questionnaires and its « se situer » comparison: its members, its department's
    correspondents and national administrators."""
    return structure.pk in structure_ids(user) or can_moderate_department(user, structure.department_id)


def can_fill_response(user, response: Response) -> bool:
    """Only the structure's members fill it in, and only while it has not been transmitted (or was returned)."""
    return response.structure_id in structure_ids(user) and response.status in EDITABLE_RESPONSE_STATUSES
