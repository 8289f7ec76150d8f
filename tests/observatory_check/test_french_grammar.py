"""A grammar check over every label people read: the questionnaires (titles, questions, help, options, rows,
columns, rule messages), the key figures' labels, the closed lists, the texts of the templates, and pages rendered
from an observatory campaign. It forbids what composing words used to produce: « de les », « de le », « à les »,
« que il », « 0 fiches », « de espace » without elision, doubled spaces, a space before « , » or « . ».

The project writes an ordinary space before « : ; ! ? » (as its messages and pages do everywhere), so the narrow
no-break space is not asked for."""

import html
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.template import Context, Template
from django.urls import reverse

import maillage
from maillage.observatory.definitions.builder import shipped_definition
from maillage.observatory.definitions.wording import count_noun, of_name, to_name, with_de
from maillage.observatory.figures import aggregates, indicators
from maillage.referentials.models import ReferenceItem
from tests.logins import log_in

# « de le retrouver », « à les relire »: a pronoun before a verb is right
INFINITIVE = r"(?!\s+(?:retrouver|relire|partager|modifier|supprimer|voir|lire|consulter|compléter|corriger|remplir"
INFINITIVE += r"|valider|recevoir|publier|afficher|utiliser|garder|envoyer|transmettre)\b)"
VOWEL_WORD = r"(?!(?:oui|un|une|ou|onze|huit|y)\b)[aeiouyéèêàâîôûœ]\w"
RULES = [
    (re.compile(rf"(?i)\b(de|à) (le|les)\b{INFINITIVE}"), "« de le / de les / à le / à les » (du, des, au, aux)"),
    (re.compile(r"(?i)\bde une?\b"), "« de un(e) » (d'un, d'une)"),
    (re.compile(r"(?i)\b(que|lorsque|puisque) (il|ils|elle|elles|on|un|une)\b|\bsi ils?\b"), "« que il » (qu'il…)"),
    (re.compile(r"\b[01] (fiches|structures|réponses|questions|membres|actions|questionnaires)\b"),
     "« 0 fiches » (0 et 1 au singulier)"),
    (re.compile(rf"(?i)\b(de|le|la|que|ne|je|me|te|se|ce) {VOWEL_WORD}"), "voyelle sans élision (« de espace »)"),
    (re.compile(r"\S {2,}\S"), "deux espaces de suite"),
    (re.compile(r"\w \.(?!\.)|\w ,"), "espace avant « , » ou « . »"),
]  # fmt: skip
TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}|<[^>]+>", re.S)


def problems(text: str, where: str) -> list[str]:
    found = []
    for pattern, what in RULES:
        for match in pattern.finditer(text):
            context = text[max(0, match.start() - 30) : match.end() + 30].replace("\n", " ")
            found.append(f"{where} : {what} : …{context}…")
    return found


def questionnaire_texts():
    for name in ("csx_2025.yaml", "evs_2025.yaml"):
        definition = shipped_definition(name)
        yield f"{name} titre", definition.title
        for section in definition.sections:
            yield f"{name} {section.code}", section.title
            yield f"{name} {section.code}", section.help
            for question in section.questions:
                for text in (question.label, question.help, question.unit):
                    yield f"{name} {question.code}", text
                for item in (*question.options, *question.rows, *question.columns):
                    yield f"{name} {question.code}", item.label
        for rule in definition.rules:
            yield f"{name} {rule.code}", rule.message


def test_the_french_helpers():
    assert with_de("les usagers") == "des usagers" and with_de("le département") == "du département"
    assert with_de("les communes et intercommunalités") == "des communes et intercommunalités"
    assert with_de("l'État") == "de l'État" and with_de("la Caf") == "de la Caf"
    assert of_name("Espace de vie sociale Les Tilleuls") == "de l'Espace de vie sociale Les Tilleuls"
    assert of_name("Centre social Nord") == "du Centre social Nord" and of_name("Les Tilleuls") == "des Tilleuls"
    assert to_name("Centre social Nord") == "au Centre social Nord" and to_name("Arc-en-ciel") == "à Arc-en-ciel"
    assert [count_noun(n, "fiche") for n in (0, 1, 2)] == ["0 fiche", "1 fiche", "2 fiches"]
    plural = Template("{{ n }} fiche{{ n|pluralize }}, {{ n }} structure{{ n|pluralize:'s' }}")
    assert [plural.render(Context({"n": n})) for n in (0, 1, 2)] == [
        "0 fiche, 0 structure", "1 fiche, 1 structure", "2 fiches, 2 structures"
    ]  # fmt: skip
    team = Template("Membres {{ name|of_name }} ; demande d'accès {{ name|to_name }}")
    assert team.render(Context({"name": "Espace de vie sociale Les Tilleuls"})) == (
        "Membres de l&#x27;Espace de vie sociale Les Tilleuls ; demande d'accès à l&#x27;Espace de vie sociale Les "
        "Tilleuls"
    )
    assert problems("Part des produits venant de les usagers, de le centre", "x") != []


def test_questionnaire_labels():
    found = [p for where, text in questionnaire_texts() if text for p in problems(text, where)]
    assert found == []


def test_key_figure_labels():
    found = [p for item in indicators.INDICATORS for p in problems(item.label, item.code)]
    assert found == []
    labels = {item.code: item.label for item in indicators.INDICATORS}
    assert labels["FINANCEMENT_USAGERS"] == "Part des produits venant des usagers"
    assert labels["FINANCEMENT_DEPARTEMENT"] == "Part des produits venant du département"
    assert labels["FINANCEMENT_COMMUNES"] == "Part des produits venant des communes et intercommunalités"


@pytest.mark.django_db
def test_closed_lists():
    models = [m for m in apps.get_models() if issubclass(m, ReferenceItem)]
    assert models
    found = [p for model in models for label in model.objects.values_list("label", flat=True)
             for p in problems(label, model._meta.verbose_name)]  # fmt: skip
    assert found == []


def test_template_texts():
    root = Path(maillage.__file__).parent / "templates"
    found = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".html", ".txt"):
            continue
        source = path.read_text(encoding="utf-8")
        for part in TAG.split(source):  # the words between tags and variables
            for line in part.splitlines():
                found += problems(html.unescape(line.strip()), str(path.relative_to(root)))
    assert found == []


def visible_text(page) -> str:
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page.content.decode(), flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return " ".join(text.split())


@pytest.mark.django_db
def test_rendered_observatory_pages(client, world, campaign):
    aggregates.refresh_year(2025)
    aggregates.refresh_year(2024)
    structure = world.structure_a
    log_in(client, world.users["member_a"])
    urls = [
        reverse("observatory_fill:home"),
        reverse("observatory_fill:summary", args=[2025, structure.pk]),
        *[reverse("observatory_fill:section", args=[2025, structure.pk, code])
          for code in ("PROJET", "ACTIONS", "PARTICIPATION", "PARTENARIATS", "RH", "FINANCES", "THEME_2025")],
    ]  # fmt: skip
    found = []
    for url in urls:
        found += problems(visible_text(client.get(url)), url)
    client.logout()
    log_in(client, world.users["national_admin"])
    for url in [
        reverse("observatory_check:dashboard") + "?annee=2025",
        reverse("observatory_check:response", args=[2025, structure.pk]),
        reverse("observatory:nation"),
        reverse("observatory:departement", kwargs={"code": "13"}),
    ]:
        page = client.get(url)
        assert page.status_code == 200, url
        found += problems(visible_text(page), url)
    assert [p for p in found if "deux espaces" not in p] == []
