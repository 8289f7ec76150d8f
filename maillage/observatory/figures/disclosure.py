"""Which aggregates may be published: statistical secrecy decided once per year, for every page and export, against
an attacker who reads everything that is public and solves the sums exactly.

What is public: every published figure (pages, CSV, PDF, XLSX, « se situer »: all read `Aggregate.secret`), the
number of structures that answered per territory and group (`REPONSES`), and the questionnaire (which kind of
structure is asked what). What the attacker knows of the figures: for every indicator of a year, the relations
"total = sum of parts" —

* groups: all structures = CSX + EVS + kind not given; each kind = urban + rural + territory type not given;
* territories: the nation = its regions + the structures without a department (region `UNKNOWN`); each region = its
  departments;
* breakdowns: the funders' amounts = the income by funder; the age bands = the participants by age.

Every structure is in exactly one part of each split: a missing kind, territory type or department is a part of its
own, "non renseigné" (`UNKNOWN`), kept secret like any other (else national − parts would give its answers).

A cell (one territory, one group) is a *constant* when its value may be known without it being published: empty
(no structure answered it: it adds 0), or asked of no structure of its kind (EVS are not asked questions meant for
CSX: they add 0 — no answer, or 0 ETP for those without employees), and, to a fixpoint, the last unknown of a
relation whose other members are constants. Constants are never counted on to hide anything. An empty cell shows
no figure ("—") when the questionnaire says it is empty, "s" otherwise (outsiders do not know that nobody answered).
The other cells are the unknowns of a linear system; a hidden one is *determined* when the published cells pin it
down (`elimination.Span`: exact Gauss–Jordan over the rationals). The rules:

1. Primary: a figure resting on 1 to 4 structures is secret.
2. No secret figure on 1–4 structures may be determined, and neither may the sum of the hidden parts of a relation
   when together they rest on 1–4 structures (two departments of 2 centres each, beside a published region).
   Cheap local rules catch most cases (a relation with exactly one hidden cell; hidden parts of a published total
   resting together on fewer than 5 structures); exact elimination then finds what chains of relations give away.
3. Secondary suppression hides the cheapest published cell of a relation involved: first one whose other relations
   already hold a hidden cell (it does not cascade), then the one resting on the fewest structures. A part equal to
   its total (the other parts are empty: EVS are not asked questions meant for CSX) is never hidden for the other
   parts' sake: they are known to be empty, so the national CSX figure of a CSX-only question is published.

The parts of a breakdown are read from one grid, so in a cell they rest on the same structures: a breakdown's
figures of one cell are published or hidden together (hidden when any of them is primary secret), which makes the
"funders = total" relation hold among hidden cells only and reduces each family to one table (territories × groups).

`aggregates.refresh_year` stores the result in `Aggregate.secret`; report pages, CSV, PDF, XLSX and « se situer »
show "s" for those rows. Means and shares are secret with their totals: a mean times its (public) number of
structures is a total. How many structures answered (`REPONSES`) is public. `hidden_shares` measures how much is
hidden (`bench_observatory --secrecy`).
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping

from ..models import Aggregate, AggregateScope, Questionnaire
from . import indicators
from .elimination import Span
from .secrecy import MIN_STRUCTURES

Key = tuple[str, str, str, str]  # scope, scope code, group, indicator code
Cell = tuple[str, str, str]  # scope, scope code, group
Relation = tuple[Cell, tuple[Cell, ...]]  # total, parts

ALL = "all"
UNKNOWN = "nr"  # « non renseigné »: kind, territory type or department not given on the identity sheet
KINDS = ("csx", "evs")
TERRITORIES = ("urbain", "rural")
GROUP_SPLITS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (ALL, tuple(f"kind={kind}" for kind in (*KINDS, UNKNOWN))),
    *((f"kind={kind}", tuple(f"kind={kind}|territory={t}" for t in (*TERRITORIES, UNKNOWN))) for kind in KINDS),
)
GROUPS = (ALL, *(part for _, parts in GROUP_SPLITS for part in parts))
BREAKDOWN_TOTALS = {"FINANCEMENT_": "FINANCEMENT_TOTAL", "AGE_": "PARTICIPANTS_AGES"}  # parts' prefix → total
PUBLIC_CODES = frozenset(i.code for i in indicators.INDICATORS if i.kind == "count")
BATCH = 500


def family_of(code: str) -> str:
    """The indicator whose table a figure belongs to: a breakdown's parts go with their total."""
    for prefix, total in BREAKDOWN_TOTALS.items():
        if code.startswith(prefix):
            return total
    return code


