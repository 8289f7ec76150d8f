"""The published key figures of the observatory: what each one is, in which unit, and how it is computed.

Each indicator turns ONE structure's validated answers (and its identity sheet) into one number, or None when the
structure did not answer; the figures of a territory are then the ``statistics.Summary`` of those numbers over its
structures (mean, median, quartiles, total, answered structures), kept as ``Aggregate`` rows by ``aggregates.py``.

How a page reads an indicator (``Indicator.kind``):

* ``mean``: an average per structure (``summary.mean``), with its median and quartiles — "13 ETP par centre";
* ``share``: a share of structures: every structure counts 1 (yes) or 0 (no), so ``summary.mean`` is the share and
  ``summary.total`` the number of structures saying yes — "93 % mènent des actions d'accès aux droits";
* ``total``: an amount added over the territory (``summary.total``), median and quartiles per structure too;
* ``ratio``: ``summary.total / figures[denominator].total``, a share of a total — "part de la Caf dans les produits
  24 %" is the total income from the Caf divided by the total income of all structures (as the reports compute it),
  not the average of per-structure shares;
* ``count``: ``REPONSES`` only: counted over every structure of the group (``summary.count``), ``summary.answered``
  of them answered, ``summary.answer_rate`` is the answer rate.

Values are read tolerantly (answers are JSON: numbers, or decimals kept as strings "12.5" as Django's JSON encoder
writes them); an unreadable value counts as not answered. Codes are stable: pages, exports and tests use them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from maillage.observatory.definitions.wording import with_de
from maillage.referentials.text import match_key


class StructureFacts(NamedTuple):
    """What an indicator may read of the structure itself (its identity sheet)."""

    id: int
    kind: str  # "csx", "evs" or ""
    department: str  # department code, "" when unknown
    region: str  # region code, "" when unknown
    territory: str  # territory type code: "urbain", "rural", "" (see territory_code)
    priority: str  # "dans_qpv", "proche_qpv", "non_concerne" or ""


Compute = Callable[[StructureFacts, Mapping[str, Any]], Any]


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str  # French, as published
    unit: str  # French: "structures", "%", "ETP", "€", "bénévoles", "personnes"…
    kind: str  # mean, share, total, ratio, count (see the module docstring)
    block: str  # French heading under which the figure is published
    compute: Compute
    questions: tuple[str, ...] = ()  # the question codes it reads (documentation, checks)
    denominator: str | None = None  # ratio: code of the indicator whose total divides this one's


# --- reading answers ------------------------------------------------------------------------------------------------


def number(value: Any) -> Decimal | None:
    """A numeric answer as a Decimal; None for blanks, yes/no, texts that are not numbers, lists and grids."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        if not text:
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            return None
    return None


def flag(value: Any) -> int | None:
    """A yes/no answer as 1 / 0 (None when not answered)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        key = value.strip().lower()
        if key in {"oui", "true", "1", "o", "vrai"}:
            return 1
        if key in {"non", "false", "0", "n", "faux"}:
            return 0
    if isinstance(value, int):
        return 1 if value else 0
    return None


def question(code: str) -> Compute:
    return lambda facts, answers: number(answers.get(code))


def yes(code: str) -> Compute:
    return lambda facts, answers: flag(answers.get(code))


def cell(code: str, row: str, column: str) -> Any:
    def compute(facts, answers):
        grid = answers.get(code)
        if not isinstance(grid, Mapping):
            return None
        cells = grid.get(row)
        return cells.get(column) if isinstance(cells, Mapping) else None

    return compute


def grid_sum(code: str, rows: tuple[str, ...] | None = None, column: str | None = None) -> Compute:
    """Sum of numeric cells of a grid (given rows, one column or all); an answered grid's blank cell counts 0."""

    def compute(facts, answers):
        grid = answers.get(code)
        if not isinstance(grid, Mapping) or not grid:
            return None
        total = Decimal(0)
        for row, cells in grid.items():
            if rows is not None and row not in rows or not isinstance(cells, Mapping):
                continue
            for col, value in cells.items():
                if column is None or col == column:
                    total += number(value) or 0
        return total

    return compute


