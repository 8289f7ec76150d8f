"""Invented action sheets as open-data records (`maillage.exchange.records`), ready for the import loader.

Sheets come in three shapes: a few nearly empty, most of medium length, some long with several paragraphs
and lists of `- ` lines. Titles never repeat within a structure, so the loader finds neither exact
duplicates nor "probable duplicates".
"""

from functools import lru_cache

from django.utils.text import slugify

from maillage.exchange.records import empty_record
from maillage.referentials.seed_data import CLOSED_LIST_VALUES
from maillage.referentials.text import match_key as _match_key

from . import vocab_texts as texts
from .dice import Dice, Weighted, au, capitalize, de, forced_value, with_forced
from .structures import DemoStructure
from .vocab_places import PLACE_NAMES, PREFECTURES
from .vocab_sheets import (
    END_REASONS,
    FILE_NAMES,
    FINANCIAL,
    INITIATIVE_DETAILS,
    MOMENTS,
    MONTHS,
    PARTNER_PHRASES,
    PEOPLE,
    THEMES,
    TITLE_QUALIFIERS,
    Theme,
)

ONGOING, ENDED = CLOSED_LIST_VALUES["ActionStatus"]
DIMENSIONS = Weighted(list(zip(CLOSED_LIST_VALUES["Dimension"], (40, 30, 30), strict=True)))
INITIATIVES = Weighted(list(zip(CLOSED_LIST_VALUES["Initiative"], (55, 15, 7, 15, 8), strict=True)))
TERRITORIES = Weighted(list(zip(CLOSED_LIST_VALUES["Territory"], (35, 20, 25, 12, 5, 3), strict=True)))
PARTNERS = Weighted(
    list(zip(CLOSED_LIST_VALUES["Partner"], (30, 6, 10, 12, 20, 4, 10, 25, 3, 2, 3, 4, 2, 6), strict=True))
)
PARTNER_COUNTS = Weighted([(0, 15), (1, 35), (2, 25), (3, 15), (4, 10)])
KEYWORDS = CLOSED_LIST_VALUES["Keyword"]
PUBLICS = [value for value in CLOSED_LIST_VALUES["Public"] if value != "Tous publics"]
OTHER = "Autre"
PREFECTURE_NAMES = list(PREFECTURES.values())
SPARSE, MEDIUM, LONG = "sparse", "medium", "long"
# Titles are made of few parts, so their keys repeat: cached.
match_key = lru_cache(maxsize=1 << 16)(_match_key)
STRUCTURE_WORDS = {
    "csx": ("le centre social", "du centre social", "au centre social"),
    "evs": ("l'espace de vie sociale", "de l'espace de vie sociale", "à l'espace de vie sociale"),
}


