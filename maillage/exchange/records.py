"""The open-data record of an action sheet: the JSON format, also used inside the importer.

A record is a plain dict with the keys below; values are as in the text export (text fields are
lines joined with `\\n`, stripped; lists keep their order; missing values are `""`, `[]` or `None`).
"""

import hashlib
import json

SINGLE_CHOICE_KEYS = ("status", "territory")
MULTI_CHOICE_KEYS = ("dimensions", "keywords", "initiative", "public", "partners")
CONTENT_KEYS = (
    "title",
    "structure",
    "status",
    "end_reason",
    "dimensions",
    "keywords",
    "summary",
    "initiative",
    "initiative_detail",
    "territory",
    "experience",
    "public",
    "partners",
    "general_description",
    "financial_resources",
    "people_mobilised",
    "result_territory",
    "result_centre",
    "result_inhabitants",
    "limits",
    "perspectives",
    "files",
)
# Free-text fields (the title included), in the order of the sheet.
TEXT_KEYS = tuple(
    key for key in CONTENT_KEYS if key not in {"structure", "files", *SINGLE_CHOICE_KEYS, *MULTI_CHOICE_KEYS}
)


def empty_record() -> dict:
    record: dict = dict.fromkeys(TEXT_KEYS, "")
    record.update(dict.fromkeys(SINGLE_CHOICE_KEYS))
    for key in MULTI_CHOICE_KEYS:
        record[key] = []
    record["structure"] = None
    record["files"] = []
    return record


def fingerprint(record: dict) -> str:
    """SHA-256 of the content of a sheet: two sheets with the same fingerprint say exactly the same thing."""
    content = [record[key] for key in CONTENT_KEYS]
    # ASCII escapes: the C encoder's fast path; the digest only has to be stable and unambiguous.
    payload = json.dumps(content, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
