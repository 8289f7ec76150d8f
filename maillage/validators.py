"""Single-line texts: a title, a name, an address line, a label hold no line break.

A line break in a title ends up in an e-mail subject (which refuses it), and a text export writes it as a new
line (which a re-import reads as the start of another field). Models put `NoLineBreaks` on their single-line
fields, so that ModelForms and the admin refuse one; importers check the same fields (`single_line_fields`);
what is built from such a text for a header goes through `one_line` all the same.
"""

import functools
import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

# What `str.splitlines()` splits on: line feed, carriage return, vertical tab, form feed, the file, group and
# record separators, next line, line and paragraph separators.
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_BREAK = re.compile(f"[{LINE_BREAKS}]")
_BREAKS_AND_SPACES = re.compile(rf"\s*[{LINE_BREAKS}]\s*")


def has_line_break(text: str) -> bool:
    return isinstance(text, str) and _LINE_BREAK.search(text) is not None


def line_break_name(text: str) -> str:
    """How to name the first line break of `text` in a message (« U+000D »)."""
    found = _LINE_BREAK.search(text)
    return f"U+{ord(found[0]):04X}" if found else ""


def one_line(text: str) -> str:
    """`text` with each line break (and the spaces around it) made one space: for e-mail subjects and other
    headers, and for writing a single-line value on one line whatever was stored."""
    return _BREAKS_AND_SPACES.sub(" ", text).strip() if has_line_break(text) else text


@deconstructible
class NoLineBreaks:
    """Refuses a line break; `subject` names the field in the message (« Le titre »)."""

    code = "line_break"

    def __init__(self, subject: str = "Ce champ"):
        self.subject = subject

    def __call__(self, value) -> None:
        if has_line_break(value):
            raise ValidationError(
                f"{self.subject} tient sur une ligne : retirez-en les retours à la ligne.", code=self.code
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, NoLineBreaks) and other.subject == self.subject


@functools.cache
def single_line_fields(model) -> frozenset[str]:
    """Names of the fields of `model` that refuse line breaks."""
    return frozenset(
        field.name
        for field in model._meta.get_fields()
        if any(isinstance(validator, NoLineBreaks) for validator in getattr(field, "validators", ()))
    )


def join_lines_in(app_label: str, fields: dict[str, tuple[str, ...]]):
    """A data migration (for `RunPython`) making the stored values of `fields` (model name → field names)
    single-line with `one_line`, for rows saved before the fields refused line breaks. Saved with `update()`:
    the search index splits words on a line break as on a space, so it needs no change. A unique value that
    would become another row's value is left for a person to correct."""

    def forwards(apps, schema_editor) -> None:
        from django.db.models import Q

        for model_name, names in fields.items():
            model = apps.get_model(app_label, model_name)
            for name in names:
                broken = Q()
                for character in LINE_BREAKS:
                    broken |= Q(**{f"{name}__contains": character})
                unique = model._meta.get_field(name).unique
                for pk, value in model.objects.filter(broken).values_list("pk", name).iterator():
                    joined = one_line(value)
                    if unique and model.objects.filter(**{name: joined}).exists():
                        continue
                    model.objects.filter(pk=pk).update(**{name: joined})

    return forwards
