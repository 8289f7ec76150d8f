"""An exact attacker of the observatory's public figures (for tests; independent of `disclosure.py`).

It reads only what is public: the published figures (the public workbook, or the same rows however produced), the
number of structures that answered per territory and group (`REPONSES`), and which questions each kind of structure
is asked. It writes every relation "total = sum of parts" of a year — all = CSX + EVS + kind not given; each kind =
urban + rural + territory not given; nation = regions + structures without a department; region = its departments;
income by funder = the funders; participants by age = the age bands — with the published figures and the cells
known to be empty as constants, and solves the system exactly (Gauss–Jordan over the rationals). It returns every
hidden figure the system pins down with its value, and every sum of a relation's hidden parts it pins down.

A cell is known to be empty when its group answered nothing (`REPONSES` 0), when the public directory of structures
shows none there (identity sheets are public: kind, territory type, department, or their absence), or when the
kinds of its group are not asked the indicator's questions.
"""

from __future__ import annotations

import io
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from maillage.observatory.figures import indicators

Key = tuple[int, str, str, str, str]  # year, scope, scope code, group, indicator code
Place = tuple[int, str, str, str]  # year, scope, scope code, group
NATION, REGION, DEPARTMENT = "nation", "region", "department"
UNKNOWN = "nr"
KIND_SPLIT = ("all", ("kind=csx", "kind=evs", f"kind={UNKNOWN}"))
TERRITORY_SPLITS = [(f"kind={k}", tuple(f"kind={k}|territory={t}" for t in ("urbain", "rural", UNKNOWN)))
                    for k in ("csx", "evs")]  # fmt: skip
GROUPS = ("all", *KIND_SPLIT[1], *(g for _, parts in TERRITORY_SPLITS for g in parts))
BREAKDOWNS = {"FINANCEMENT_TOTAL": "FINANCEMENT_", "PARTICIPANTS_AGES": "AGE_"}  # total → parts' prefix
RESPONSES = "REPONSES"
RHS = ("=",)  # the right-hand side's key in a row


@dataclass
class Publication:
    """What anyone can read."""

    published: dict[Key, Fraction] = field(default_factory=dict)  # the total behind each published figure
    secret: set[Key] = field(default_factory=set)  # rows shown "s"
    respondents: dict[Place, int] = field(default_factory=dict)  # REPONSES: structures that answered
    not_asked: dict[tuple[int, str], frozenset[str]] = field(default_factory=dict)  # (year, kind) → indicators
    directory: set[tuple[str, str, str]] = field(default_factory=set)  # (scope, code, group) holding structures

    @property
    def years(self) -> list[int]:
        return sorted({key[0] for key in (*self.published, *self.secret)})


def directory_of(facts: Iterable[tuple[str, str, str, str]]) -> set[tuple[str, str, str]]:
    """The (scope, scope code, group) cells holding structures, from their (kind, territory, department, region)
    as the public directory shows them ("" when not given)."""
    result = set()
    for kind, territory, department, region in facts:
        groups = ["all", f"kind={kind or UNKNOWN}"]
        if kind:
            groups.append(f"kind={kind}|territory={territory or UNKNOWN}")
        places = [(NATION, ""), (REGION, region if department else UNKNOWN)]
        if department:
            places.append((DEPARTMENT, department))
        result |= {(scope, code, group) for scope, code in places for group in groups}
    return result