def grid_yes(code: str, row: str, column: str) -> Compute:
    """1 / 0 for a yes/no cell of a grid; an answered grid whose cell is blank counts as no."""

    def compute(facts, answers):
        grid = answers.get(code)
        if not isinstance(grid, Mapping) or not grid:
            return None
        cells = grid.get(row)
        return (flag(cells.get(column)) or 0) if isinstance(cells, Mapping) else 0

    return compute


def choice_is(code: str, *values: str) -> Compute:
    def compute(facts, answers):
        answer = answers.get(code)
        if answer in (None, "", []):
            return None
        return 1 if answer in values else 0

    return compute


def fact_is(attribute: str, *values: str) -> Compute:
    def compute(facts, answers):
        fact = getattr(facts, attribute)
        if not fact:
            return None
        return 1 if fact in values else 0

    return compute


def etp_total(facts, answers):
    """RH_ETP_TOTAL; a structure without employees has 0 ETP (the question is then hidden)."""
    headcount = number(answers.get("RH_SALARIES"))
    if headcount == 0:
        return Decimal(0)
    return number(answers.get("RH_ETP_TOTAL"))


def etp_part(code: str) -> Compute:
    def compute(facts, answers):
        if number(answers.get("RH_SALARIES")) == 0:
            return Decimal(0)
        return number(answers.get(code))

    return compute


def responded(facts, answers):
    return 1


# --- territory type codes -------------------------------------------------------------------------------------------

TERRITORY_CODES = {
    match_key("Un espace à dominante urbaine"): "urbain",
    match_key("Un espace à dominante rurale"): "rural",
}
PRIORITY_CODES = {
    match_key("Votre structure est située sur un quartier prioritaire de la Politique de la Ville (QPV)"): "dans_qpv",
    match_key(
        "Votre structure est située à proximité d'un quartier prioritaire de la Politique de la Ville (QPV)"
    ): "proche_qpv",
    match_key("Vous n'êtes pas concerné par cette question"): "non_concerne",
}


def territory_code(label: str | None) -> str:
    """The stable code of a territory type label of the identity sheet ("urbain", "rural"; "" when unknown)."""
    if not label:
        return ""
    key = match_key(label)
    if key in TERRITORY_CODES:
        return TERRITORY_CODES[key]
    return "urbain" if "urbain" in key else "rural" if "rural" in key else ""


def priority_code(label: str | None) -> str:
    if not label:
        return ""
    key = match_key(label)
    if key in PRIORITY_CODES:
        return PRIORITY_CODES[key]
    if "proximite" in key:
        return "proche_qpv"
    if "qpv" in key or "prioritaire" in key:
        return "dans_qpv"
    return "non_concerne"


# --- the list -------------------------------------------------------------------------------------------------------

FUNDERS = (
    ("CAF", "la Caf", ("caf_ps", "caf_fonds_locaux")),
    ("COMMUNES", "les communes et intercommunalités", ("communes", "intercommunalites")),
    ("DEPARTEMENT", "le département", ("departement",)),
    ("ETAT", "l'État", ("etat",)),
    ("REGION", "la région", ("region",)),
    ("USAGERS", "les usagers", ("usagers",)),
    ("AUTRES", "les autres financeurs", ("autres",)),
)
AGE_BANDS = (
    ("a0_6", "0-6 ans"),
    ("a7_10", "7-10 ans"),
    ("a11_14", "11-14 ans"),
    ("a15_17", "15-17 ans"),
    ("a18_25", "18-25 ans"),
    ("a26_59", "26-59 ans"),
    ("a60_74", "60-74 ans"),
    ("a75_plus", "75 ans et plus"),
)
ACTIONS = (
    ("ACT_ACCES_DROITS", "d'accès aux droits"),
    ("ACT_AIDE_NUMERIQUE", "d'aide au numérique"),
    ("ACT_FRANCAIS", "d'apprentissage du français"),
    ("ACT_PETITE_ENFANCE", "petite enfance"),
    ("ACT_ENFANCE", "pour les 6-11 ans"),
    ("ACT_JEUNESSE", "jeunesse"),
    ("ACT_SCOLARITE", "d'accompagnement à la scolarité"),
    ("ACT_PARENTS_ENFANTS", "parents-enfants"),
    ("ACT_VIEILLISSEMENT", "pour les personnes âgées"),
)
PARTNERS = (
    ("commune", "leur commune"),
    ("intercommunalite", "une intercommunalité"),
    ("departement", "le conseil départemental"),
    ("education_nationale", "l'Éducation nationale"),
    ("bailleurs", "des bailleurs sociaux"),
)

