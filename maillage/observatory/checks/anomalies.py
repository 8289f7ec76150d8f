"""Coherence flags on submitted answers, raised for the correspondents' check.

Pure functions: they take this year's answers (structure id → {question code → value}), last year's, the department
of each structure, and return ``Flag`` objects. The caller stores them, lets correspondents comment, send back or
accept them, and replays the same functions on late answers.

Kinds:
* ``jump``: a figure moves by more than ±50 % from last year (only above a minimum base, so that 2 → 4 volunteers is
  not news);
* ``outlier``: a figure far from its department's, measured robustly: z = 0.6745 × (x − median) / MAD, flagged above
  3.5 (Iglewicz and Hoaglin), only in groups of at least ``min_group`` answers with a MAD above 0; computed on
  the logarithm of the values by default (amounts are skewed: see ``Thresholds.log_scale``). A structure whose
  department has fewer answers is judged against its region, then the nation (``scoped_outliers``);
* ``impossible_ratio``: a ratio between two answers out of its possible or plausible range (ETP above head count,
  unique participants above cumulated attendances, budget per inhabitant of the area absurd);
* ``missing_block``: the thematic block of the year left entirely unanswered.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from maillage.observatory.figures.formatting import format_number, format_percent
from maillage.observatory.figures.statistics import quantile, to_decimal

Answers = Mapping[Hashable, Mapping[str, Any]]  # structure id → question code → value

# Codes of the core questionnaire used by the default rules (keep in step with the questionnaire definition).
BUDGET = "FIN_CHARGES_TOTAL"
INCOME = "FIN_PRODUITS_TOTAL"
POPULATION = "ID_POPULATION"
HEADCOUNT = "RH_SALARIES"
ETP_TOTAL = "RH_ETP_TOTAL"
UNIQUE_PARTICIPANTS = "PUB_PARTICIPANTS_UNIQUES"
ATTENDANCES = "PUB_PASSAGES_CUMULES"
VOLUNTEERS = "PAR_BENEVOLES_ACTIVITE"

ROBUST_Z = Decimal("0.6745")


class FlagKind(StrEnum):
    JUMP = "jump"
    OUTLIER = "outlier"
    IMPOSSIBLE_RATIO = "impossible_ratio"
    MISSING_BLOCK = "missing_block"


@dataclass(frozen=True)
class Flag:
    kind: FlagKind
    structure: Hashable
    codes: tuple[str, ...]
    values: dict[str, Any]
    explanation: str  # French, shown to correspondents and structures


@dataclass(frozen=True)
class RatioRule:
    """``numerator / denominator`` must lie within [minimum, maximum] (None = unbounded)."""

    numerator: str
    denominator: str
    minimum: Decimal | None
    maximum: Decimal | None
    explanation: str  # French; may use {numerator}, {denominator} and {ratio}


DEFAULT_RATIO_RULES = (
    RatioRule(
        ETP_TOTAL,
        HEADCOUNT,
        None,
        Decimal(1),
        "Les ETP ({numerator}) dépassent le nombre de salariés ({denominator}) : un salarié compte au plus pour 1 ETP.",
    ),
    RatioRule(
        UNIQUE_PARTICIPANTS,
        ATTENDANCES,
        None,
        Decimal(1),
        "Les participants uniques ({numerator}) dépassent les présences cumulées ({denominator}) : chaque "
        "participant est présent au moins une fois.",
    ),
    RatioRule(
        BUDGET,
        POPULATION,
        Decimal("0.5"),
        Decimal(1000),
        "Le budget par habitant du territoire ({ratio} €) est invraisemblable (budget {numerator} €, population "
        "{denominator}) : vérifier l'unité du budget et la population déclarée.",
    ),
)

DEFAULT_JUMP_CODES = {BUDGET: Decimal(20000), INCOME: Decimal(20000), ETP_TOTAL: Decimal(2), VOLUNTEERS: Decimal(10)}


@dataclass(frozen=True)
class Thresholds:
    jump: Decimal = Decimal("0.5")
    robust_z: Decimal = Decimal("3.5")
    min_group: int = 8
    # Budgets, staff and volunteers vary by multiples: measured on a log scale (when all values are positive), a
    # centre twice the median is as far as one half of it, and the skewed but normal large centres are not flagged.
    log_scale: bool = True
    labels: Mapping[str, str] = field(default_factory=dict)  # question code → French wording for explanations


def _number(value: Any) -> Decimal | None:
    """A stored answer as a number: JSON numbers, or the exact text the form stores ("12.5")."""
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except ArithmeticError:
            return None
        return number if number.is_finite() else None
    if value is None or isinstance(value, bool | list | dict):
        return None
    try:
        return to_decimal(value)
    except TypeError:
        return None


def _plain(value: Decimal) -> str:
    """A figure as typed: no decimals for whole numbers, at most two otherwise ("12,5", "450 000")."""
    if value == value.to_integral_value():
        return format_number(value)
    return format_number(value, 2).rstrip("0").rstrip(",")


def _label(code: str, thresholds: Thresholds) -> str:
    return thresholds.labels.get(code, code)


def year_over_year_jumps(
    current: Answers,
    previous: Answers,
    codes: Mapping[str, Decimal] | None = None,
    thresholds: Thresholds | None = None,
) -> list[Flag]:
    """Figures that moved by more than ``thresholds.jump`` (relative) since last year. ``codes`` maps each checked
    question to the minimum of the larger of the two values for a change to matter."""
    codes = DEFAULT_JUMP_CODES if codes is None else codes
    thresholds = thresholds or Thresholds()
    flags = []
    for structure, answers in current.items():
        before_answers = previous.get(structure) or {}
        for code, minimum in codes.items():
            now, before = _number(answers.get(code)), _number(before_answers.get(code))
            if now is None or before is None or before <= 0 or max(now, before) < minimum:
                continue
            change = (now - before) / before
            if abs(change) > thresholds.jump:
                explanation = (
                    f"{_label(code, thresholds)} : {_plain(now)} cette année contre "
                    f"{_plain(before)} l'an dernier ({format_percent(change, signed=True)})."
                )
                flags.append(Flag(FlagKind.JUMP, structure, (code,), {"current": now, "previous": before}, explanation))
    return flags


@dataclass(frozen=True)
class PeerGroup:
    """The structures a figure is compared with: a department, a region or the nation."""

    scope: str  # "department", "region" or "nation": the key of the territory in the flag's values
    code: str  # the territory's code ("13", "93"; "France" for the nation)
    name: str  # French, after « la médiane »: "du département 13", "de la région Occitanie", "nationale"
    place: str  # French: "le département 13", "la région Occitanie", "la France entière"
    answers: Answers  # structure id → question code → value, the judged structure included


def department_outliers(
    current: Answers,
    departments: Mapping[Hashable, str],
    codes: Iterable[str],
    thresholds: Thresholds | None = None,
) -> list[Flag]:
    """Answers whose robust z-score within their department exceeds ``thresholds.robust_z``."""
    thresholds = thresholds or Thresholds()
    flags = []
    for code in codes:
        groups: dict[str, list[tuple[Hashable, Decimal]]] = {}
        for structure, answers in current.items():
            value = _number(answers.get(code))
            if value is not None and structure in departments:
                groups.setdefault(departments[structure], []).append((structure, value))
        for department, members in sorted(groups.items()):
            if len(members) < thresholds.min_group:
                continue
            scores = _robust_scores(members, thresholds)
            if scores is None:
                continue
            median, scored = scores
            peers = PeerGroup(
                "department", department, f"du département {department}", f"le département {department}", {}
            )
            for structure, value, z in scored:
                if abs(z) > thresholds.robust_z:
                    flags.append(_outlier_flag(structure, code, value, median, z, peers, thresholds))
    return flags


def scoped_outliers(
    structure: Hashable,
    groups: Sequence[PeerGroup],
    codes: Iterable[str],
    thresholds: Thresholds | None = None,
) -> list[Flag]:
    """The structure's figures far from their peers', each judged against the first of ``groups`` (its department,
    its region, the nation) holding at least ``thresholds.min_group`` answers to the question: a centre alone in a
    small department is still compared with someone."""
    thresholds = thresholds or Thresholds()
    flags = []
    for code in codes:
        for rank, peers in enumerate(groups):
            members = [
                (s, v) for s, v in ((s, _number(a.get(code))) for s, a in peers.answers.items()) if v is not None
            ]
            mine = next((value for s, value in members if s == structure), None)
            if mine is None:
                break
            if len(members) < thresholds.min_group:
                continue
            scores = _robust_scores(members, thresholds)
            z = next((z for s, _, z in scores[1] if s == structure), None) if scores else None
            if z is not None and abs(z) > thresholds.robust_z:
                smaller = groups[rank - 1] if rank else None
                flags.append(_outlier_flag(structure, code, mine, scores[0], z, peers, thresholds, smaller))
            break
    return flags


def _robust_scores(members, thresholds: Thresholds) -> tuple[Decimal, list[tuple]] | None:
    """The median of the values and each member's robust z-score, or None when the values do not spread."""
    log_scale = thresholds.log_scale and all(value > 0 for _, value in members)
    scaled = [(structure, value, value.ln() if log_scale else value) for structure, value in members]
    ordered = sorted(x for _, _, x in scaled)
    centre = quantile(ordered, Decimal("0.5"))
    mad = quantile(sorted(abs(x - centre) for x in ordered), Decimal("0.5"))
    if not mad:
        return None
    median = quantile(sorted(value for _, value in members), Decimal("0.5"))
    return median, [(structure, value, ROBUST_Z * (x - centre) / mad) for structure, value, x in scaled]