def is_primary(structures: int) -> bool:
    return 0 < structures < MIN_STRUCTURES


def cell_relations(region_of: Mapping[str, str]) -> list[Relation]:
    """Every "total = sum of parts" between cells of one indicator (see the module docstring)."""
    departments_of: dict[str, list[str]] = defaultdict(list)
    for department, region in sorted(region_of.items()):
        departments_of[region].append(department)
    regions = [*sorted(departments_of), UNKNOWN]
    places = [(AggregateScope.NATION, ""), *((AggregateScope.REGION, r) for r in regions),
              *((AggregateScope.DEPARTMENT, d) for d in sorted(region_of))]  # fmt: skip
    result: list[Relation] = []
    for scope, code in places:
        result += [((scope, code, total), tuple((scope, code, p) for p in parts)) for total, parts in GROUP_SPLITS]
    for group in GROUPS:
        result.append(((AggregateScope.NATION, "", group), tuple((AggregateScope.REGION, r, group) for r in regions)))
        for region, departments in departments_of.items():
            parts = tuple((AggregateScope.DEPARTMENT, d, group) for d in departments)
            result.append(((AggregateScope.REGION, region, group), parts))
    return result


def secret_keys(
    answered: Mapping[Key, int], region_of: Mapping[str, str], unasked: Mapping[str, Iterable[str]] | None = None
) -> set[Key]:
    """The keys that may not be published. `answered`: the structures behind each figure; `unasked`: kind → the
    indicators none of whose questions that kind is asked (`unasked_indicators`): its cells add 0 to every total
    (no answer, or 0 ETP for a structure without employees), which anyone reading the questionnaire knows."""
    unasked = {kind: set(codes) for kind, codes in (unasked or {}).items()}
    tables: dict[str, dict[Cell, int]] = defaultdict(dict)
    primary: dict[str, set[Cell]] = defaultdict(set)
    for (scope, code, group, indicator), count in answered.items():
        if indicator in PUBLIC_CODES:
            continue
        family, cell = family_of(indicator), (scope, code, group)
        tables[family][cell] = max(count, tables[family].get(cell, 0))
        if is_primary(count):
            primary[family].add(cell)
    relations = cell_relations(region_of)
    hidden, known = {}, {}
    for family, counts in tables.items():
        known[family] = {cell for cell in counts if family in unasked.get(_kind_of(cell[2]), ())}
        hidden[family] = Table(counts, relations, known[family]).protect(primary[family]) | primary[family]
    # An empty figure is known when the questionnaire does not ask it ("—"); else it stays hidden: nobody outside
    # knows that no structure answered (it is a constant 0 for `Table` all the same, never counted on to hide).
    return {
        key
        for key, count in answered.items()
        if key[3] not in PUBLIC_CODES
        and (key[:3] in hidden[family_of(key[3])] or count == 0 and key[:3] not in known[family_of(key[3])])
    }


def _kind_of(group: str) -> str:
    return group.split("|")[0].removeprefix("kind=") if group != ALL else ""


