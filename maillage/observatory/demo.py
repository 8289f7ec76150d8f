"""Invented but realistic answers to the yearly questionnaire, for the demo and the benchmarks.

``seed_observatory(years=5, seed=2026)`` uses the structures already in the database (``maillage seed_demo``),
loads the shipped questionnaires (``csx_2025.yaml``, ``evs_2025.yaml``) for each campaign year, and gives about
80–90 % of the structures a VALIDATED response per year. Each structure has a stable profile (a "size" drawn once,
its actions, its funders' mix) that drifts by a few percent a year, so that the answers are consistent year to year;
the distributions follow the published figures (``docs/questionnaire.md``): 13 ETP per centre (3.1 management,
6.5 activities, 3.4 support), 55 activity volunteers and 24 board members, about 450 k€ of budget with a Caf share
near 25 %, 93 % running access-to-rights actions…; EVS are much smaller. Identity answers (territory type, QPV,
management mode, population) come from the structure's sheet.

In the last year a few planted anomalies (a budget ×10, more ETP than employees, a volunteer count far above the
department's) are left SUBMITTED for the correspondents' check, with their flags raised as a transmission raises
them; then every aggregate is refreshed.

The shipped files say ``years: [2025]``: for another campaign year they are loaded from a copy whose ``years`` line
names that year (same questions), since a campaign's questionnaire must declare the campaign's year.

Randomness: ``demo.dice.Dice`` seeded per structure (``"{seed}/observatory/{structure id}"``) and per year, so that
a seed gives the same answers whatever the number of years asked.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from maillage.demo.dice import Dice
from maillage.referentials.text import match_key
from maillage.structures.models import Structure

from .campaigns import load_questionnaire
from .checks import checking
from .definitions.builder import QUESTIONNAIRES_DIR, load_definition
from .definitions.sources import source_bundle
from .figures import aggregates
from .figures.indicators import priority_code, territory_code
from .models import AnswerCorrection, Campaign, Flag, Questionnaire, Response, ResponseEvent, ResponseStatus

FILES = {"csx": "csx_2025.yaml", "evs": "evs_2025.yaml"}
YEARS_LINE = re.compile(r"^years:.*$", re.MULTILINE)
BATCH = 1000
ANOMALIES_PER_KIND = 3


class ObservatoryDemoError(Exception):
    """The demo cannot be generated; the message is in French."""


@dataclass
class DemoResult:
    years: list[int]
    structures: int
    responses: dict[int, int] = field(default_factory=dict)  # year → validated responses
    anomalies: list[tuple[int, str]] = field(default_factory=list)  # (structure id, kind) left SUBMITTED
    notes: list[str] = field(default_factory=list)  # French
    aggregates: dict[int, int] = field(default_factory=dict)


def last_closed_year(today: dt.date | None = None) -> int:
    """The last observed year whose campaign is closed: a stored campaign's, else the spring rule (a year's
    campaign runs from March to May of the next year)."""
    today = today or timezone.localdate()
    closed = Campaign.objects.filter(closes_on__lt=today).aggregate(year=Max("year"))["year"]
    if closed is not None:
        return closed
    return today.year - 1 if today >= dt.date(today.year, 6, 1) else today.year - 2


# --- random helpers -------------------------------------------------------------------------------------------------


def gauss(dice: Dice, mean: float = 0.0, sigma: float = 1.0) -> float:
    """A normal draw (Box–Muller on ``Dice.random``, stable across Python versions)."""
    u1 = max(dice.random(), 1e-12)
    u2 = dice.random()
    return mean + sigma * math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)


def noise(dice: Dice, sigma: float) -> float:
    return math.exp(gauss(dice, -sigma * sigma / 2, sigma))


def one(value: float) -> float:
    """A decimal answer with one decimal, stored as a JSON number (read back exactly: Decimal(repr(12.5)))."""
    return round(max(value, 0.0), 1)


# --- stable profiles ------------------------------------------------------------------------------------------------

CSX_ACTIONS = {
    "ACT_PETITE_ENFANCE": 0.55, "ACT_ENFANCE": 0.85, "ACT_JEUNESSE": 0.78, "ACT_SCOLARITE": 0.70,
    "ACT_PARENTS_ENFANTS": 0.90, "ACT_ACCES_DROITS": 0.93, "ACT_AIDE_NUMERIQUE": 0.68, "ACT_FRANCAIS": 0.62,
    "ACT_CULTURE": 0.80, "ACT_SANTE": 0.60, "ACT_INSERTION": 0.35, "ACT_LOGEMENT": 0.30,
    "ACT_VIEILLISSEMENT": 0.55, "ACT_EXCLUSION": 0.45, "ACT_VACANCES": 0.75,
}  # fmt: skip
EVS_ACTIONS = {
    "ACT_PETITE_ENFANCE": 0.30, "ACT_ENFANCE": 0.50, "ACT_JEUNESSE": 0.40, "ACT_PARENTS_ENFANTS": 0.70,
    "ACT_ACCES_DROITS": 0.60, "ACT_AIDE_NUMERIQUE": 0.50, "ACT_FRANCAIS": 0.35,
}  # fmt: skip
PARTNER_ODDS = {
    "commune": 0.90, "intercommunalite": 0.50, "departement": 0.60, "region": 0.20, "etat": 0.45, "caf": 0.98,
    "education_nationale": 0.60, "bailleurs": 0.45, "associations": 0.85, "entreprises": 0.20, "carsat_msa": 0.25,
}  # fmt: skip
ROLES = ("financement", "action", "locaux", "plusieurs")
AXES = ("parentalite", "jeunesse", "vivre_ensemble", "acces_droits", "participation", "vieillissement", "insertion",
        "numerique", "transition")  # fmt: skip
AGE_WEIGHTS = (0.08, 0.12, 0.10, 0.07, 0.08, 0.35, 0.13, 0.07)
AGE_ROWS = ("a0_6", "a7_10", "a11_14", "a15_17", "a18_25", "a26_59", "a60_74", "a75_plus")
FAMILY_ROWS = ("petite_enfance", "enfance", "jeunesse", "familles", "adultes", "seniors")
# Base figures per kind (the published averages; EVS much smaller).
BASE = {
    "csx": {"etp": 13.0, "staff_per_etp": 2.3, "activity": 55, "board": 24.5, "budget": 450_000,
            "participants": 1200, "associations": 11, "caf": 0.24, "no_staff": 0.0},
    "evs": {"etp": 1.6, "staff_per_etp": 1.8, "activity": 22, "board": 9, "budget": 85_000,
            "participants": 320, "associations": 3, "caf": 0.30, "no_staff": 0.12},
}  # fmt: skip
MANAGEMENT = {"associatif": "associatif", "collectivitelocale": "collectivite", "cafgestiondirecte": "caf"}
SIZES = {"unquartier": "quartier", "plusieursquartiers": "quartiers", "unecommune": "commune",
         "plusieurscommunes": "communes", "uneintercommunalite": "intercommunalite"}  # fmt: skip


@dataclass
class Profile:
    kind: str
    size: float
    drifts: list[float]
    propensity: float
    actions: dict[str, bool]
    partners: dict[str, tuple[bool, bool, str]]
    axes: list[str]
    caf_offset: float
    mix: dict[str, float]
    functions: tuple[float, float]  # share of management, of activities (support = the rest)
    identity: dict[str, object]
    first_year: int | None
    key: str  # what the structure's draws are seeded with (`draw_key`)


def _key(label) -> str:
    return match_key(str(label)).replace(" ", "") if label else ""


def draw_key(structure) -> str:
    """What a structure's random draws are seeded with: its SIRET or its name, not its id.

    Ids depend on the database (PostgreSQL's sequences move on even when a transaction is rolled back), so draws
    seeded with them would make the same demo differ from one database, or one test order, to the next.
    """
    return structure.siret or f"{structure.kind}/{structure.name}/{structure.postcode}"


def make_profile(seed: int, structure, years: int) -> Profile:
    key = draw_key(structure)
    dice = Dice(f"{seed}/observatory/{key}")
    kind = structure.kind if structure.kind in BASE else "csx"
    sigma = 0.45 if kind == "csx" else 0.5
    size = noise(dice, sigma)
    drifts = [math.exp(gauss(dice, 0.01, 0.03)) for _ in range(years)]
    odds = CSX_ACTIONS if kind == "csx" else EVS_ACTIONS
    actions = {code: dice.chance(p) for code, p in odds.items()}
    partners = {
        row: (dice.chance(p), dice.chance(0.55), ROLES[dice.below(len(ROLES))]) for row, p in PARTNER_ODDS.items()
    }
    axes = sorted(dice.distinct(range(len(AXES)), 3 + dice.below(3)))
    mix = {
        "communes": 0.34 * noise(dice, 0.3), "departement": 0.06 * noise(dice, 0.4), "etat": 0.08 * noise(dice, 0.4),
        "region": 0.03 * noise(dice, 0.5), "usagers": 0.10 * noise(dice, 0.3),
    }  # fmt: skip
    territory = territory_code(structure.territory_type.label if structure.territory_type_id else None)
    priority = priority_code(structure.priority_geography.label if structure.priority_geography_id else None)
    management = MANAGEMENT.get(_key(structure.management_mode.label if structure.management_mode_id else ""))
    if management is None:
        management = "autre" if structure.management_mode_id else ("associatif" if dice.chance(0.7) else "collectivite")
    size_code = SIZES.get(_key(structure.territory_size.label if structure.territory_size_id else ""))
    approval = structure.first_approval
    if approval is None or not dt.date(1970, 1, 1) <= approval <= dt.date(2024, 12, 31):
        approval = dt.date(1975 + dice.below(40), 1 + dice.below(12), 1 + dice.below(28))
    identity = {
        "ID_MODE_GESTION": management,
        "ID_TYPE_TERRITOIRE": territory or ("urbain" if dice.chance(0.8) else "rural"),
        "ID_TAILLE_TERRITOIRE": size_code or ("quartier", "quartiers", "commune", "communes")[dice.below(4)],
        "ID_QPV": priority or ("dans_qpv" if dice.chance(0.45) else "non_concerne"),
        "ID_POPULATION": structure.population or dice.between(800, 45_000),
        "ID_ADHERENT_FEDERATION": structure.fcsf_member if structure.fcsf_member is not None else dice.chance(0.7),
        "PRJ_DATE_PREMIER_AGREMENT": approval.isoformat(),
    }
    if not identity["ID_ADHERENT_FEDERATION"] and structure.other_federation:
        identity["ID_AUTRE_FEDERATION"] = structure.other_federation[:200]
    specifics = [c for c, flag in (("gens_du_voyage", structure.travellers), ("multi_sites", structure.multi_site),
                                   ("itinerante", structure.itinerant)) if flag]  # fmt: skip
    if specifics:
        identity["ID_SPECIFICITES"] = specifics
    return Profile(
        kind=kind, size=size, drifts=drifts, propensity=0.72 + 0.27 * dice.random(), actions=actions,
        partners=partners, axes=[AXES[i] for i in axes], caf_offset=noise(dice, 0.2), mix=mix,
        functions=(0.24 * noise(dice, 0.12), 0.50 * noise(dice, 0.08)), identity=identity,
        first_year=structure.first_approval.year if structure.first_approval else None, key=key,
    )  # fmt: skip


def _split(total: int, weights, dice: Dice) -> list[int]:
    """``total`` split along noisy weights into integers adding up exactly (largest remainders)."""
    noisy = [w * noise(dice, 0.15) for w in weights]
    scale = sum(noisy)
    raw = [total * w / scale for w in noisy]
    parts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def year_answers(profile: Profile, year: int, index: int, seed: int) -> dict:
    """One structure's answers for one year (``index``: 0 for the first year generated)."""
    dice = Dice(f"{seed}/observatory/{profile.key}/{year}")
    base = BASE[profile.kind]
    s = profile.size * math.prod(profile.drifts[: index + 1])
    a: dict[str, object] = dict(profile.identity)
    a["PRJ_FIN_AGREMENT"] = dt.date(
        min(2030, max(2024, year + 1 + zlib.crc32(profile.key.encode()) % 3)), 12, 31
    ).isoformat()
    a["PRJ_DUREE_AGREMENT"] = 4
    a["PRJ_AXES"] = profile.axes
    a["PRJ_DIAGNOSTIC_PARTAGE"] = dice.chance(0.8)
    a["PRJ_EVALUATION"] = dice.chance(0.4)
    # actions (stable, a few change each year)
    for code, runs in profile.actions.items():
        a[code] = (not runs) if dice.chance(0.03) else runs
    a["ACT_NOUVELLES_ACTIONS"] = dice.below(9)
    participants = max(30, round(base["participants"] * s * noise(dice, 0.05)))
    a["PUB_PARTICIPANTS_UNIQUES"] = participants
    a["PUB_PASSAGES_CUMULES"] = participants * dice.between(8, 25)
    a["PUB_AGES"] = {row: {"nombre": n} for row, n in zip(AGE_ROWS, _split(participants, AGE_WEIGHTS, dice),
                                                           strict=True) if n}  # fmt: skip
    a["ACT_PERSONNES_PAR_FAMILLE"] = {
        row: {"nombre": round(participants * w * noise(dice, 0.2))}
        for row, w in zip(FAMILY_ROWS, (0.1, 0.2, 0.15, 0.35, 0.3, 0.15), strict=True)
    }
    women = round(participants * 0.58)
    men = round(participants * 0.39)
    a["PUB_FEMMES"], a["PUB_HOMMES"], a["PUB_SEXE_INCONNU"] = women, men, participants - women - men
    if a["ID_QPV"] in ("dans_qpv", "proche_qpv"):
        a["PUB_HABITANTS_QPV"] = round(participants * (0.55 if a["ID_QPV"] == "dans_qpv" else 0.3))
    members = round(participants * 0.45)
    a["PUB_ADHERENTS"], a["PUB_FAMILLES_ADHERENTES"] = members, round(members / 2.6)
    a["PUB_ASSOCIATIONS_HEBERGEES"] = min(70, round(base["associations"] * math.sqrt(s) * noise(dice, 0.2)))
    a["PUB_ORDINATEUR_PUBLIC"] = dice.chance(0.74 if profile.kind == "csx" else 0.5)
    if a["PUB_ORDINATEUR_PUBLIC"]:
        a["PUB_POSTES_INFORMATIQUES"] = 1 + dice.below(8)
    # participation
    activity = min(390, round(base["activity"] * s * noise(dice, 0.06)))
    board = min(75, max(3, round(base["board"] * s**0.4 * noise(dice, 0.06))))
    a["PAR_BENEVOLES_ACTIVITE"], a["PAR_BENEVOLES_GOUVERNANCE"] = activity, board
    a["PAR_HABITANTS_INSTANCE"] = round(board * 0.6)
    a["PAR_JEUNES_BENEVOLES"] = round(activity * 0.12)
    hours = activity * 60 + board * 40
    a["PAR_HEURES_BENEVOLAT"] = hours
    if hours:
        a["PAR_VALORISATION_BENEVOLAT"] = hours * 12
    a["PAR_INSTANCES"] = ["conseil_administration", "commissions"] + (["comite_usagers"] if dice.chance(0.4) else [])
    a["PAR_REUNIONS_INSTANCE"] = 4 + dice.below(9)
    a["PAR_PROJET_HABITANTS"] = dice.chance(0.7)
    a["PAR_FORMATION_BENEVOLES"] = dice.chance(0.6)
    if a["PAR_FORMATION_BENEVOLES"]:
        a["PAR_BENEVOLES_FORMES"] = max(1, round(activity * 0.2))
    # partnerships
    a["PART_PARTENAIRES"] = {
        row: {"partenariat": True, "convention": convention, "role": role} if partner else {"partenariat": False}
        for row, (partner, convention, role) in profile.partners.items()
    }
    a["PART_CONVENTION_MULTIPARTENAIRE"] = dice.chance(0.6)
    a["PART_COLLECTIVITES_FINANCEURS"] = 1 + dice.below(5)
    a["PART_CTG"] = dice.chance(0.7)
    a["PART_RESEAUX"] = [code for code in ("reaap", "clas", "contrat_ville", "pedt", "cls") if dice.chance(0.5)]
    # staff
    if dice.chance(base["no_staff"]):
        a["RH_SALARIES"] = 0
    else:
        etp = max(0.5, base["etp"] * s * noise(dice, 0.04))
        etp = round(etp, 1)
        headcount = max(math.ceil(etp), round(etp * base["staff_per_etp"] * noise(dice, 0.08)))
        a["RH_SALARIES"], a["RH_ETP_TOTAL"] = headcount, one(etp)
        management = round(etp * profile.functions[0], 1)
        activities = round(etp * profile.functions[1], 1)
        a["RH_ETP_PILOTAGE"], a["RH_ETP_ACTIVITES"] = one(management), one(activities)
        a["RH_ETP_LOGISTIQUE"] = one(etp - management - activities)
        permanent, fixed = round(headcount * 0.6), round(headcount * 0.2)
        a["RH_CDI_NB"], a["RH_CDD_NB"], a["RH_AIDES_NB"] = permanent, fixed, headcount - permanent - fixed
        a["RH_CDI_ETP"], a["RH_CDD_ETP"] = one(etp * 0.7), one(etp * 0.15)
        a["RH_AIDES_ETP"] = one(max(0.0, etp - round(etp * 0.7, 1) - round(etp * 0.15, 1) - 0.1))
    a["RH_DIRECTEUR_QUALIFIE"] = dice.chance(0.85)
    if a["RH_DIRECTEUR_QUALIFIE"]:
        a["RH_DIRECTEUR_NIVEAU"] = "niveau_7" if dice.chance(0.4) else "niveau_6"
    a["RH_REFERENT_FAMILLES"] = dice.chance(0.95)
    if a["RH_REFERENT_FAMILLES"]:
        a["RH_REFERENT_QUALIFIE"] = dice.chance(0.8)
    a["RH_POSTES_VACANTS"] = dice.below(3)
    a["RH_MISE_A_DISPOSITION_ETP"] = one(0.5 * s * dice.random())
    a["RH_SERVICES_CIVIQUES"] = dice.below(5)
    a["RH_CONVENTION_COLLECTIVE"] = (
        "alisfa" if dice.chance(0.75) else ("fonction_publique", "eclat", "autre")[dice.below(3)]
    )
    a["RH_HEURES_FORMATION"] = round(int(a["RH_SALARIES"]) * 14 * noise(dice, 0.3))
    # finances
    budget = max(21_000, round(base["budget"] * s * noise(dice, 0.04)))
    income = max(21_000, round(budget * (1 + gauss(dice, 0.005, 0.02))))
    a["FIN_CHARGES_TOTAL"], a["FIN_PRODUITS_TOTAL"], a["FIN_RESULTAT"] = budget, income, income - budget
    caf_share = min(0.6, (base["caf"] + 0.005 * index) * profile.caf_offset)
    shares = {"caf": caf_share, **{k: v * noise(dice, 0.05) for k, v in profile.mix.items()}}
    spread = sum(shares.values())
    if spread > 0.92:
        shares = {k: v * 0.92 / spread for k, v in shares.items()}
    amounts = {k: round(income * v) for k, v in shares.items()}
    grid = {
        "caf_ps": round(amounts["caf"] * 0.75),
        "caf_fonds_locaux": amounts["caf"] - round(amounts["caf"] * 0.75),
        "communes": round(amounts["communes"] * 0.85),
        "intercommunalites": amounts["communes"] - round(amounts["communes"] * 0.85),
        "departement": amounts["departement"],
        "etat": amounts["etat"],
        "region": amounts["region"],
        "usagers": amounts["usagers"],
    }
    grid["autres"] = income - sum(grid.values())
    a["FIN_PRODUITS_FINANCEURS"] = {row: {"montant": amount} for row, amount in grid.items()}
    a["FIN_MASSE_SALARIALE"] = round(budget * 0.66)
    a["FIN_CONTRIBUTIONS_NATURE"] = round(budget * 0.08 * noise(dice, 0.3))
    a["FIN_LOCAUX_GRATUITS"] = dice.chance(0.6)
    a["FIN_FONDS_PROPRES"] = round(budget * gauss(dice, 0.2, 0.1))
    a["FIN_TRESORERIE_MOIS"] = one(min(11.0, max(0.2, gauss(dice, 3, 1))))
    a["FIN_CONVENTION_PLURIANNUELLE"] = dice.chance(0.55)
    a["FIN_TARIFS_QF"] = dice.chance(0.8)
    a["FIN_DIFFICULTES"] = dice.chance(0.25)
    if a["FIN_DIFFICULTES"]:
        a["FIN_DIFFICULTES_DETAIL"] = "Retard de versement d'une subvention et baisse des financements communaux."
    # thematic block
    a["TH25_PERMANENCES_DROITS"] = dice.chance(0.7 if profile.kind == "csx" else 0.4)
    if a["TH25_PERMANENCES_DROITS"]:
        a["TH25_PERMANENCES_HEURES"] = one(2 + 10 * dice.random())
        a["TH25_ORGANISMES"] = [c for c in ("caf", "cpam", "france_travail", "carsat") if dice.chance(0.5)] or ["caf"]
    a["TH25_FRANCE_SERVICES"] = dice.chance(0.15)
    a["TH25_CONSEILLER_NUMERIQUE"] = dice.chance(0.3)
    accompanied = round(150 * s * noise(dice, 0.2))
    a["TH25_PERSONNES_ACCOMPAGNEES"], a["TH25_DEMARCHES"] = accompanied, accompanied * dice.between(2, 5)
    a["TH25_ATELIERS_NUMERIQUES"] = dice.chance(0.5)
    if a["TH25_ATELIERS_NUMERIQUES"]:
        a["TH25_PARTICIPANTS_ATELIERS"] = max(1, round(40 * s))
    a["TH25_FREINS"] = [
        c for c in ("equipement", "connexion", "competences", "langue", "confiance") if dice.chance(0.5)
    ]
    return a


STAFF_PREFIXES = ("RH_ETP_", "RH_CDI_", "RH_CDD_", "RH_AIDES_")


def _keep(answers: dict, codes: frozenset[str]) -> dict:
    """Only the questions of the structure's questionnaire, and not those hidden by an absent staff."""
    kept = {code: value for code, value in answers.items() if code in codes}
    if kept.get("RH_SALARIES") == 0:
        for code in [c for c in kept if c.startswith(STAFF_PREFIXES)]:
            del kept[code]
    return kept


# --- planted anomalies ----------------------------------------------------------------------------------------------


def plant_budget_jump(answers: dict) -> dict:
    """Every amount typed ten times too big (a unit mistake): consistent, but a ×10 jump on last year."""
    changed = dict(answers)
    for code in ("FIN_CHARGES_TOTAL", "FIN_PRODUITS_TOTAL", "FIN_RESULTAT", "FIN_MASSE_SALARIALE"):
        if code in changed:
            changed[code] = int(changed[code]) * 10
    if "FIN_PRODUITS_FINANCEURS" in changed:
        changed["FIN_PRODUITS_FINANCEURS"] = {
            row: {"montant": int(cells["montant"]) * 10} for row, cells in changed["FIN_PRODUITS_FINANCEURS"].items()
        }
    return changed


def plant_etp_above_headcount(answers: dict) -> dict:
    """Head count typed lower than the ETP (the ETP are unchanged)."""
    changed = dict(answers)
    etp = float(changed["RH_ETP_TOTAL"])
    headcount = max(1, math.floor(etp * 0.6))
    changed["RH_SALARIES"] = headcount
    if "RH_CDI_NB" in changed:
        changed["RH_CDI_NB"], changed["RH_CDD_NB"], changed["RH_AIDES_NB"] = headcount, 0, 0
    return changed


def plant_outlier(answers: dict) -> dict:
    changed = dict(answers)
    changed["PAR_BENEVOLES_ACTIVITE"] = 4800  # the questionnaire's blocking maximum is 5,000
    return changed


PLANTS = {
    "budget_x10": (
        plant_budget_jump,
        {"FIN_CHARGES_TOTAL": "Budget vérifié.", "FIN_PRODUITS_TOTAL": "Budget vérifié."},
    ),
    "etp_above_headcount": (plant_etp_above_headcount, {"R_ETP_EFFECTIF": "Départs et arrivées en cours d'année."}),
    "volunteers_outlier": (plant_outlier, {"PAR_BENEVOLES_ACTIVITE": "Fête de quartier avec de nombreux bénévoles."}),
}


# --- questionnaires -------------------------------------------------------------------------------------------------


def questionnaire_for_year(name: str, campaign: Campaign) -> tuple[Questionnaire, str | None]:
    """Load a shipped questionnaire for the campaign; a file made for other years is loaded from a copy naming the
    campaign's year (same questions). Returns the questionnaire and a French note when adapted."""
    path = QUESTIONNAIRES_DIR / name
    definition = load_definition(path)
    if not definition.years or campaign.year in definition.years:
        return load_questionnaire(path, campaign), None
    with tempfile.TemporaryDirectory(prefix="maillage-demo-") as folder:
        for file_name, text in source_bundle(path).items():
            (Path(folder) / file_name).write_text(YEARS_LINE.sub(f"years: [{campaign.year}]", text), encoding="utf-8")
        questionnaire = load_questionnaire(Path(folder) / name, campaign)
    planned = ", ".join(str(y) for y in definition.years)
    return (
        questionnaire,
        f"{name} est prévu pour les données {planned} : chargé pour {campaign.label} "
        f"depuis une copie « years: [{campaign.year}] ».",
    )  # noqa: E501


# --- the whole demo -------------------------------------------------------------------------------------------------


def _moment(year: int, dice: Dice, start_day: int) -> dt.datetime:
    day = dt.date(year + 1, 3, 1) + dt.timedelta(days=start_day + dice.below(30))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9 + dice.below(9), dice.below(60))))


