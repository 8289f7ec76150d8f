"""The text the index holds for each sheet, defined once as an SQL query.

Columns: `title`, `keywords`, `summary`, `labels` (structure, department and the other closed-list
labels) and one column per other text field, weighted in that order (title > keywords > summary >
other text). Indexing is `INSERT … SELECT` from this query, so that big imports never pass the text
through Python a second time; keeping the text fields in their own columns spares SQLite from gluing
them together. (Not a database view: SQLite's table rebuilds in later migrations would trip over one.)
"""

from maillage.exchange.records import TEXT_KEYS

# Every text field of the record but the title and the summary, which have columns of their own.
TEXT_COLUMNS = tuple(key for key in TEXT_KEYS if key not in ("title", "summary"))
INDEX_COLUMNS = ("title", "keywords", "summary", "labels", *TEXT_COLUMNS)
# Relative weights of the columns, in the order of INDEX_COLUMNS.
WEIGHTS = (10.0, 5.0, 2.0) + (1.0,) * (len(INDEX_COLUMNS) - 3)
# (through table, reference table) of the multi-valued lists shown in `labels`.
LABEL_LISTS = (
    ("actions_actiondimension", "referentials_dimension"),
    ("actions_actionpublic", "referentials_public"),
    ("actions_actionpartner", "referentials_partner"),
    ("actions_actioninitiative", "referentials_initiative"),
)
KEYWORDS = ("actions_actionkeyword", "referentials_keyword")


def _labels(vendor: str, through: str, items: str) -> str:
    aggregate = "string_agg(i.label, ' ')" if vendor == "postgresql" else "group_concat(i.label, ' ')"
    return f"(SELECT {aggregate} FROM {through} l JOIN {items} i ON i.id = l.item_id WHERE l.action_id = a.id)"


def source_select(vendor: str) -> str:
    """`SELECT id, <INDEX_COLUMNS> FROM actions_action a …`, to be followed by a WHERE on `a.id`."""
    parts = ["s.name", "d.name", "st.label", "t.label", *(_labels(vendor, *pair) for pair in LABEL_LISTS)]
    if vendor == "postgresql":
        labels = "concat_ws(' ', " + ", ".join(parts) + ")"
    else:
        labels = " || ' ' || ".join(f"coalesce({part}, '')" for part in parts)
    texts = ", ".join(f"a.{column} AS {column}" for column in TEXT_COLUMNS)
    return f"""SELECT a.id AS id, a.title AS title, coalesce({_labels(vendor, *KEYWORDS)}, '') AS keywords,
    a.summary AS summary, {labels} AS labels, {texts}
FROM actions_action a
LEFT JOIN structures_structure s ON s.id = a.structure_id
LEFT JOIN referentials_department d ON d.id = s.department_id
LEFT JOIN referentials_actionstatus st ON st.id = a.status_id
LEFT JOIN referentials_territory t ON t.id = a.territory_id"""
