"""Aggregates equal the direct computation for each scope and group; merges are exact; only validated answers count;
refresh is idempotent; reading a territory's figures is one query."""

import re
from decimal import Decimal

import pytest
from django.core.management.base import CommandError

from maillage.observatory.figures import aggregates
from maillage.observatory.figures.aggregates import StoredSummary, merge_all, territory_figures
from maillage.observatory.figures.indicators import ANSWER_INDICATORS, BY_CODE, INDICATORS, headline, number
from maillage.observatory.figures.statistics import Summary, merge_summaries, summarize
from maillage.observatory.models import Aggregate, Response, ResponseStatus

from .conftest import campaign, questionnaires

pytestmark = pytest.mark.django_db


def in_group(facts, group):
    if group == "all":
        return True
    parts = dict(part.split("=") for part in group.split("|"))
    kind, territory = facts.kind or "nr", facts.territory or "nr"  # « non renseigné »: a part of its own
    return kind == parts["kind"] and ("territory" not in parts or territory == parts["territory"])


def in_scope(facts, scope, code):
    region = facts.region if facts.department else "nr"
    return scope == "nation" or (scope == "region" and region == code) or facts.department == code


def direct(scope, code, group, indicator_code, year=2025):
    """The summary computed straight from the validated responses, without any merge."""
    facts = aggregates.structure_facts()
    members = [f for f in facts.values() if in_scope(f, scope, code) and in_group(f, group)]
    responses = dict(
        Response.objects.filter(questionnaire__campaign__year=year, status=ResponseStatus.VALIDATED).values_list(
            "structure_id", "answers"
        )
    )
    if indicator_code == "REPONSES":
        answered = [f for f in members if f.id in responses]
        return Summary(count=len(members), values=(Decimal(1),) * len(answered), total=Decimal(len(answered)))
    item = BY_CODE[indicator_code]
    return summarize(item.compute(f, responses[f.id]) for f in members if f.id in responses)


def test_every_row_equals_the_direct_computation(small_world):
    aggregates.refresh_year(2025)
    rows = list(Aggregate.objects.filter(year=2025))
    assert rows
    keys = {(r.scope, r.scope_code, r.group) for r in rows}
    assert ("department", "13", "all") in keys and ("region", "93", "kind=csx") in keys
    assert ("nation", "", "kind=csx|territory=urbain") in keys and (
        "department",
        "13",
        "kind=evs|territory=rural",
    ) in keys
    for row in rows:
        expected = direct(row.scope, row.scope_code, row.group, row.code)
        assert Summary.from_json(row.summary) == expected, (row.scope, row.scope_code, row.group, row.code)
        assert row.structure_count == expected.answered


def test_known_figures(small_world):
    aggregates.refresh_year(2025)
    figures = territory_figures("department", "13", [2025])
    # A, B, C, D validated; E submitted (not counted), F no response.
    assert figures["REPONSES"][2025].count == 6
    assert figures["REPONSES"][2025].answered == 4
    etp = figures["ETP"][2025]
    assert etp.answered == 4 and etp.total == Decimal("37.2") and etp.maximum == Decimal("15.2")
    assert etp.median == Decimal("10.25")
    assert figures["ACTIONS_ACCES_DROITS"][2025].mean == Decimal("0.75")
    assert figures["PART_URBAIN"][2025].mean == Decimal("0.5")
    assert figures["PARTENARIAT_COMMUNE"][2025].total == 3
    nation = territory_figures("nation", None, [2025])
    # J has no staff: 0 ETP counted; its budget written "45000.50" is read exactly.
    assert (
        Decimal("45000.50")
        in Summary.from_json(
            Aggregate.objects.get(scope="nation", group="all", code="BUDGET", year=2025).summary
        ).values
    )
    assert nation["ETP"][2025].minimum == 0
    # K has no department: in the nation and the region « non renseigné » (else nation − regions would give it).
    assert nation["REPONSES"][2025].answered == 9
    assert territory_figures("region", "nr", [2025])["REPONSES"][2025].answered == 1
    caf_share = headline(BY_CODE["FINANCEMENT_CAF"], nation["FINANCEMENT_CAF"][2025], {
        "FINANCEMENT_TOTAL": nation["FINANCEMENT_TOTAL"][2025]})  # fmt: skip
    assert caf_share == Decimal(720_000) / Decimal(720_000 + 1_260_000)


