"""Building what the sheet form posts."""

from django.core.files.uploadedfile import SimpleUploadedFile

from maillage.actions import editing
from maillage.referentials.models import ActionStatus, Initiative, Keyword

from .conftest import PDF_BYTES


def form_data(action=None, **overrides) -> dict:
    """The fields the form would post for `action` (its current content), or for a new sheet."""
    if action is not None:
        content = editing.SheetContent.of(action)
        data = {key: value for key, value in content.texts.items()}
        data["status"] = content.status_id or ActionStatus.objects.get(label="En cours").pk
        data["territory"] = content.territory_id or ""
        for key, ids in content.lists.items():
            data[key] = ids
        data["version"] = editing.edit_version(action, editing.pending_of(action))
    else:
        data = {"title": "Jardin partagé", "status": ActionStatus.objects.get(label="En cours").pk,
                "summary": "Un potager au pied des immeubles.", "version": ""}  # fmt: skip
    data.update(overrides)
    return data


def status_id(label: str) -> int:
    return ActionStatus.objects.get(label=label).pk


def initiative_id(label: str) -> int:
    return Initiative.objects.get(label=label).pk


def keyword_id(label: str) -> int:
    return Keyword.objects.get(label=label).pk


def pdf(name: str = "programme.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")