def asked_codes(questions: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """Kind → the indicators none of whose questions the kind is asked (from its questionnaire's codes)."""
    result = {}
    for kind, codes in questions.items():
        codes = set(codes)
        result[kind] = frozenset(i.code for i in indicators.INDICATORS if i.questions and not codes & set(i.questions))
    return result


def from_workbook(data: bytes, not_asked: Mapping, directory: set) -> Publication:
    """Read the public workbook (`xlsx.workbook_bytes`)."""
    from openpyxl import load_workbook

    from maillage.observatory.figures.xlsx import group_label

    groups = {group_label(g): g for g in GROUPS}
    scopes = {"France": NATION, "Régions": REGION, "Départements": DEPARTMENT}
    publication = Publication(not_asked=dict(not_asked), directory=directory)
    book = load_workbook(io.BytesIO(data), read_only=True)
    for title, scope in scopes.items():
        rows = book[title].iter_rows(values_only=True)
        columns = {name: i for i, name in enumerate(next(rows))}
        for row in rows:
            key = (int(row[0]), scope, row[1] or "", groups[row[3]], row[4])
            structures, total = row[columns["Structures"]], row[columns["Total"]]
            if isinstance(structures, str):
                publication.secret.add(key)
                continue
            if key[4] == RESPONSES:
                publication.respondents[key[:4]] = int(structures)
            publication.published[key] = Fraction(Decimal(repr(total))) if total is not None else Fraction(0)
    return publication


def from_rows(rows: Mapping, not_asked: Mapping, directory: set) -> Publication:
    """What the workbook shows, from the rows it writes (`xlsx.load_rows`: key → summary with `secret`): as
    `from_workbook` reads it, without the minutes openpyxl spends on 100,000 rows."""
    publication = Publication(not_asked=dict(not_asked), directory=directory)
    for key, summary in rows.items():
        if summary.secret:
            publication.secret.add(key)
            continue
        if key[4] == RESPONSES:
            publication.respondents[key[:4]] = summary.answered
        publication.published[key] = Fraction(summary.total)
    return publication


def publish(year: int, figures: Mapping, secret: set, not_asked: Mapping, directory: set) -> Publication:
    """The publication of computed figures (`aggregates.compute_figures`) under the secrets `disclosure` chose (keys
    without the year), as the workbook would show them (rows of structures that answered nothing included)."""
    publication = Publication(not_asked=dict(not_asked), directory=directory)
    for (scope, scope_code, group), summaries in figures.items():
        for code, summary in summaries.items():
            if not summary.count:
                continue
            key = (year, scope, scope_code, group, code)
            if code == RESPONSES:
                publication.respondents[key[:4]] = summary.answered
            if (scope, scope_code, group, code) in secret:
                publication.secret.add(key)
            else:
                publication.published[key] = Fraction(summary.total)
    return publication


def relations(year: int, codes: Iterable[str], region_of: Mapping[str, str]) -> list[tuple[Key, tuple[Key, ...]]]:
    """(total, parts) of every relation among the figures of a year."""
    codes = sorted(set(codes) - {RESPONSES})
    departments_of: dict[str, list[str]] = defaultdict(list)
    for department, region in sorted(region_of.items()):
        departments_of[region].append(department)
    regions = [*sorted(departments_of), UNKNOWN]
    places = [(NATION, ""), *((REGION, r) for r in regions), *((DEPARTMENT, d) for d in region_of)]
    result = []
    for code in codes:
        for scope, scope_code in places:
            for total, parts in (KIND_SPLIT, *TERRITORY_SPLITS):
                result.append(((year, scope, scope_code, total, code),
                               tuple((year, scope, scope_code, p, code) for p in parts)))  # fmt: skip
        for group in GROUPS:
            result.append(((year, NATION, "", group, code), tuple((year, REGION, r, group, code) for r in regions)))
            for region, departments in departments_of.items():
                parts = tuple((year, DEPARTMENT, d, group, code) for d in departments)
                result.append(((year, REGION, region, group, code), parts))
    for total, prefix in BREAKDOWNS.items():
        parts = [c for c in codes if c.startswith(prefix) and c != total]
        if total in codes and parts:
            for scope, scope_code in places:
                for group in GROUPS:
                    result.append(((year, scope, scope_code, group, total),
                                   tuple((year, scope, scope_code, group, c) for c in parts)))  # fmt: skip
    return result


def known_value(publication: Publication, key: Key) -> Fraction | None:
    """The value of a cell when the attacker knows it (published or known to be empty), else None."""
    if key in publication.published:
        return publication.published[key]
    year, scope, scope_code, group, code = key
    answered = publication.respondents.get(key[:4])
    if answered == 0:
        return Fraction(0)
    kind = group.split("|")[0].removeprefix("kind=") if group.startswith("kind=") else None
    if kind in ("csx", "evs") and code in publication.not_asked.get((year, kind), ()):
        return Fraction(0)
    if (scope, scope_code, group) not in publication.directory:
        return Fraction(0)  # no structure there
    return None


@dataclass
class Attack:
    values: dict[Key, Fraction]  # hidden cells pinned down
    sums: list[tuple[tuple[Key, ...], Fraction]]  # hidden parts of a relation whose sum is pinned down (2 or more)


def attack(publication: Publication, region_of: Mapping[str, str]) -> Attack:
    """Everything the attacker pins down, year by year and family by family (independent systems)."""
    values: dict[Key, Fraction] = {}
    sums: list = []
    for year in publication.years:
        codes = {k[4] for k in (*publication.published, *publication.secret) if k[0] == year}
        families: dict[str, set[str]] = defaultdict(set)
        for code in codes:
            families[_family(code)].add(code)
        for members in families.values():
            found = _solve(publication, relations(year, members, region_of))
            values.update(found.values)
            sums += found.sums
    return Attack(values, sums)


def known_a_priori(
    publication: Publication, region_of: Mapping[str, str], keys: Iterable[Key] = (), sums: Iterable[tuple] = ()
) -> Attack:
    """What the attacker pins down with no published figure at all (answer counts, directory and questionnaire
    only), among the families of `keys` and `sums` (tuples of keys): its values, and those of `sums` it pins down.
    A figure known before anything is published is not given away by publishing."""
    bare = Publication(
        {k: v for k, v in publication.published.items() if k[4] == RESPONSES},
        publication.secret | {k for k in publication.published if k[4] != RESPONSES},
        publication.respondents, publication.not_asked, publication.directory,
    )  # fmt: skip
    keys, sums = list(keys), [tuple(combination) for combination in sums]
    values: dict[Key, Fraction] = {}
    pinned: list = []
    for year, family in sorted({(key[0], _family(key[4])) for key in (*keys, *(k for c in sums for k in c))}):
        members = {k[4] for k in (*publication.published, *publication.secret) if k[0] == year}
        asked = [c for c in sums if (c[0][0], _family(c[0][4])) == (year, family)]
        found = _solve(bare, relations(year, {c for c in members if _family(c) == family}, region_of), asked)
        values.update(found.values)
        pinned += [(combination, value) for combination, value in found.sums if combination in asked]
    return Attack(values, pinned)


def _family(code: str) -> str:
    return next((total for total, prefix in BREAKDOWNS.items() if code.startswith(prefix)), code)


def _solve(publication: Publication, links: list, combinations: Iterable[tuple] = ()) -> Attack:
    """Values are scaled to integers (cents, tenths…) so that elimination runs on Python integers, Fractions
    appearing only for pivots other than ±1. Sums: those of a relation's hidden parts, and those of `combinations`,
    that the system pins down."""
    equations, relation_unknowns = [], []
    for total, parts in links:
        terms = [(key, sign, known_value(publication, key)) for key, sign in ((total, 1), *((p, -1) for p in parts))]
        if any(value is None for _, _, value in terms):
            equations.append(terms)
            relation_unknowns.append([p for p, _, value in terms[1:] if value is None])
    scale = 1
    for terms in equations:
        for _, _, value in terms:
            if value is not None:
                scale = math.lcm(scale, value.denominator)
    rows = []
    for terms in equations:
        row: dict = {}
        for key, sign, value in terms:
            if value is None:
                row[key] = row.get(key, 0) + sign
            else:
                row[RHS] = row.get(RHS, 0) - sign * int(value * scale)
        rows.append(row)
    pivots = _echelon(rows)
    values = {}
    for pivot, row in pivots.items():
        if set(row) <= {pivot, RHS}:
            values[pivot] = Fraction(row.get(RHS, 0)) / scale
    sums = []
    for combination in [*(tuple(parts) for parts in relation_unknowns if len(parts) > 1), *combinations]:
        known = [known_value(publication, key) for key in combination]
        row = {key: 1 for key, value in zip(combination, known, strict=True) if value is None}
        rest = _reduce(row, pivots)
        if set(rest) <= {RHS}:
            constant = sum((value for value in known if value is not None), Fraction(0))
            sums.append((combination, constant - Fraction(rest.get(RHS, 0)) / scale))
    return Attack(values, sums)


def _reduce(row: dict, pivots: dict) -> dict:
    row = {k: v for k, v in row.items() if v}
    for pivot in [k for k in row if k in pivots]:
        factor = row.get(pivot)
        if factor:
            for key, value in pivots[pivot].items():
                row[key] = row.get(key, 0) - factor * value
                if not row[key]:
                    del row[key]
    return row


def _divide(value, by):
    if by == 1:
        return value
    if by == -1:
        return -value
    quotient = Fraction(value) / by
    return quotient.numerator if quotient.denominator == 1 else quotient


def _echelon(rows: list[dict]) -> dict:
    """Reduced row echelon form: pivot unknown → its row (coefficient 1 on the pivot, RHS kept beside)."""
    pivots: dict = {}
    holders: dict = defaultdict(set)  # unknown → pivots whose row holds it
    for original in rows:
        row = _reduce(original, pivots)
        unknowns = [k for k in row if k != RHS]
        if not unknowns:
            assert not row.get(RHS), "the published figures contradict each other"
            continue
        pivot = min(unknowns)
        scale = row[pivot]
        row = {k: _divide(v, scale) for k, v in row.items()}
        for other in list(holders[pivot]):
            target = pivots[other]
            factor = target[pivot]
            for key, value in row.items():
                target[key] = target.get(key, 0) - factor * value
                if target[key]:
                    holders[key].add(other)
                else:
                    del target[key]
                    holders[key].discard(other)
        pivots[pivot] = row
        for key in row:
            holders[key].add(pivot)
    return pivots