def seed_observatory(*, years: int = 5, seed: int = 2026, last_year: int | None = None, replace: bool = False,
                     refresh: bool = True) -> DemoResult:  # fmt: skip
    structures = list(
        Structure.objects.select_related("territory_type", "priority_geography", "management_mode", "territory_size")
        .exclude(kind="")
        .order_by("pk")
    )
    if not structures:
        raise ObservatoryDemoError("Aucune structure : lancez d'abord « maillage seed_demo ».")
    if years < 1:
        raise ObservatoryDemoError("Il faut au moins une année.")
    last = last_closed_year() if last_year is None else last_year
    year_list = list(range(last - years + 1, last + 1))
    existing = Response.objects.filter(questionnaire__campaign__year__in=year_list)
    if existing.exists() and not replace:
        raise ObservatoryDemoError(
            "Des réponses existent déjà pour " + ", ".join(map(str, year_list)) + " : relancez avec --replace "
            "pour les remplacer par celles de la démonstration."
        )
    result = DemoResult(years=year_list, structures=len(structures))
    with transaction.atomic():
        scope = {"response__questionnaire__campaign__year__in": year_list}
        for model in (Flag, ResponseEvent, AnswerCorrection):
            model.objects.filter(**scope).delete()
        existing.delete()
        questionnaires: dict[int, dict[str, tuple[Questionnaire, frozenset[str]]]] = {}
        for year in year_list:
            campaign, _ = Campaign.objects.get_or_create(
                year=year, defaults={"opens_on": dt.date(year + 1, 3, 1), "closes_on": dt.date(year + 1, 5, 31)}
            )
            questionnaires[year] = {}
            for kind, name in FILES.items():
                questionnaire, note = questionnaire_for_year(name, campaign)
                if note:
                    result.notes.append(note)
                codes = frozenset(q.code for q in questionnaire.definition().questions)
                questionnaires[year][kind] = (questionnaire, codes)
        profiles = {s.pk: make_profile(seed, s, len(year_list)) for s in structures}
        planted = _anomaly_targets(structures, profiles, seed, year_list[-1], len(year_list) - 1)
        for index, year in enumerate(year_list):
            rows = []
            for structure in structures:
                profile = profiles[structure.pk]
                dice = Dice(f"{seed}/observatory/{profile.key}/{year}/status")
                plant = planted.get(structure.pk) if year == year_list[-1] else None
                if plant is None and (
                    (profile.first_year is not None and profile.first_year > year)
                    or not dice.chance(profile.propensity)
                ):
                    continue
                questionnaire, codes = questionnaires[year][profile.kind]
                answers = _keep(year_answers(profile, year, index, seed), codes)
                submitted = _moment(year, dice, 10)
                response = Response(questionnaire=questionnaire, structure_id=structure.pk, answers=answers,
                                    submitted_at=submitted)  # fmt: skip
                if plant is None:
                    response.status = ResponseStatus.VALIDATED
                    response.validated_at = submitted + dt.timedelta(days=3 + dice.below(20))
                else:
                    change, confirmations = PLANTS[plant]
                    response.answers = change(answers)
                    response.confirmations = dict(confirmations)
                    response.status = ResponseStatus.SUBMITTED
                    result.anomalies.append((structure.pk, plant))
                rows.append(response)
            Response.objects.bulk_create(rows, batch_size=BATCH)
            result.responses[year] = sum(1 for r in rows if r.status == ResponseStatus.VALIDATED)
        _raise_planted_flags(year_list[-1])
    if refresh:
        result.aggregates = aggregates.refresh_all()
    return result