def unasked_indicators(year: int) -> dict[str, frozenset[str]]:
    """Kind → the indicators none of whose questions the year's questionnaire of that kind asks."""
    result = {}
    for questionnaire in Questionnaire.objects.filter(campaign__year=year):
        if questionnaire.main_file not in (questionnaire.sources or {}):
            continue  # no questionnaire text kept: nothing is known of what it asks
        codes = {question.code for question in questionnaire.definition().questions}
        result[questionnaire.kind] = frozenset(
            item.code for item in indicators.INDICATORS if item.questions and not codes.intersection(item.questions)
        )
    return result


class Table:
    """One indicator's cells (territories × groups) with their relations; `protect` decides what to hide.

    Cells whose value anyone knows are constants and never hide anything: empty cells, `known` ones, and, to a
    fixpoint, the last unknown of a relation whose other members are constants (a department's "all" figure when
    its only structures are EVS not asked the question)."""

    def __init__(self, counts: Mapping[Cell, int], relations: Iterable[Relation], known: Iterable[Cell] = ()) -> None:
        # A relation holds among the stored cells when their structures add up (every part present): answer
        # counts are sums like the figures. Rows left out (hand-made tables without territory groups) break it.
        relations = [
            (total, parts)
            for total, parts in relations
            if counts.get(total, 0) == sum(counts.get(part, 0) for part in parts) and counts.get(total, 0)
        ]
        unknown = {cell for cell, count in counts.items() if count > 0} - set(known)
        changed = True
        while changed:
            changed = False
            for total, parts in relations:
                members = [m for m in (total, *parts) if m in unknown]
                if len(members) == 1:
                    unknown.discard(members[0])
                    changed = True
        self.cells = sorted(unknown)
        index = {cell: i for i, cell in enumerate(self.cells)}
        self.count = [counts[cell] for cell in self.cells]
        self.relations: list[tuple[int | None, list[int]]] = []  # total (None: a constant), parts
        for total, parts in relations:
            present = [index[part] for part in parts if part in index]
            if present:
                self.relations.append((index.get(total), present))
        self.of_cell: list[list[int]] = [[] for _ in self.cells]
        for number in range(len(self.relations)):
            for member in self._members(number):
                self.of_cell[member].append(number)

    def protect(self, primary: Iterable[Cell]) -> set[Cell]:
        """The cells to hide among the unknowns: the primary ones, then the secondary ones."""
        index = {cell: i for i, cell in enumerate(self.cells)}
        secret = {index[cell] for cell in primary if cell in index}
        hidden, accepted = set(secret), set()
        while True:
            self._settle(hidden)
            exposed = self._exposed(hidden, secret, accepted)
            if exposed is None:
                return {self.cells[i] for i in hidden}
            extra = self._breaker(exposed, hidden)
            if extra is None:  # pinned down by constants alone: nothing published gives it away
                accepted.add(frozenset(exposed))
            else:
                hidden.add(extra)

    def _members(self, number: int) -> list[int]:
        total, parts = self.relations[number]
        return parts if total is None else [total, *parts]

    def _settle(self, hidden: set[int]) -> None:
        """The local rules, to a fixpoint (see the module docstring)."""
        queue = deque(range(len(self.relations)))
        waiting = set(queue)
        while queue:
            number = queue.popleft()
            waiting.discard(number)
            extra = self._local_extra(number, hidden)
            if extra is None:
                continue
            hidden.add(extra)
            for other in (number, *self.of_cell[extra]):
                if other not in waiting:
                    waiting.add(other)
                    queue.append(other)

    def _local_extra(self, number: int, hidden: set[int]) -> int | None:
        total, parts = self.relations[number]
        hidden_parts = [p for p in parts if p in hidden]
        published = [p for p in parts if p not in hidden]
        total_hidden = total is not None and total in hidden
        if len(hidden_parts) + total_hidden == 1:  # the one hidden cell = total − parts, or its total
            candidates = published or ([] if total is None else [total])
            return self._cheapest(candidates, hidden) if candidates else None
        small = sum(self.count[p] for p in hidden_parts) < MIN_STRUCTURES
        if not total_hidden and len(hidden_parts) > 1 and small:  # their sum = total − published parts
            candidates = published or ([] if total is None else [total])
            return self._cheapest(candidates, hidden) if candidates else None
        return None

    def _cheapest(self, candidates: list[int], hidden: set[int]) -> int:
        """The candidate to hide: one that does not leave a relation with a single hidden cell, then the one resting
        on the fewest structures, then the first."""

        def cascade(cell: int) -> int:
            return sum(1 for r in self.of_cell[cell] if not any(m in hidden for m in self._members(r)))

        return min(candidates, key=lambda cell: (cascade(cell), self.count[cell], cell))

    def _exposed(self, hidden: set[int], secret: set[int], accepted: set[frozenset]) -> list[int] | None:
        """A secret cell that exact elimination pins down, or hidden parts of a relation resting on 1–4 structures
        whose sum it pins down; None when nothing is given away."""
        span = Span()
        for total, parts in self.relations:
            row = {p: -1 for p in parts if p in hidden}
            if total is not None and total in hidden:
                row[total] = 1
            if row:
                span.add(row)
        for cell in sorted(span.determined() & secret):
            if frozenset([cell]) not in accepted:
                return [cell]
        for total, parts in self.relations:
            small = [p for p in parts if p in hidden]
            if (
                total in hidden
                and len(small) > 1
                and sum(self.count[p] for p in small) < MIN_STRUCTURES
                and frozenset(small) not in accepted
                and span.contains(dict.fromkeys(small, 1))
            ):
                return small
        return None

    def _breaker(self, cells: list[int], hidden: set[int]) -> int | None:
        """The cheapest published cell sharing a relation with `cells`, else with the hidden cells linked to them."""
        seen, frontier = set(cells), list(cells)
        while frontier:
            relations = sorted({r for cell in frontier for r in self.of_cell[cell]})
            members = sorted({m for r in relations for m in self._members(r)})
            candidates = [m for m in members if m not in hidden]
            if candidates:
                return self._cheapest(candidates, hidden)
            frontier = [m for m in members if m not in seen]
            seen.update(frontier)
        return None


