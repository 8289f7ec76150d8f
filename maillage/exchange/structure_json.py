"""Structures as open-data records (the JSON format of the directory)."""

from maillage.site_url import site_url

STRUCTURE_KEYS = (
    "name",
    "kind",
    "street",
    "postcode",
    "commune",
    "department",
    "email",
    "website",
    "phone",
    "opening_hours",
    "siret",
    "first_approval",
    "population",
    "history",
    "axes",
    "management_mode",
    "territory_type",
    "territory_size",
    "priority_geography",
    "fcsf_member",
    "other_federation",
    "travellers",
    "multi_site",
    "itinerant",
)
# Record keys stored as they are in a model field of the same name.
PLAIN_KEYS = (
    "name",
    "street",
    "postcode",
    "commune",
    "email",
    "website",
    "phone",
    "opening_hours",
    "siret",
    "population",
    "history",
    "other_federation",
    "fcsf_member",
    "travellers",
    "multi_site",
    "itinerant",
)
_CHOICE_KEYS = ("management_mode", "territory_type", "territory_size", "priority_geography")


def structure_record(structure) -> dict:
    """The open-data record of a `Structure` (fetch with `select_related(*STRUCTURE_RELATIONS)`)."""
    record = {key: getattr(structure, key) for key in PLAIN_KEYS}
    record["kind"] = structure.kind or None
    record["department"] = structure.department.name if structure.department_id else None
    record["first_approval"] = structure.first_approval.isoformat() if structure.first_approval else None
    record["axes"] = structure.axes
    for key in _CHOICE_KEYS:
        item = getattr(structure, key)
        record[key] = item.label if item else None
    return {key: record[key] for key in STRUCTURE_KEYS}


STRUCTURE_RELATIONS = ("department__region", *_CHOICE_KEYS)


def structure_export(structure) -> dict:
    export = {"id": structure.pk, **structure_record(structure)}
    export["department_code"] = structure.department.code if structure.department_id else None
    export["region"] = structure.department.region.name if structure.department_id else None
    export["siret_flagged"] = structure.siret_flagged
    export["url"] = site_url() + structure.get_absolute_url()
    return export
