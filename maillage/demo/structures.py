"""Invented structures (CSX and EVS) as open-data records, the format of `maillage.exchange.structure_json`."""

import datetime as dt
from typing import NamedTuple

from django.utils.text import slugify

from maillage.referentials.seed_data import CLOSED_LIST_VALUES, DEPARTMENTS
from maillage.referentials.text import match_key
from maillage.structures.siret import LA_POSTE_SIREN, luhn_ok

from .dice import Dice, Weighted, capitalize, de, forced_value
from .vocab_places import (
    AXES,
    COMMUNE_BASES,
    COMMUNE_SUFFIXES,
    CSX_NAME_PATTERNS,
    DEPARTMENT_WEIGHTS,
    EMAIL_BOXES,
    EVS_NAME_PATTERNS,
    HISTORY_SENTENCES,
    OTHER_FEDERATIONS,
    PERSON_NAMES,
    PLACE_NAMES,
    PREFECTURES,
    STREET_NAMES,
    STREET_TYPES,
)

URBAN, RURAL = CLOSED_LIST_VALUES["TerritoryType"]
QPV, NEAR_QPV, NO_QPV = CLOSED_LIST_VALUES["PriorityGeography"]
MANAGEMENT_MODES = Weighted(list(zip(CLOSED_LIST_VALUES["ManagementMode"], (70, 22, 5, 3), strict=True)))
URBAN_SIZES = Weighted([("Un quartier", 45), ("Plusieurs quartiers", 35), ("Une commune", 20)])
RURAL_SIZES = Weighted([("Une commune", 45), ("Plusieurs communes", 55)])
URBAN_GEOGRAPHY = Weighted([(QPV, 45), (NEAR_QPV, 20), (NO_QPV, 35)])
# Closed lists every run uses in full once it has as many structures as values.
FORCED_LISTS = ("ManagementMode", "TerritoryType", "TerritorySize", "PriorityGeography")
# The demo's own email and web domain: reserved, so that no mail can reach a real structure.
DEMO_DOMAIN = "example.org"


# The first digits of a landline number, by region (ARCEP's areas: 01 Île-de-France, 02 north-west, 03 north-east,
# 04 south-east, 05 south-west; the overseas departments' own prefixes).
PHONE_PREFIXES = {"01": "0590", "02": "0596", "03": "0594", "04": "0262", "06": "0269", "11": "01", "24": "02",
                  "27": "03", "28": "02", "32": "03", "44": "03", "52": "02", "53": "02", "75": "05", "76": "05",
                  "84": "04", "93": "04", "94": "04"}  # fmt: skip
REGION_OF = {code: region for code, _, region in DEPARTMENTS}
OPENING_HOURS = (
    "Du lundi au vendredi, de 9 h à 12 h 30 et de 13 h 30 à 18 h",
    "Du lundi au vendredi de 9 h à 18 h, le samedi matin de 9 h 30 à 12 h",
    "Lundi, mardi, jeudi et vendredi de 9 h à 12 h et de 14 h à 18 h ; mercredi de 9 h à 19 h",
    "Du mardi au samedi, de 10 h à 12 h et de 14 h à 19 h",
    "Accueil les lundis, mercredis et vendredis de 14 h à 18 h",
)


def reception(code: str, name: str) -> dict:
    """A phone number and opening hours, drawn from the structure's name by their own dice: the demo's other
    draws (and so every other record, sheet and answer) stay what they were before these fields existed."""
    dice = Dice(f"accueil:{name}")
    prefix = PHONE_PREFIXES[REGION_OF[code]]
    digits = "".join(str(dice.below(10)) for _ in range(10 - len(prefix)))
    return {
        "phone": prefix + digits if dice.chance(0.9) else "",
        "opening_hours": dice.pick(OPENING_HOURS) if dice.chance(0.8) else "",
    }


class DemoStructure(NamedTuple):
    record: dict
    department_code: str
    place: str  # the neighbourhood the structure's sheets talk about
    weight: float  # how many sheets it publishes, relatively


