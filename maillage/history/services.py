"""Keeping previous versions. Callers pass the snapshot taken before they change the object."""

from django.contrib.contenttypes.models import ContentType

from .models import Revision


def record_revision(obj, previous: dict, *, acting_user=None, source: str, comment: str = "") -> Revision:
    return Revision.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        data=previous,
        changed_by=acting_user,
        source=source,
        comment=comment,
    )
