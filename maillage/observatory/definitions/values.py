"""Turn raw answers (form strings, spreadsheet cells, Python values) into typed values, in French.

`parse_answer(question, raw)` returns `(value, problem)`: `value` is None when the answer is empty, `problem` a
French message (without the question's name) when the raw input cannot be read. Typed values:
integer → int; decimal, money, percentage → Decimal; boolean → bool; single choice → option value;
multiple choice → tuple of option values in the order of the options; texts → str; date → datetime.date;
grid → {row: {column: value}} holding only the filled cells.

Numbers accept the French decimal comma ("12,5"), spaces as thousands separators ("1 200", non-breaking spaces
too), "1.200,50", a trailing "€" or "%"; for integers and money "1.200" reads as 1200 (a decimal "1.250" stays
1.25). Yes/no accepts oui/non, o/n, vrai/faux, true/false, 1/0. Dates accept jj/mm/aaaa and aaaa-mm-jj.
`format_exact` writes a typed number or date back as the person would type it, every decimal kept.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from .questionnaire import GridColumn, Question
from .questionnaire import format_exact as format_exact  # defined with the conditions it writes; read from here

TRUE_WORDS = {"oui", "o", "vrai", "true", "yes", "1", "x"}
FALSE_WORDS = {"non", "n", "faux", "false", "no", "0"}
GROUPED_BY_DOTS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")


def is_empty(raw) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, dict):
        return all(is_empty(v) for v in raw.values())
    if isinstance(raw, list | tuple | set):
        return all(is_empty(v) for v in raw)
    return False


def parse_answer(question: Question, raw) -> tuple[object, str | None]:
    if question.type == "grid":
        return _parse_grid(question, raw)
    return parse_scalar(question.type, raw, options=question.options, max_length=question.max_length)


def parse_scalar(kind: str, raw, *, options=(), max_length: int | None = None) -> tuple[object, str | None]:
    if is_empty(raw):
        return None, None
    parser = _PARSERS[kind]
    try:
        if kind in ("single_choice", "multiple_choice"):
            return parser(raw, options), None
        if kind in ("short_text", "long_text"):
            return parser(raw, max_length), None
        return parser(raw), None
    except ValueError as exc:
        return None, str(exc)


def to_number(raw, *, grouped_dots: bool) -> Decimal:
    if isinstance(raw, bool):
        raise ValueError("nombre attendu, pas une réponse oui / non")
    if isinstance(raw, int | Decimal):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(str(raw))
    text = str(raw).strip().removesuffix("€").removesuffix("%").strip()
    text = re.sub(r"[\s\u00a0\u202f']", "", text)
    if "," in text and "." in text:
        text = text.replace(".", "").replace(",", ".")
    elif "," in text:
        text = text.replace(",", ".")
    elif grouped_dots and GROUPED_BY_DOTS.match(text):
        text = text.replace(".", "")
    if not NUMBER_RE.match(text):
        raise ValueError(f"nombre attendu, pas « {str(raw).strip()} »")
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex already filtered
        raise ValueError(f"nombre attendu, pas « {raw} »") from exc


def _integer(raw) -> int:
    number = to_number(raw, grouped_dots=True)
    if number != number.to_integral_value():
        raise ValueError(f"nombre entier attendu, pas « {format_exact(number)} »")
    return int(number)


def _decimal(raw) -> Decimal:
    return to_number(raw, grouped_dots=False)


def _money(raw) -> Decimal:
    number = to_number(raw, grouped_dots=True)
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(f"montant en euros attendu, avec au plus deux décimales, pas « {format_exact(number)} »")
    return number


def _boolean(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"répondre par oui ou non, pas « {str(raw).strip()} »")


def _match_option(raw, options) -> str:
    text = str(raw).strip()
    for option in options:
        if text == option.value:
            return option.value
    folded = text.casefold()
    for option in options:
        if folded in (option.value.casefold(), option.label.casefold()):
            return option.value
    raise ValueError(f"« {text} » ne fait pas partie des choix proposés")


def _single_choice(raw, options) -> str:
    if isinstance(raw, list | tuple | set):
        raise ValueError("un seul choix attendu")
    return _match_option(raw, options)


def _multiple_choice(raw, options) -> tuple[str, ...]:
    items = [raw] if isinstance(raw, str) else list(raw)
    chosen = {_match_option(item, options) for item in items if not is_empty(item)}
    return tuple(o.value for o in options if o.value in chosen)


def _text(raw, max_length: int | None) -> str:
    text = str(raw).strip()
    if max_length and len(text) > max_length:
        raise ValueError(f"texte trop long ({len(text)} caractères pour {max_length} au plus)")
    return text


def _date(raw) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = str(raw).strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a calendar date)
        except ValueError:
            continue
    raise ValueError(f"date attendue au format jj/mm/aaaa, pas « {text} »")


_PARSERS = {
    "integer": _integer,
    "decimal": _decimal,
    "money": _money,
    "percentage": _decimal,
    "boolean": _boolean,
    "single_choice": _single_choice,
    "multiple_choice": _multiple_choice,
    "short_text": _text,
    "long_text": _text,
    "date": _date,
}


def _parse_grid(question: Question, raw) -> tuple[object, str | None]:
    if is_empty(raw):
        return None, None
    if not isinstance(raw, dict):
        return None, "tableau attendu (une valeur par ligne et par colonne)"
    rows = {r.code: r for r in question.rows}
    columns = {c.code: c for c in question.columns}
    grid, problems = {}, []
    for row_code, cells in raw.items():
        if row_code not in rows:
            problems.append(f"ligne inconnue « {row_code} »")
            continue
        if not isinstance(cells, dict):
            problems.append(f"ligne « {rows[row_code].label} » : une valeur par colonne attendue")
            continue
        for column_code, cell in cells.items():
            column = columns.get(column_code)
            if column is None:
                problems.append(f"colonne inconnue « {column_code} »")
                continue
            value, problem = parse_scalar(column.type, cell, options=column.options, max_length=255)
            if problem:
                problems.append(f"{rows[row_code].label} / {column.label} : {problem}")
            elif value is not None:
                grid.setdefault(row_code, {})[column_code] = value
    if problems:
        return None, " ; ".join(problems)
    return grid or None, None


def grid_cells(question: Question, grid: dict):
    """Yield (row, column, value) for the filled cells of a parsed grid, in the order of the definition."""
    for row in question.rows:
        for column in question.columns:
            value = grid.get(row.code, {}).get(column.code)
            if value is not None:
                yield row, column, value


def column_of(question: Question, code: str) -> GridColumn:
    return next(c for c in question.columns if c.code == code)


def to_json(value):
    """A typed answer (or flag value) as stored in JSON: whole numbers as numbers, other decimals as exact text
    without trailing zeros, dates in ISO form, tuples as lists, mappings recursively.

    No trailing zeros: the stored text is read back by `parse_answer`, and "1.250" would read as 1250 for an
    amount in euros (a dot followed by three digits groups thousands); "1.25" cannot be taken for that.
    """
    if isinstance(value, bool) or value is None or isinstance(value, int | float | str):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else format(value.normalize(), "f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    raise TypeError(f"unexpected answer type {type(value)!r}")