class SheetGenerator:
    def __init__(self, dice: Dice, structures: list[DemoStructure], last_year: int):
        self.dice = dice
        self.last_year = last_year
        weighted = [(structure, structure.weight) for structure in structures if structure.weight > 0]
        self.publishers = Weighted(weighted) if weighted else None
        self.titles: set[tuple] = set()

    def record(self, index: int, year: int) -> dict:
        dice = self.dice
        structure = self.publishers.draw(dice) if self.publishers and dice.random() > 0.04 else None
        theme = dice.pick(THEMES)
        context = self._context(theme, structure, year)
        record = empty_record()
        if structure is not None:
            record["structure"] = {"name": structure.record["name"], "department": structure.record["department"]}
        record["title"] = self._title(theme, structure, context)
        shape = SPARSE if dice.chance(0.08) else (LONG if dice.chance(0.4) else MEDIUM)
        self._fill_lists(record, index, theme, year, shape)
        self._fill_texts(record, context, shape)
        if dice.chance(0.08):
            slug = slugify(record["title"])[:30] or "action"
            names = dice.distinct(FILE_NAMES, dice.between(1, 3))
            record["files"] = [name.format(year=year, slug=slug) for name in names]
        return record

    def _context(self, theme: Theme, structure: DemoStructure | None, year: int) -> dict:
        dice = self.dice
        if structure is None:
            kind, place, commune = "csx", dice.pick(PLACE_NAMES), dice.pick(PREFECTURE_NAMES)
        else:
            kind, place, commune = structure.record["kind"], structure.place, structure.record["commune"]
        cs, de_cs, au_cs = STRUCTURE_WORDS[kind]
        part, part2 = dice.distinct(PARTNER_PHRASES, 2)
        return {
            "act": theme.activity, "Act": capitalize(theme.activity), "de_act": de(theme.activity),
            "au_act": au(theme.activity), "pub": theme.audience, "de_pub": de(theme.audience),
            "au_pub": au(theme.audience), "place": place, "de_q": de(place), "commune": commune,
            "de_commune": de(commune), "cs": cs, "Cs": capitalize(cs), "de_cs": de_cs, "au_cs": au_cs,
            "part": part, "part2": part2, "moment": dice.pick(MOMENTS), "month": dice.pick(MONTHS),
            "year": year, "next": year + 1, "prev": year - 1 - dice.below(4), "n": dice.between(6, 25),
            "reached": dice.between(20, 400), "volunteers": dice.between(2, 30), "pros": dice.between(1, 12),
        }  # fmt: skip

    def _title(self, theme: Theme, structure: DemoStructure | None, context: dict) -> str:
        dice = self.dice
        owner = (structure.record["name"], structure.record["department"]) if structure else None
        title = ""
        for attempt in range(12):
            title = with_qualifier(dice.pick(theme.titles), dice.pick(TITLE_QUALIFIERS))
            if attempt >= 2 or dice.chance(0.12):
                title += f" {context['year']}" if dice.chance(0.5) else f" {context['de_q']}"
            if (owner, match_key(title)) not in self.titles:
                break
        base, number = title, 1
        while (owner, match_key(title)) in self.titles:
            number += 1
            title = f"{base} ({number})"
        self.titles.add((owner, match_key(title)))
        if dice.chance(0.07):
            return title.upper()
        return f'"{title}"' if dice.chance(0.04) else title

    def _fill_lists(self, record: dict, index: int, theme: Theme, year: int, shape: str) -> None:
        dice = self.dice
        ended = dice.chance(0.08 + 0.07 * (self.last_year - year))
        record["status"] = forced_value(CLOSED_LIST_VALUES["ActionStatus"], index) or (ENDED if ended else ONGOING)
        if record["status"] == ENDED and dice.chance(0.85):
            record["end_reason"] = dice.pick(END_REASONS).format(year=year, month=dice.pick(MONTHS), part="la commune")
        record["dimensions"] = self._dimensions(index)
        keywords = dice.distinct(theme.keywords, dice.between(1, 2))
        if dice.chance(0.3):
            keywords = with_forced(keywords, dice.pick(KEYWORDS))
        record["keywords"] = with_forced(keywords, forced_value(KEYWORDS, index))
        if shape == SPARSE and index >= len(KEYWORDS):
            return
        record["initiative"] = self._initiative(record, index)
        record["territory"] = forced_value(CLOSED_LIST_VALUES["Territory"], index) or (
            TERRITORIES.draw(dice) if dice.chance(0.97) else None
        )
        record["public"] = self._public(theme, index)
        count = PARTNER_COUNTS.draw(dice)
        partners = list(dict.fromkeys(PARTNERS.draw(dice) for _ in range(count)))
        record["partners"] = with_forced(partners, forced_value(CLOSED_LIST_VALUES["Partner"], index))

    def _dimensions(self, index: int) -> list[str]:
        dice = self.dice
        forced = forced_value(CLOSED_LIST_VALUES["Dimension"], index)
        if forced is None and dice.chance(0.07):
            return []
        chosen = [DIMENSIONS.draw(dice)]
        if dice.chance(0.05):
            chosen = with_forced(chosen, DIMENSIONS.draw(dice))
        return with_forced(chosen, forced)

    def _initiative(self, record: dict, index: int) -> list[str]:
        dice = self.dice
        chosen = [INITIATIVES.draw(self.dice)]
        if dice.chance(0.15):
            chosen = with_forced(chosen, INITIATIVES.draw(dice))
        chosen = with_forced(chosen, forced_value(CLOSED_LIST_VALUES["Initiative"], index))
        if OTHER in chosen and dice.chance(0.9):
            record["initiative_detail"] = dice.pick(INITIATIVE_DETAILS).format(part=dice.pick(PARTNER_PHRASES))
        return chosen

    def _public(self, theme: Theme, index: int) -> list[str]:
        dice = self.dice
        if dice.chance(0.2) and index >= len(CLOSED_LIST_VALUES["Public"]):
            return ["Tous publics"]
        chosen = dice.distinct(theme.publics, dice.between(1, 2))
        if dice.chance(0.15):
            chosen = with_forced(chosen, dice.pick(PUBLICS))
        return with_forced(chosen, forced_value(CLOSED_LIST_VALUES["Public"], index))

    def _fill_texts(self, record: dict, context: dict, shape: str) -> None:
        if shape == SPARSE:
            if self.dice.chance(0.5):
                record["summary"] = self._sentences(texts.SUMMARY, context, 1)
            return
        writer = LONG_TEXTS if shape == LONG else MEDIUM_TEXTS
        for key, (probability, bank, low, high) in writer.items():
            if self.dice.chance(probability):
                record[key] = self._field(key, bank, context, low, high, shape)

    def _field(self, key: str, bank, context: dict, low: int, high: int, shape: str) -> str:
        dice = self.dice
        count = dice.between(low, high)
        if key == "financial_resources":
            return self._money(context)
        if key == "people_mobilised":
            return dice.pick(PEOPLE).format(etp=dice.pick(("0,5", "1", "1,5", "2", "3")), **context)
        if shape == LONG and key in ("experience", "result_territory"):
            sentences = [sentence.format_map(context) for sentence in dice.distinct(bank, count + 2)]
            cut = dice.between(1, len(sentences) - 1)
            return "\n".join((" ".join(sentences[:cut]), " ".join(sentences[cut:])))
        if shape == LONG and key == "general_description":
            steps = [step.format_map(context) for step in dice.distinct(texts.STEPS, dice.between(3, 6))]
            intro = self._sentences(bank, context, count)
            return "\n".join([intro, dice.pick(texts.STEP_HEADERS), *steps, self._sentences(bank, context, 2)])
        return self._sentences(bank, context, count)

    def _sentences(self, bank: list[str], context: dict, count: int) -> str:
        separator = "\n" if self.dice.chance(0.3) else " "
        return separator.join(sentence.format_map(context) for sentence in self.dice.distinct(bank, count))

    def _money(self, context: dict) -> str:
        dice = self.dice
        town, caf, fees = dice.between(5, 1500) * 10, dice.between(50, 800) * 10, dice.between(0, 200) * 10
        total = town + caf + fees
        values = {
            "town": town,
            "caf": caf,
            "fees": fees,
            "total": total,
            "total_high": total + dice.between(1, 9) * 1000,
        }
        return dice.pick(FINANCIAL).format(**values)