def _outlier_flag(structure, code, value, median, z, peers: PeerGroup, thresholds, smaller=None) -> Flag:
    direction = "au-dessus" if z > 0 else "en dessous"
    explanation = (
        f"{_label(code, thresholds)} : {_plain(value)}, très {direction} de la médiane {peers.name} "
        f"({_plain(median)}) : {format_number(abs(z), 1)} fois l'écart habituel entre structures, signalé "
        f"au-delà de {format_number(thresholds.robust_z, 1)} fois."
    )
    if smaller is not None:
        explanation += (
            f" Trop peu de réponses dans {smaller.place} (moins de {thresholds.min_group}) : comparaison avec "
            f"{peers.place}."
        )
    values = {"value": value, "median": median, "robust_z": z, peers.scope: peers.code}
    return Flag(FlagKind.OUTLIER, structure, (code,), values, explanation)


def impossible_ratios(current: Answers, rules: Sequence[RatioRule] = DEFAULT_RATIO_RULES) -> list[Flag]:
    """Pairs of answers whose ratio is impossible or absurd."""
    flags = []
    for structure, answers in current.items():
        for rule in rules:
            numerator, denominator = _number(answers.get(rule.numerator)), _number(answers.get(rule.denominator))
            if numerator is None or denominator is None:
                continue
            if denominator == 0:
                if numerator > 0 and rule.maximum is not None:
                    ratio = None  # something out of nothing: infinite ratio
                else:
                    continue
            else:
                ratio = numerator / denominator
                too_low = rule.minimum is not None and ratio < rule.minimum
                too_high = rule.maximum is not None and ratio > rule.maximum
                if not (too_low or too_high):
                    continue
            explanation = rule.explanation.format(
                numerator=_plain(numerator),
                denominator=_plain(denominator),
                ratio="∞" if ratio is None else format_number(ratio, 2),
            )
            values = {rule.numerator: numerator, rule.denominator: denominator, "ratio": ratio}
            flags.append(
                Flag(FlagKind.IMPOSSIBLE_RATIO, structure, (rule.numerator, rule.denominator), values, explanation)
            )
    return flags