def mark_secrets(year: int, region_of: Mapping[str, str], model=Aggregate, unasked=None) -> int:
    """Decide the year's secrets and store them in `Aggregate.secret` (`model`: the migration's historical model;
    `unasked`: see `secret_keys`, read from the year's questionnaires when not given); returns how many rows are
    secret."""
    rows = model.objects.filter(year=year).values_list("pk", "scope", "scope_code", "group", "code", "structure_count")
    pks, answered = {}, {}
    for pk, scope, scope_code, group, code, count in rows:
        pks[(scope, scope_code, group, code)] = pk
        answered[(scope, scope_code, group, code)] = count
    if unasked is None:
        unasked = unasked_indicators(year) if model is Aggregate else {}
    secret = sorted(pks[key] for key in secret_keys(answered, region_of, unasked))
    model.objects.filter(year=year, secret=True).update(secret=False)
    for start in range(0, len(secret), BATCH):
        model.objects.filter(pk__in=secret[start : start + BATCH]).update(secret=True)
    return len(secret)


def hidden_shares(rows: Iterable[tuple[str, str, int, bool]]) -> dict[str, tuple[int, int, int]]:
    """Scope → (hidden figures, of which on 1–4 structures, figures) among rows (scope, indicator code, structures,
    secret): the figures resting on at least one structure, answer counts (public) left out."""
    result: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for scope, code, structures, secret in rows:
        if code in PUBLIC_CODES or structures < 1:
            continue
        result[scope][0] += bool(secret)
        result[scope][1] += bool(secret) and is_primary(structures)
        result[scope][2] += 1
    return {scope: (hidden, primary, total) for scope, (hidden, primary, total) in result.items()}