def test_only_validated_responses_count(small_world):
    aggregates.refresh_year(2025)
    values = Summary.from_json(Aggregate.objects.get(scope="nation", group="all", code="ETP", year=2025).summary).values
    assert Decimal(900) not in values
    response = Response.objects.get(structure=small_world["E"])
    response.status = ResponseStatus.VALIDATED
    response.save()
    aggregates.refresh_year(2025)
    values = Summary.from_json(Aggregate.objects.get(scope="nation", group="all", code="ETP", year=2025).summary).values
    assert Decimal(900) in values


def test_refresh_is_idempotent(small_world):
    def snapshot():
        return sorted(
            Aggregate.objects.values_list("year", "scope", "scope_code", "group", "code", "structure_count", "summary"),
            key=lambda row: row[:5],
        )

    first = aggregates.refresh_year(2025)
    before = snapshot()
    assert aggregates.refresh_year(2025) == first == len(before)
    assert snapshot() == before
    assert aggregates.refresh_all() == {2025: first}
    assert snapshot() == before


def test_refresh_all_drops_years_without_campaign(small_world):
    aggregates.refresh_all()
    Aggregate.objects.create(year=1999, scope="nation", scope_code="", group="all", code="ETP", structure_count=0,
                             summary=Summary().to_json())  # fmt: skip
    aggregates.refresh_all()
    assert not Aggregate.objects.filter(year=1999).exists()


def test_merge_is_exact():
    parts = [[1, 5, None, 3], [Decimal("2.5"), 0.1], [], [7, 7, None]]
    summaries = [summarize(p) for p in parts]
    everything = summarize([v for p in parts for v in p])
    assert merge_all(summaries) == merge_summaries(summaries) == everything
    assert merge_all(summaries).quartiles == everything.quartiles


def test_regions_and_nation_are_merges_of_departments(small_world):
    aggregates.refresh_year(2025)
    for code in ("ETP", "BUDGET", "REPONSES", "FINANCEMENT_CAF"):
        departments = [
            Summary.from_json(s)
            for s in Aggregate.objects.filter(
                scope="department", scope_code__in=["13", "84"], group="all", code=code
            ).values_list("summary", flat=True)
        ]
        region = Aggregate.objects.get(scope="region", scope_code="93", group="all", code=code)
        assert Summary.from_json(region.summary) == merge_summaries(departments)


def test_territory_figures_one_query_and_stored_figures(small_world, django_assert_num_queries):
    questionnaires(2024)
    aggregates.refresh_all()
    with django_assert_num_queries(1):
        light = territory_figures("region", "93", [2024, 2025])
    with django_assert_num_queries(1):
        full = territory_figures("region", "93", [2024, 2025], with_values=True)
    assert set(light) == set(full)
    for code, by_year in full.items():
        for year, summary in by_year.items():
            stored = light[code][year]
            assert isinstance(stored, StoredSummary)
            assert (stored.count, stored.answered, stored.total) == (summary.count, summary.answered, summary.total)
            assert (stored.mean, stored.median, stored.quartiles) == (summary.mean, summary.median, summary.quartiles)
            assert (stored.minimum, stored.maximum, stored.answer_rate) == (
                summary.minimum, summary.maximum, summary.answer_rate)  # fmt: skip
    # 2024 has a campaign but no answers: only the structure counts.
    assert light["REPONSES"][2024].answered == 0 and 2024 not in light["ETP"]
    assert territory_figures("department", "13", [2025], group="kind=evs")["ETP"][2025].answered == 1
    assert territory_figures("department", "99", [2025]) == {}


def test_query_count_does_not_grow_with_years(small_world, django_assert_num_queries):
    for year in (2021, 2022, 2023, 2024):
        campaign(year)
    aggregates.refresh_all()
    with django_assert_num_queries(1):
        territory_figures("nation", "", range(2021, 2026))


def test_indicator_list_is_well_formed():
    codes = [i.code for i in INDICATORS]
    assert len(codes) == len(set(codes)) and len(codes) >= 50
    for item in INDICATORS:
        assert item.kind in {"mean", "share", "total", "ratio", "count"} and item.label and item.unit
        if item.kind == "ratio":
            assert item.denominator in BY_CODE
    assert all(item.code != "REPONSES" for item in ANSWER_INDICATORS)
    assert number("12,5") == Decimal("12.5") and number("1 200") == 1200 and number(True) is None
    assert number("abc") is None and number(0.1) == Decimal("0.1")


def test_refresh_command(small_world, run_command):
    out, _ = run_command("refresh_aggregates", "--year", "2025")
    assert "2025 :" in out and Aggregate.objects.filter(year=2025).exists()
    out, _ = run_command("refresh_aggregates")
    assert "agrégats" in out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Pas de campagne Enquête 1991 — données 1990"):
        run_command("refresh_aggregates", "--year", "1990")


