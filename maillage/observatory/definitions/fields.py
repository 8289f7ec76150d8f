"""The reader every part of a questionnaire definition builds on: the list of errors (file and line) and the
small typed readers of YAML values (codes, texts, booleans, kinds, lists, numbers, dates).

A reader never raises on bad input: it records an error and returns a neutral value, so that one pass reports every
problem of a file.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from .questionnaire import KINDS, DefinitionError, Source
from .yaml_marks import MarkedDict, MarkedList

CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")


class FieldReader:
    def __init__(self):
        self.errors: list[DefinitionError] = []

    def error(self, source: Source, message: str) -> None:
        self.errors.append(DefinitionError(source.file, source.line, message))

    @staticmethod
    def source_for(display: str, data: MarkedDict):
        return lambda key: Source(display, data.line_of(key))

    def unknown_keys(self, data: MarkedDict, allowed: set, display: str, what: str) -> None:
        for key in data:
            if key not in allowed:
                self.error(Source(display, data.line_of(key)), f"clé inconnue « {key} » {what}")

    def code(self, data: MarkedDict, display: str, what: str) -> str:
        code = data.get("code")
        if not isinstance(code, str) or not CODE_RE.match(code):
            rule = "majuscules, chiffres et _, commençant par une lettre"
            self.error(self.source_for(display, data)("code"), f"{what} : code « {code} » invalide ({rule})")
            return str(code)
        return code

    def text(self, data: MarkedDict, key: str, display: str, what: str, *, required: bool = False) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(self.source_for(display, data)(key), f"{what} : « {key} » manquant")
            return ""
        if not isinstance(value, str | int | float):
            self.error(self.source_for(display, data)(key), f"{what} : « {key} » doit être un texte")
            return ""
        return str(value).strip()

    def boolean(self, data: MarkedDict, key: str, display: str, what: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.error(self.source_for(display, data)(key), f"{what} : « {key} » vaut true ou false")
            return False
        return value

    def kinds(self, data: MarkedDict, display: str, what: str) -> tuple[str, ...]:
        kinds = data.get("kinds", list(KINDS))
        if not isinstance(kinds, list) or not kinds or any(k not in KINDS for k in kinds):
            self.error(self.source_for(display, data)("kinds"), f"{what} : « kinds » est une liste parmi csx, evs")
            return KINDS
        return tuple(kinds)

    def items(self, data: MarkedDict, key: str, display: str, *, required: bool = False) -> MarkedList:
        value = data.get(key)
        if value is None:
            if required:
                self.error(self.source_for(display, data)(key), f"« {key} » manquant (liste attendue)")
            return MarkedList()
        if not isinstance(value, MarkedList):
            self.error(self.source_for(display, data)(key), f"« {key} » doit être une liste")
            return MarkedList()
        return value

    def string_list(self, data: MarkedDict, key: str, display: str) -> list[tuple[str | None, Source]]:
        value = data.get(key)
        if isinstance(value, str):
            return [(value, self.source_for(display, data)(key))]
        items = self.items(data, key, display)
        return [(str(v) if v is not None else None, Source(display, items.line_of(i))) for i, v in enumerate(items)]

    def number_value(self, value, source: Source, what: str) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            self.error(source, f"{what} : nombre attendu, pas « {value} »")
            return None
        try:
            return Decimal(str(value).replace(",", ".").replace(" ", ""))
        except InvalidOperation:
            self.error(source, f"{what} : nombre attendu, pas « {value} »")
            return None

    def date_value(self, value, source: Source, what: str) -> datetime.date | None:
        if value is None or isinstance(value, datetime.date):
            return value
        try:
            return datetime.datetime.strptime(str(value), "%d/%m/%Y").date()  # noqa: DTZ007 (a calendar date)
        except ValueError:
            self.error(source, f"{what} : date attendue (jj/mm/aaaa ou aaaa-mm-jj), pas « {value} »")
            return None