class StructureGenerator:
    def __init__(self, dice: Dice, last_year: int):
        self.dice = dice
        self.last_year = last_year
        self.departments = Weighted([((code, name), DEPARTMENT_WEIGHTS.get(code, 1)) for code, name, _ in DEPARTMENTS])
        self.csx_patterns = Weighted(CSX_NAME_PATTERNS)
        self.evs_patterns = Weighted(EVS_NAME_PATTERNS)
        self.names: set[tuple[str, str]] = set()

    def structure(self, index: int) -> DemoStructure:
        dice = self.dice
        code, department = self.departments.draw(dice)
        kind = "csx" if dice.chance(0.58) else "evs"
        commune = PREFECTURES[code] if code == "75" or dice.chance(0.35) else self._commune()
        place = dice.pick(PLACE_NAMES)
        name = self._unique_name(kind, place, commune, department)
        record = {"name": name, "kind": kind, **self._address(code, commune), "department": department}
        record.update(self._contact(name, commune))
        record.update(reception(code, name))
        record.update(self._history(kind, place))
        record["axes"] = self._axes()
        record.update(self._territory(index))
        record.update(self._federation(kind, index))
        weight = 0.0 if dice.chance(0.1) else (0.2 + dice.random()) ** 3
        return DemoStructure(record, code, place, weight)

    def _commune(self) -> str:
        return self.dice.pick(COMMUNE_BASES) + self.dice.pick(COMMUNE_SUFFIXES)

    def _unique_name(self, kind: str, place: str, commune: str, department: str) -> str:
        patterns = self.csx_patterns if kind == "csx" else self.evs_patterns
        name = ""
        for attempt in range(20):
            if attempt:
                place = self.dice.pick(PLACE_NAMES)
            name = _fill_name(patterns.draw(self.dice), place, self.dice.pick(PERSON_NAMES), commune)
            if (department, match_key(name)) not in self.names:
                break
        base, number = name, 1
        while (department, match_key(name)) in self.names:
            number += 1
            name = f"{base} {number}"
        self.names.add((department, match_key(name)))
        return name

    def _address(self, code: str, commune: str) -> dict:
        dice = self.dice
        number = f"{dice.between(1, 180)}{' bis' if dice.chance(0.05) else ''}"
        street = f"{number} {dice.pick(STREET_TYPES)} {dice.pick(STREET_NAMES)}"
        return {"street": street, "postcode": postcode(dice, code), "commune": commune}

    def _contact(self, name: str, commune: str) -> dict:
        dice = self.dice
        host = f"{short_slug(name, 40)}-{short_slug(commune, 24)}.{DEMO_DOMAIN}"
        return {
            "email": f"{dice.pick(EMAIL_BOXES)}@{host}",
            "website": f"https://{host}" if dice.chance(0.75) else "",
            "siret": siret(dice) if dice.chance(0.93) else "",
        }

    def _history(self, kind: str, place: str) -> dict:
        dice = self.dice
        first_year = 1970 if kind == "csx" else 1998
        approved = first_year + dice.below(self.last_year - first_year)
        first_approval = dt.date(approved, 1, 1) + dt.timedelta(days=dice.below(365))
        years = {
            "created": approved - dice.below(6),
            "approved": approved,
            "moved": dice.between(approved, self.last_year),
            "de_place": de(place),
        }
        sentences = dice.distinct(HISTORY_SENTENCES, dice.pick((0, 0, 1, 2, 2, 3)))
        return {
            "first_approval": first_approval.isoformat(),
            "history": " ".join(sentence.format_map(years) for sentence in sentences),
        }

    def _axes(self) -> list[str]:
        axes = self.dice.distinct(AXES, 5)
        empty = self.dice.pick((0, 0, 0, 0, 0, 0, 1, 1, 2))
        return axes[: 5 - empty] + [""] * empty

    def _territory(self, index: int) -> dict:
        dice = self.dice
        forced = {name: forced_value(CLOSED_LIST_VALUES[name], index) for name in FORCED_LISTS}
        territory_type = forced["TerritoryType"] or (URBAN if dice.chance(0.8) else RURAL)
        sizes = URBAN_SIZES if territory_type == URBAN else RURAL_SIZES
        geography = (
            URBAN_GEOGRAPHY.draw(dice) if territory_type == URBAN else (NEAR_QPV if dice.chance(0.05) else NO_QPV)
        )
        population = dice.between(3_000, 45_000) if territory_type == URBAN else dice.between(800, 25_000)
        return {
            "population": population,
            "management_mode": forced["ManagementMode"] or MANAGEMENT_MODES.draw(self.dice),
            "territory_type": territory_type,
            "territory_size": forced["TerritorySize"] or sizes.draw(dice),
            "priority_geography": forced["PriorityGeography"] or geography,
        }

    def _federation(self, kind: str, index: int) -> dict:
        dice = self.dice
        # The first structures show each "Oui" of the rare specificities.
        return {
            "fcsf_member": index == 0 or (index != 1 and dice.chance(0.65 if kind == "csx" else 0.35)),
            "other_federation": dice.pick(OTHER_FEDERATIONS) if dice.chance(0.2) else "",
            "travellers": index == 1 or dice.chance(0.02),
            "multi_site": index == 2 or dice.chance(0.1),
            "itinerant": index == 3 or dice.chance(0.04),
        }


def _fill_name(pattern: str, place: str, person: str, commune: str) -> str:
    return pattern.format(
        place_cap=capitalize(place),
        de_place=de(place),
        place_upper=place.upper(),
        person=person,
        de_commune=de(commune),
    )


def short_slug(text: str, limit: int) -> str:
    """The slug of `text`, cut at a hyphen so that it has at most `limit` characters."""
    slug = slugify(text)
    if len(slug) <= limit:
        return slug
    cut = slug.rfind("-", 0, limit + 1)
    return slug[:cut] if cut > 0 else slug[:limit]


def postcode(dice: Dice, code: str) -> str:
    """A postcode of the department: Corsica 200xx (2A) / 202xx (2B), overseas 97xxx, Paris 750xx."""
    if code == "2A":
        return f"200{dice.below(10)}0"
    if code == "2B":
        return f"202{dice.below(10)}0"
    if code == "75":
        return f"750{dice.between(1, 20):02d}"
    if len(code) == 3:
        return f"{code}{dice.below(10)}0"
    return f"{code}{dice.between(1, 99):02d}0"


def siret(dice: Dice) -> str:
    """14 digits with a valid Luhn key (never La Poste's SIREN, which follows another rule)."""
    while True:
        body = str(dice.pick("345789")) + "".join(str(dice.below(10)) for _ in range(12))
        if body.startswith(LA_POSTE_SIREN):
            continue
        for key in range(10):
            if luhn_ok(body + str(key)):
                return body + str(key)