STRUCTURES = "Structures"
PARTICIPATION = "Participation des habitants"
STAFF = "Ressources humaines"
FINANCES = "Finances"
PARTNERSHIPS = "Partenariats"
PUBLICS = "Publics"
ACTIVITIES = "Actions"
THEME = "Thème de l'année : numérique et accès aux droits"


def _indicators() -> list[Indicator]:
    items = [
        Indicator("REPONSES", "Structures ayant répondu", "structures", "count", STRUCTURES, responded),
        Indicator(
            "PART_URBAIN", "Structures en territoire urbain", "%", "share", STRUCTURES, fact_is("territory", "urbain")
        ),
        Indicator(
            "PART_RURAL", "Structures en territoire rural", "%", "share", STRUCTURES, fact_is("territory", "rural")
        ),
        Indicator(
            "PART_QPV",
            "Structures situées en quartier prioritaire (QPV)",
            "%",
            "share",
            STRUCTURES,
            fact_is("priority", "dans_qpv"),
        ),
        Indicator(
            "PART_QPV_OU_PROCHE",
            "Structures situées en QPV ou à proximité",
            "%",
            "share",
            STRUCTURES,
            fact_is("priority", "dans_qpv", "proche_qpv"),
        ),
        Indicator(
            "PART_ASSOCIATIF",
            "Structures en gestion associative",
            "%",
            "share",
            STRUCTURES,
            choice_is("ID_MODE_GESTION", "associatif"),
            ("ID_MODE_GESTION",),
        ),
        Indicator(
            "PART_GESTION_COLLECTIVITE",
            "Structures gérées par une collectivité",
            "%",
            "share",
            STRUCTURES,
            choice_is("ID_MODE_GESTION", "collectivite"),
            ("ID_MODE_GESTION",),
        ),
        Indicator(
            "PART_GESTION_CAF",
            "Structures gérées par la Caf",
            "%",
            "share",
            STRUCTURES,
            choice_is("ID_MODE_GESTION", "caf"),
            ("ID_MODE_GESTION",),
        ),
        Indicator(
            "POPULATION",
            "Habitants de la zone de compétence",
            "habitants",
            "mean",
            STRUCTURES,
            question("ID_POPULATION"),
            ("ID_POPULATION",),
        ),
        # participation
        Indicator(
            "BENEVOLES_ACTIVITE",
            "Bénévoles d'activité par structure",
            "bénévoles",
            "mean",
            PARTICIPATION,
            question("PAR_BENEVOLES_ACTIVITE"),
            ("PAR_BENEVOLES_ACTIVITE",),
        ),
        Indicator(
            "BENEVOLES_GOUVERNANCE",
            "Bénévoles dans les instances de gouvernance par structure",
            "bénévoles",
            "mean",
            PARTICIPATION,
            question("PAR_BENEVOLES_GOUVERNANCE"),
            ("PAR_BENEVOLES_GOUVERNANCE",),
        ),
        Indicator(
            "HABITANTS_INSTANCE",
            "Habitants dans l'instance de pilotage",
            "habitants",
            "mean",
            PARTICIPATION,
            question("PAR_HABITANTS_INSTANCE"),
            ("PAR_HABITANTS_INSTANCE",),
        ),
        Indicator(
            "JEUNES_BENEVOLES",
            "Jeunes bénévoles de 12 à 25 ans",
            "bénévoles",
            "mean",
            PARTICIPATION,
            question("PAR_JEUNES_BENEVOLES"),
            ("PAR_JEUNES_BENEVOLES",),
        ),
        # staff
        Indicator(
            "SALARIES", "Salariés par structure", "personnes", "mean", STAFF, question("RH_SALARIES"), ("RH_SALARIES",)
        ),
        Indicator("ETP", "ETP par structure", "ETP", "mean", STAFF, etp_total, ("RH_SALARIES", "RH_ETP_TOTAL")),
        Indicator(
            "ETP_PILOTAGE",
            "ETP de pilotage et d'accueil",
            "ETP",
            "mean",
            STAFF,
            etp_part("RH_ETP_PILOTAGE"),
            ("RH_ETP_PILOTAGE",),
        ),
        Indicator(
            "ETP_ACTIVITES",
            "ETP d'animation des activités",
            "ETP",
            "mean",
            STAFF,
            etp_part("RH_ETP_ACTIVITES"),
            ("RH_ETP_ACTIVITES",),
        ),
        Indicator(
            "ETP_LOGISTIQUE",
            "ETP de logistique et d'entretien",
            "ETP",
            "mean",
            STAFF,
            etp_part("RH_ETP_LOGISTIQUE"),
            ("RH_ETP_LOGISTIQUE",),
        ),
        Indicator(
            "DIRECTEUR_QUALIFIE",
            "Structures dont le directeur est qualifié",
            "%",
            "share",
            STAFF,
            yes("RH_DIRECTEUR_QUALIFIE"),
            ("RH_DIRECTEUR_QUALIFIE",),
        ),
        Indicator(
            "REFERENT_FAMILLES",
            "Structures ayant un référent familles",
            "%",
            "share",
            STAFF,
            yes("RH_REFERENT_FAMILLES"),
            ("RH_REFERENT_FAMILLES",),
        ),
        # finances
        Indicator(
            "BUDGET",
            "Budget (total des charges)",
            "€",
            "total",
            FINANCES,
            question("FIN_CHARGES_TOTAL"),
            ("FIN_CHARGES_TOTAL",),
        ),
        Indicator(
            "PRODUITS",
            "Total des produits",
            "€",
            "total",
            FINANCES,
            question("FIN_PRODUITS_TOTAL"),
            ("FIN_PRODUITS_TOTAL",),
        ),
        Indicator(
            "FINANCEMENT_TOTAL",
            "Produits répartis par financeur",
            "€",
            "total",
            FINANCES,
            grid_sum("FIN_PRODUITS_FINANCEURS"),
            ("FIN_PRODUITS_FINANCEURS",),
        ),
    ]
    for code, name, rows in FUNDERS:
        items.append(
            Indicator(f"FINANCEMENT_{code}", f"Part des produits venant {with_de(name)}", "%", "ratio", FINANCES,
                      grid_sum("FIN_PRODUITS_FINANCEURS", rows), ("FIN_PRODUITS_FINANCEURS",),
                      denominator="FINANCEMENT_TOTAL")
        )  # fmt: skip
    items += [
        # partnerships
        *(
            Indicator(
                f"PARTENARIAT_{row.upper()}",
                f"Structures en partenariat avec {name}",
                "%",
                "share",
                PARTNERSHIPS,
                grid_yes("PART_PARTENAIRES", row, "partenariat"),
                ("PART_PARTENAIRES",),
            )
            for row, name in PARTNERS
        ),
        Indicator(
            "CONVENTION_MULTIPARTENAIRE",
            "Structures ayant une convention de financement multipartenariale",
            "%",
            "share",
            PARTNERSHIPS,
            yes("PART_CONVENTION_MULTIPARTENAIRE"),
            ("PART_CONVENTION_MULTIPARTENAIRE",),
        ),
        Indicator(
            "ASSOCIATIONS_HEBERGEES",
            "Associations hébergées par structure",
            "associations",
            "mean",
            PARTNERSHIPS,
            question("PUB_ASSOCIATIONS_HEBERGEES"),
            ("PUB_ASSOCIATIONS_HEBERGEES",),
        ),
        # publics
        Indicator(
            "PARTICIPANTS",
            "Participants uniques par structure",
            "personnes",
            "mean",
            PUBLICS,
            question("PUB_PARTICIPANTS_UNIQUES"),
            ("PUB_PARTICIPANTS_UNIQUES",),
        ),
        Indicator(
            "PARTICIPANTS_AGES",
            "Participants répartis par tranche d'âge",
            "personnes",
            "total",
            PUBLICS,
            grid_sum("PUB_AGES"),
            ("PUB_AGES",),
        ),
    ]
    for row, label in AGE_BANDS:
        items.append(
            Indicator(f"AGE_{row[1:].upper()}", f"Part des participants de {label}", "%", "ratio", PUBLICS,
                      grid_sum("PUB_AGES", (row,)), ("PUB_AGES",), denominator="PARTICIPANTS_AGES")
        )  # fmt: skip
    for code, name in ACTIONS:
        items.append(
            Indicator(f"ACTIONS_{code.removeprefix('ACT_')}", f"Structures menant des actions {name}", "%", "share",
                      ACTIVITIES, yes(code), (code,))
        )  # fmt: skip
    items += [
        Indicator("ORDINATEUR_PUBLIC", "Structures offrant un accès public à un ordinateur", "%", "share",
                  ACTIVITIES, yes("PUB_ORDINATEUR_PUBLIC"), ("PUB_ORDINATEUR_PUBLIC",)),
        # thematic block (2025: digital and access to rights)
        Indicator("TH_PERMANENCES_DROITS", "Structures accueillant des permanences d'accès aux droits", "%",
                  "share", THEME, yes("TH25_PERMANENCES_DROITS"), ("TH25_PERMANENCES_DROITS",)),
        Indicator("TH_FRANCE_SERVICES", "Structures labellisées France services", "%", "share", THEME,
                  yes("TH25_FRANCE_SERVICES"), ("TH25_FRANCE_SERVICES",)),
        Indicator("TH_CONSEILLER_NUMERIQUE", "Structures employant un conseiller numérique", "%", "share", THEME,
                  yes("TH25_CONSEILLER_NUMERIQUE"), ("TH25_CONSEILLER_NUMERIQUE",)),
        Indicator("TH_ATELIERS_NUMERIQUES", "Structures proposant des ateliers numériques", "%", "share", THEME,
                  yes("TH25_ATELIERS_NUMERIQUES"), ("TH25_ATELIERS_NUMERIQUES",)),
        Indicator("TH_PERSONNES_ACCOMPAGNEES", "Personnes accompagnées dans leurs démarches par structure",
                  "personnes", "mean", THEME,
                  question("TH25_PERSONNES_ACCOMPAGNEES"), ("TH25_PERSONNES_ACCOMPAGNEES",)),
    ]  # fmt: skip
    return items


