"""Property: any sheet the text format can hold is read back exactly as it was written."""

from hypothesis import given, settings
from hypothesis import strategies as st

from maillage.exchange.action_text import (
    LABELS,
    PAGE_HEADER,
    PARTNERS_SUBHEADER,
    SHEET_MARKER,
    DepartmentMatcher,
    parse_blocks,
    write_sheet,
)
from maillage.exchange.records import MULTI_CHOICE_KEYS, TEXT_KEYS, empty_record
from maillage.referentials.seed_data import DEPARTMENTS

DEPARTMENT_NAMES = [name for _, name, _ in DEPARTMENTS]
MATCHER = DepartmentMatcher(DEPARTMENT_NAMES)
RESERVED_LINES = {*LABELS, SHEET_MARKER, PAGE_HEADER, PARTNERS_SUBHEADER, "-"}

# Printable text without line breaks; the format trims each line.
characters = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\u0085")
line = st.text(characters, max_size=40).map(str.strip).filter(lambda text: text not in RESERVED_LINES)
non_empty_line = line.filter(bool)
free_text = st.lists(st.one_of(line, st.just("- " + "puce")), max_size=5).map(lambda lines: "\n".join(lines).strip())
# A value is written as "- value": it must not read as a label (a format limit, not a parser one).
list_value = non_empty_line.filter(lambda text: not text.startswith("- ") and f"- {text}" not in LABELS)
values = st.lists(list_value, max_size=4, unique=True)
structure_name = list_value.filter(lambda name: MATCHER.find(name.rpartition(" - ")[2]) is None)
structure = st.one_of(
    st.none(),
    st.builds(
        lambda name, department: {"name": name, "department": department},
        structure_name,
        st.sampled_from([*DEPARTMENT_NAMES, None]),
    ),
)


@st.composite
def records(draw) -> dict:
    record = empty_record()
    for key in TEXT_KEYS:
        record[key] = draw(line if key == "title" else free_text)
    for key in MULTI_CHOICE_KEYS:
        record[key] = draw(values)
    record["status"] = draw(st.one_of(st.none(), list_value))
    record["territory"] = draw(st.one_of(st.none(), list_value))
    record["files"] = draw(values)
    record["structure"] = draw(structure)
    return record


@settings(max_examples=300, deadline=None)
@given(st.lists(records(), min_size=1, max_size=3))
def test_written_sheets_are_read_back_unchanged(sheets):
    text = PAGE_HEADER + "\n" + "".join(write_sheet(record) for record in sheets)
    parsed = [sheet for sheet in parse_blocks([(1, text.split("\n"))], MATCHER) if sheet.record]
    assert [sheet.record for sheet in parsed] == sheets
    assert not any(sheet.errors for sheet in parsed)
