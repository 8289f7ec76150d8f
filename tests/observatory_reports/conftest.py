"""Small hand-made aggregates (no demo generator): France, the region of the Bouches-du-Rhône, departments 13 and
84, years 2023 and 2024, groups all / CSX / EVS / CSX urbain."""

from decimal import Decimal

import pytest
from django.core.cache import cache

from maillage.observatory.figures.aggregates import summary_json
from maillage.observatory.figures.disclosure import mark_secrets
from maillage.observatory.figures.statistics import Summary, summarize
from maillage.observatory.models import Aggregate, AggregateScope
from maillage.referentials.models import Department

NATION, REGION, DEPARTMENT = AggregateScope.NATION, AggregateScope.REGION, AggregateScope.DEPARTMENT

# ETP of the structures that answered (per department and kind).
ETP = {
    ("13", "csx"): [10, 12, 14, 9, 11, 13],
    ("13", "evs"): [1, 2, 1.5],  # 3 EVS: secret
    ("84", "csx"): [8, 9, 10, 11, 12],
    ("84", "evs"): [],
}
BUDGET = {key: [100_000 * v for v in values] for key, values in ETP.items()}


def add(year, scope, code, group, indicator, summary: Summary):
    return Aggregate.objects.create(year=year, scope=scope, scope_code=code, group=group, code=indicator,
                                    structure_count=summary.answered, summary=summary_json(summary))  # fmt: skip


def responded(answered: int, surveyed: int) -> Summary:
    return Summary(count=surveyed, values=(Decimal(1),) * answered, total=Decimal(answered))


def values_of(departments, kinds):
    return [v for (d, k), values in ETP.items() if d in departments and k in kinds for v in values]


def budgets_of(departments, kinds):
    return [v for (d, k), values in BUDGET.items() if d in departments and k in kinds for v in values]


@pytest.fixture
def aggregates(db):
    cache.clear()
    region = Department.objects.get(code="13").region.code
    assert Department.objects.get(code="84").region.code == region
    places = [(NATION, "", ["13", "84"]), (REGION, region, ["13", "84"]), (DEPARTMENT, "13", ["13"]),
              (DEPARTMENT, "84", ["84"])]  # fmt: skip
    groups = {"all": ["csx", "evs"], "kind=csx": ["csx"], "kind=evs": ["evs"]}
    for year, shift in ((2023, Decimal("-1")), (2024, Decimal(0))):
        for scope, code, departments in places:
            for group, kinds in groups.items():
                etp = [Decimal(str(v)) + shift for v in values_of(departments, kinds)]
                add(year, scope, code, group, "ETP", summarize(etp))
                add(year, scope, code, group, "BUDGET", summarize(budgets_of(departments, kinds)))
                add(year, scope, code, group, "REPONSES", responded(len(etp), len(etp) + 2))
            if year == 2024:
                urban = values_of(departments, ["csx"])[:5]
                add(year, scope, code, "kind=csx|territory=urbain", "ETP", summarize(urban))
    region_of = dict(Department.objects.values_list("code", "region__code"))
    for year in (2023, 2024):
        mark_secrets(year, region_of)  # as `aggregates.refresh_year` does after writing the rows
    return region
