"""The words people read for the observatory's recurring names: one name per campaign, and the French
contractions and plurals that composed labels need (« venant du département », « 0 fiche » from `maillage.french`).

A campaign is stored by the year its answers describe (`Campaign.year`, the data year); the survey itself runs the
following spring. Pages, e-mails, exports, PDF and admin all call it by `campaign_label`:
« Enquête 2026 — données 2025 ». `campaign_slug` is the same name in a file name.
"""

from __future__ import annotations

import re

from maillage.french import count_noun  # noqa: F401 - the plurals of composed labels, read here by the observatory

EM_DASH = "\u2014"


def survey_year(data_year: int) -> int:
    """The year the survey runs: the spring after the year its answers describe."""
    return int(data_year) + 1


def campaign_label(data_year: int) -> str:
    """« Enquête 2026 — données 2025 » for the campaign whose answers describe 2025."""
    return f"Enquête {survey_year(data_year)} {EM_DASH} données {int(data_year)}"


def campaign_phrase(data_year: int) -> str:
    """The name inside a sentence: « l'enquête 2026 — données 2025 »."""
    return "l'" + campaign_label(data_year)[0].lower() + campaign_label(data_year)[1:]


def campaign_slug(data_year: int) -> str:
    """The name in a file name: « enquete-2026-donnees-2025 »."""
    return f"enquete-{survey_year(data_year)}-donnees-{int(data_year)}"


_VOWEL_START = re.compile(r"^[aeiouyàâäéèêëîïôöùûüœh]", re.IGNORECASE)
_MUTE_H_EXCEPTIONS = ("hau", "hai", "hall", "hameau", "handi", "hangar", "hanté", "harc", "haricot", "hasard",
                      "hâte", "hausse", "héros", "hibou", "hiérarch", "hockey", "honte", "hors", "hurl")  # fmt: skip


def elides(word: str) -> bool:
    """Does a French word take « l' », « d' », « qu' » before it (vowel or mute h)?"""
    lowered = word.lower()
    if lowered.startswith("h"):
        return not lowered.startswith(_MUTE_H_EXCEPTIONS)
    return bool(_VOWEL_START.match(word))


def with_de(noun_phrase: str) -> str:
    """« de » before a noun phrase, contracted as French writes it: « les usagers » → « des usagers », « le
    département » → « du département », « l'État » → « de l'État », « espace » → « d'espace »."""
    text = noun_phrase.strip()
    lowered = text.lower()
    if lowered.startswith("les "):
        return "des " + text[4:]
    if lowered.startswith("le "):
        return "du " + text[3:]
    if lowered.startswith(("la ", "l'", "l\u2019")):
        return "de " + text
    return ("d'" if elides(text) else "de ") + text


# The first word of a structure's name, when it is a common noun, decides its article: « du Centre social … »,
# « de l'Espace de vie sociale … », « de la Maison pour tous … ». Other names are proper names: « de Mosaïque »,
# « d'Arc-en-ciel ».
MASCULINE_NOUNS = {"centre", "espace", "foyer", "pôle", "local", "point", "lieu", "comité", "relais", "carrefour",
                   "collectif", "club", "service", "secours"}  # fmt: skip
FEMININE_NOUNS = {"maison", "association", "cité", "ferme", "régie", "fédération", "caf", "mairie", "commune",
                  "ville", "communauté", "résidence", "passerelle", "fabrique", "structure", "halte",
                  "amicale"}  # fmt: skip


def of_name(name: str) -> str:
    """« de » before a structure's (or a place's) name: « du Centre social Nord », « de l'Espace de vie sociale
    Les Tilleuls », « de la Maison pour tous », « des Tilleuls », « d'Arc-en-ciel », « de Mosaïque »."""
    text = name.strip()
    first = re.split(r"[\s'’-]", text, maxsplit=1)[0].lower()
    if first in ("les", "le", "la") or text.lower().startswith(("l'", "l’")):
        return with_de(text)
    if first in MASCULINE_NOUNS:
        return ("de l'" if elides(text) else "du ") + text
    if first in FEMININE_NOUNS:
        return ("de l'" if elides(text) else "de la ") + text
    return ("d'" if elides(text) else "de ") + text


def to_name(name: str) -> str:
    """« à » before a structure's name: « au Centre social Nord », « à l'Espace de vie sociale … », « à la Maison
    pour tous », « aux Tilleuls », « à Mosaïque »."""
    with_of = of_name(name)
    for of, to in (("du ", "au "), ("des ", "aux "), ("de l'", "à l'"), ("de la ", "à la "), ("d'", "à "),
                   ("de ", "à ")):  # fmt: skip
        if with_of.startswith(of):
            return to + with_of[len(of) :]
    return "à " + name


def with_a(noun_phrase: str) -> str:
    """« à » before a noun phrase: « les habitants » → « aux habitants », « le centre » → « au centre »."""
    text = noun_phrase.strip()
    lowered = text.lower()
    if lowered.startswith("les "):
        return "aux " + text[4:]
    if lowered.startswith("le "):
        return "au " + text[3:]
    return "à " + text
