from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maillage.observatory.definitions import InvalidDefinition
from maillage.observatory.models import Campaign
from maillage.observatory.storage import QuestionnaireLoadError, load_questionnaire


def french_date(text: str) -> date:
    try:
        day, month, year = (int(part) for part in text.split("/"))
        return date(year, month, day)
    except ValueError:
        raise CommandError(f"« {text} » n'est pas une date jj/mm/aaaa.") from None


class Command(BaseCommand):
    help = (
        "Charge un questionnaire (YAML) pour la campagne d'une année : il est vérifié en entier, puis gardé avec "
        "ses fichiers inclus. La campagne est créée si besoin (--ouverture et --cloture obligatoires alors)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FICHIER", type=Path)
        parser.add_argument("--year", type=int, required=True, help="année observée (ex. 2025)")
        parser.add_argument("--ouverture", type=french_date, help="date d'ouverture jj/mm/aaaa (nouvelle campagne)")
        parser.add_argument("--cloture", type=french_date, help="date de clôture jj/mm/aaaa (nouvelle campagne)")

    def handle(self, *args, file: Path, year: int, ouverture, cloture, **options):
        if not file.is_file():
            raise CommandError(f"{file} : fichier introuvable.")
        campaign = Campaign.objects.filter(year=year).first()
        if campaign is None:
            if ouverture is None or cloture is None or ouverture > cloture:
                raise CommandError(
                    f"Pas de campagne {year} : donnez --ouverture et --cloture (jj/mm/aaaa, l'ouverture d'abord)."
                )
            campaign = Campaign.objects.create(year=year, opens_on=ouverture, closes_on=cloture)
        try:
            questionnaire = load_questionnaire(file, campaign)
        except InvalidDefinition as invalid:
            for error in invalid.errors:
                self.stderr.write(f"  {error}")
            raise CommandError(f"{file} : {len(invalid.errors)} erreur(s), rien n'a été chargé.") from None
        except QuestionnaireLoadError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{questionnaire} chargé : {questionnaire.question_count} questions, "
            f"fichiers {', '.join(sorted(questionnaire.sources))}."
        )