def _raise_planted_flags(year: int) -> None:
    """Flag the planted anomalies as a transmission would (`filling.submit`): correspondents find them waiting."""
    submitted = Response.objects.filter(questionnaire__campaign__year=year, status=ResponseStatus.SUBMITTED)
    for response in submitted.select_related("questionnaire__campaign", "structure__department__region"):
        checking.raise_flags(response)


def _anomaly_targets(structures, profiles, seed: int, last_year: int, index: int) -> dict[int, str]:
    """Structures that get an anomaly in the last year: CSX with staff, that answered the year before, taken from
    the departments with the most centres (the outlier needs a department to stand out from)."""
    by_department: dict[int, list] = {}
    for structure in structures:
        if profiles[structure.pk].kind == "csx" and structure.department_id:
            by_department.setdefault(structure.department_id, []).append(structure)
    if index:

        def answered_before(structure) -> bool:
            profile = profiles[structure.pk]
            if profile.first_year is not None and profile.first_year > last_year - 1:
                return False
            return Dice(f"{seed}/observatory/{profile.key}/{last_year - 1}/status").chance(profile.propensity)

        by_department = {key: [s for s in group if answered_before(s)] for key, group in by_department.items()}
    ordered = sorted((group for group in by_department.values() if group), key=len, reverse=True)
    everywhere = [s for group in ordered for s in group]
    dice = Dice(f"{seed}/observatory/anomalies")
    targets: dict[int, str] = {}
    # One outlier in each of the biggest departments (it must stand out from its department's median)…
    for group in ordered[:ANOMALIES_PER_KIND]:
        targets[group[dice.below(len(group))].pk] = "volunteers_outlier"
    # … the other anomalies anywhere.
    for kind in ("budget_x10", "etp_above_headcount"):
        for _ in range(ANOMALIES_PER_KIND):
            free = [s for s in everywhere if s.pk not in targets]
            if not free:
                break
            targets[free[dice.below(len(free))].pk] = kind
    return targets