INDICATORS: tuple[Indicator, ...] = tuple(_indicators())
BY_CODE: dict[str, Indicator] = {indicator.code: indicator for indicator in INDICATORS}
# REPONSES is counted over every structure of a group; the others over the structures that answered.
RESPONSE_INDICATOR = "REPONSES"
ANSWER_INDICATORS: tuple[Indicator, ...] = tuple(i for i in INDICATORS if i.code != RESPONSE_INDICATOR)


def indicator(code: str) -> Indicator:
    return BY_CODE[code]


def structure_values(facts: StructureFacts, answers: Mapping[str, Any]) -> list[Any]:
    """The value of each of ``ANSWER_INDICATORS`` for one structure's answers (None = not answered)."""
    return [item.compute(facts, answers) for item in ANSWER_INDICATORS]


def headline(item: Indicator, summary, figures: Mapping[str, Any] | None = None) -> Decimal | None:
    """The figure a report shows first for an indicator (a ratio 0–1 for shares and ratios, else a number):
    mean for ``mean`` and ``share``, total for ``total``, answered structures for ``count``, and for ``ratio`` the
    total divided by the denominator's total in ``figures`` (indicator code → summary of the same territory)."""
    if summary is None:
        return None
    if item.kind in ("mean", "share"):
        return summary.mean
    if item.kind == "total":
        return summary.total if summary.answered else None
    if item.kind == "count":
        return Decimal(summary.answered)
    denominator = (figures or {}).get(item.denominator)
    if denominator is None or not denominator.total:
        return None
    return summary.total / denominator.total