def missing_blocks(current: Answers, block_codes: Sequence[str], block_label: str) -> list[Flag]:
    """Structures that answered none of the questions of a block (the yearly thematic block)."""
    flags = []
    for structure, answers in current.items():
        if all(_is_blank(answers.get(code)) for code in block_codes):
            explanation = f"Le bloc « {block_label} » n'a pas été rempli : aucune de ses questions n'a de réponse."
            flags.append(Flag(FlagKind.MISSING_BLOCK, structure, tuple(block_codes), {}, explanation))
    return flags


def _is_blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def coherence_flags(
    current: Answers,
    previous: Answers,
    departments: Mapping[Hashable, str],
    *,
    outlier_codes: Iterable[str] = (BUDGET, ETP_TOTAL, VOLUNTEERS),
    thematic_codes: Sequence[str] = (),
    thematic_label: str = "",
    thresholds: Thresholds | None = None,
) -> list[Flag]:
    """Every flag for one campaign, in a stable order (by structure, then kind)."""
    flags = [
        *year_over_year_jumps(current, previous, thresholds=thresholds),
        *department_outliers(current, departments, outlier_codes, thresholds),
        *impossible_ratios(current),
    ]
    if thematic_codes:
        flags += missing_blocks(current, thematic_codes, thematic_label)
    order = list(FlagKind)
    return sorted(flags, key=lambda f: (str(f.structure), order.index(f.kind), f.codes))
