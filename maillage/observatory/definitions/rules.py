"""Reading the rules of a definition file: `sum`/`total` and `check` comparisons between question references and
numbers (`RuleReader`, a part of `builder.Builder`)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .fields import FieldReader
from .questionnaire import COMPARISON_OPERATORS, Ref, Rule, Source
from .yaml_marks import MarkedDict

REF_RE = re.compile(r"^([A-Z][A-Z0-9_]*)(?:\.(\*|[A-Za-z0-9_]+)(?:\.([A-Za-z0-9_]+))?)?$")
RULE_KEYS = {"code", "sum", "total", "check", "tolerance", "severity", "message"}


class RuleReader(FieldReader):
    def rule(self, data: MarkedDict, display: str) -> Rule | None:
        src = self.source_for(display, data)
        self.unknown_keys(data, RULE_KEYS, display, "de la règle")
        code = self.code(data, display, "la règle")
        what = f"la règle {code}"
        severity = data.get("severity", "error")
        if severity not in ("error", "warning"):
            self.error(src("severity"), f"{what} : « severity » vaut error ou warning, pas « {severity} »")
        tolerance = self.number_value(data.get("tolerance", 0), src("tolerance"), what) or Decimal(0)
        common = dict(code=code, source=src("code"), tolerance=tolerance, severity=severity,
                      message=self.text(data, "message", display, what))  # fmt: skip
        if ("sum" in data) + ("check" in data) != 1 or (("sum" in data) != ("total" in data)):
            self.error(src("code"), f"{what} : donner soit « sum » et « total », soit « check »")
            return None
        if "sum" in data:
            parts = [self.term(t, src("sum"), what) for t in self.items(data, "sum", display)]
            total = self.term(data["total"], src("total"), what)
            if not parts:
                self.error(src("sum"), f"{what} : « sum » sans parts")
            if not parts or None in parts or total is None:
                return None
            return Rule(left=tuple(parts), operator="==", right=(total,), **common)
        return self.expression(data["check"], src("check"), what, common)

    def expression(self, text, source: Source, what: str, common: dict) -> Rule | None:
        text = str(text)
        match = re.search(r"<=|>=|==|!=|<|>", text)
        if match is None or match.group() not in COMPARISON_OPERATORS:
            self.error(source, f"{what} : comparaison attendue (<=, <, >=, >, ==, !=) dans « {text} »")
            return None
        sides = []
        for side in (text[: match.start()], text[match.end() :]):
            side = side.strip()
            inner = re.fullmatch(r"sum\((.*)\)", side)
            terms = inner.group(1).split(",") if inner else side.split("+")
            sides.append([self.term(t.strip(), source, what) for t in terms])
        if any(None in side or not side for side in sides):
            return None
        return Rule(left=tuple(sides[0]), operator=match.group(), right=tuple(sides[1]), **common)

    def term(self, text, source: Source, what: str) -> Ref | Decimal | None:
        if isinstance(text, int | float | Decimal) and not isinstance(text, bool):
            return Decimal(str(text))
        text = str(text).strip()
        match = REF_RE.match(text)
        if match:
            return Ref(*match.groups())
        try:
            return Decimal(text.replace(",", "."))
        except InvalidOperation:
            self.error(source, f"{what} : « {text} » n'est ni un code de question ni un nombre")
            return None