def test_bench_command_times_figures_pages_and_pdf(small_world, run_command):
    out, _ = run_command("bench_observatory", "--repeat", "2", "--pdf-repeat", "1")
    assert re.search(r"refresh_aggregates : \d+ agrégats pour 1 années", out)
    for place in ("France", "région 93", "département 13"):
        assert re.search(rf"chiffres clés {place} \(1 ans, une requête\) : médiane [\d.]+ ms, p95", out)
        assert re.search(rf"page {place} à froid : médiane [\d.]+ ms, p95 [\d.]+ ms ; en cache : médiane", out)
        assert re.search(rf"plaquette PDF {place} : médiane [\d.]+ ms, p95 [\d.]+ ms, \d+ Kio, \d+ pages\.", out)


def test_bench_command_times_each_year_and_writes_a_digest_of_the_stored_rows(small_world, run_command, tmp_path):
    out, _ = run_command("bench_observatory", "--digest", str(tmp_path / "a.txt"))
    assert re.search(r"refresh_year 2025 : \d+ agrégats en [\d.]+ s \(CPU de ce processus [\d.]+ s\)\.", out)
    lines = (tmp_path / "a.txt").read_text().splitlines()
    assert len(lines) == Aggregate.objects.count() and "page " not in out
    assert any(line.startswith("2025 nation - all REPONSES ") for line in lines)
    run_command("bench_observatory", "--no-refresh", "--digest", str(tmp_path / "b.txt"))
    assert (tmp_path / "b.txt").read_text() == "\n".join(lines) + "\n"
    Aggregate.objects.filter(scope="nation", group="all", code="REPONSES").update(secret=True)
    run_command("bench_observatory", "--no-refresh", "--digest", str(tmp_path / "c.txt"))
    changed = set((tmp_path / "c.txt").read_text().splitlines()) - set(lines)
    assert [line.rsplit(" ", 1)[0] for line in changed] == ["2025 nation - all REPONSES"]


def test_bench_command_times_the_first_byte_of_the_prebuilt_publications(small_world, run_command, settings, tmp_path):
    settings.PUBLICATIONS_ROOT = tmp_path
    aggregates.refresh_year(2025)
    out, _ = run_command("bench_observatory", "--no-refresh", "--publications", "--repeat", "2")
    assert re.search(r"classeur \(\d+ Kio\) construit en [\d.]+ s ; premier octet : médiane [\d.]+ ms, p95", out)
    for place in ("France", "région 93", "département 13"):
        assert re.search(rf"plaquette {place} \(\d+ Kio\) construit en [\d.]+ s ; premier octet : médiane", out)
    assert len(list(tmp_path.rglob("*.pdf"))) == 3 and len(list(tmp_path.rglob("*.xlsx"))) == 1


def test_bench_command_measures_the_share_of_hidden_figures(small_world, run_command):
    aggregates.refresh_year(2025)
    figures = Aggregate.objects.filter(scope="department", structure_count__gte=1).exclude(code="REPONSES")
    hidden, total = figures.filter(secret=True).count(), figures.count()
    primary = figures.filter(secret=True, structure_count__lt=5).count()
    out, _ = run_command("bench_observatory", "--secrecy")
    assert re.search(r"secret statistique 2025 : \d+ agrégats secrets, décidés en [\d.]+ s\.", out)
    assert (
        f"chiffres cachés, département (1 ans) : {hidden} sur {total}, {100 * hidden / total:.1f} % ; {primary} sur "
        f"moins de 5 structures, {hidden - primary} par secret secondaire." in out
    )
    assert "chiffres cachés, France (1 ans) :" in out and "page " not in out


def test_bench_command_needs_aggregates(db, run_command):
    with pytest.raises(CommandError, match="Aucun agrégat"):
        run_command("bench_observatory", "--no-refresh")
    with pytest.raises(CommandError, match="--repeat"):
        run_command("bench_observatory", "--repeat", "0")


def test_refresh_stamps_the_campaign_for_the_reports_cache(small_world):
    from maillage.observatory.models import Campaign

    assert Campaign.objects.get(year=2025).aggregates_computed_at is None
    aggregates.refresh_year(2025)
    first = Campaign.objects.get(year=2025).aggregates_computed_at
    aggregates.refresh_year(2025)
    assert first is not None and Campaign.objects.get(year=2025).aggregates_computed_at > first
