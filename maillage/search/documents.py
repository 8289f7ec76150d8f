"""What the index knows of a sheet, with field weights title > keywords > summary > other text."""

from dataclasses import dataclass

from maillage.exchange.records import TEXT_KEYS

WEIGHTED_TEXT_KEYS = ("title", "summary")
BODY_TEXT_KEYS = tuple(key for key in TEXT_KEYS if key not in WEIGHTED_TEXT_KEYS)


@dataclass(frozen=True)
class SearchDocument:
    title: str
    keywords: str
    summary: str
    body: str


def document_for_record(record: dict) -> SearchDocument:
    """Build the document from an open-data record (see `maillage.exchange.records`)."""
    structure = record["structure"] or {}
    lists = [*record["dimensions"], *record["public"], *record["partners"], *record["initiative"]]
    singles = [record["status"] or "", record["territory"] or ""]
    body = [
        structure.get("name") or "",
        structure.get("department") or "",
        *singles,
        *lists,
        *(record[key] for key in BODY_TEXT_KEYS),
    ]
    return SearchDocument(
        title=record["title"],
        keywords=" ".join(record["keywords"]),
        summary=record["summary"],
        body="\n".join(part for part in body if part),
    )