@lru_cache(maxsize=4096)
def with_qualifier(stem: str, qualifier: str) -> str:
    """`stem` and `qualifier`, unless they would repeat a word ("Café des parents des parents")."""
    if _roots(stem) & _roots(qualifier):
        return stem
    return stem + qualifier


def _roots(text: str) -> set[str]:
    return {word[:5] for word in _match_key(text).split() if len(word) > 3}


# Text fields by sheet shape: key → (probability of being filled, sentence bank, fewest, most sentences).
# Lengths are set so that the average sheet weighs about 3.2 kB in the text export, as the real bank does.
MEDIUM_TEXTS = {
    "summary": (0.95, texts.SUMMARY, 2, 5),
    "experience": (0.9, texts.EXPERIENCE, 4, 8),
    "general_description": (0.85, texts.DESCRIPTION, 3, 6),
    "financial_resources": (0.65, None, 1, 1),
    "people_mobilised": (0.7, None, 1, 1),
    "result_territory": (0.65, texts.RESULT_TERRITORY, 2, 4),
    "result_centre": (0.65, texts.RESULT_CENTRE, 2, 4),
    "result_inhabitants": (0.7, texts.RESULT_INHABITANTS, 2, 4),
    "limits": (0.5, texts.LIMITS, 1, 2),
    "perspectives": (0.6, texts.PERSPECTIVES, 1, 3),
}
LONG_TEXTS = {
    "summary": (1.0, texts.SUMMARY, 4, 6),
    "experience": (1.0, texts.EXPERIENCE, 6, 10),
    "general_description": (1.0, texts.DESCRIPTION, 4, 7),
    "financial_resources": (0.9, None, 1, 1),
    "people_mobilised": (0.9, None, 1, 1),
    "result_territory": (0.9, texts.RESULT_TERRITORY, 2, 4),
    "result_centre": (0.85, texts.RESULT_CENTRE, 2, 4),
    "result_inhabitants": (0.9, texts.RESULT_INHABITANTS, 2, 4),
    "limits": (0.8, texts.LIMITS, 1, 3),
    "perspectives": (0.85, texts.PERSPECTIVES, 2, 4),
}
