"""Action sheets as open-data records (the JSON format) and back."""

from django.conf import settings

from .records import CONTENT_KEYS, TEXT_KEYS


def action_record(action) -> dict:
    """The open-data record of an `Action` fetched with `with_export_relations()` (no extra query)."""
    record = {key: getattr(action, key) for key in TEXT_KEYS}
    structure = action.structure
    record["structure"] = (
        {"name": structure.name, "department": structure.department.name if structure.department else None}
        if structure
        else None
    )
    record["status"] = action.status.label if action.status else None
    record["territory"] = action.territory.label if action.territory else None
    record["dimensions"] = [link.item.label for link in action.actiondimension_set.all()]
    record["keywords"] = [link.item.label for link in action.actionkeyword_set.all()]
    record["initiative"] = [link.item.label for link in action.actioninitiative_set.all()]
    record["public"] = [link.item.label for link in action.actionpublic_set.all()]
    record["partners"] = [link.item.label for link in action.actionpartner_set.all()]
    record["files"] = [attached.name for attached in action.files.all()]
    return {key: record[key] for key in CONTENT_KEYS}


def action_export(action) -> dict:
    """The record plus what identifies the sheet on the platform."""
    export = {"id": action.pk, **action_record(action)}
    export["year"] = action.year
    export["state"] = action.state
    export["url"] = settings.SITE_URL + action.get_absolute_url()
    export["structure_id"] = action.structure_id
    export["probable_duplicate_of"] = action.probable_duplicate_of_id
    export["created_at"] = action.created_at.isoformat()
    export["updated_at"] = action.updated_at.isoformat()
    return export
