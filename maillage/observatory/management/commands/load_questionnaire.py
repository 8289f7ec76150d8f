from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from maillage.french import count_noun
from maillage.observatory.campaigns import (
    CampaignError,
    QuestionnaireLoadError,
    create_campaign,
    describe_error,
    load_into_campaign,
)
from maillage.observatory.definitions.questionnaire import InvalidDefinition
from maillage.observatory.definitions.wording import campaign_label
from maillage.observatory.management.arguments import french_date
from maillage.observatory.models import Campaign


class Command(BaseCommand):
    help = (
        "Charge un questionnaire (YAML) pour la campagne d'une année : il est vérifié en entier, puis gardé avec "
        "ses fichiers inclus. La campagne est créée si besoin (--ouverture et --cloture obligatoires alors). "
        "Même chose depuis le site : /espace/observatoire/campagnes/ (administrateurs nationaux)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FICHIER", type=Path)
        parser.add_argument("--year", type=int, required=True, help="année observée (ex. 2025)")
        parser.add_argument("--ouverture", type=french_date, help="date d'ouverture jj/mm/aaaa (nouvelle campagne)")
        parser.add_argument("--cloture", type=french_date, help="date de clôture jj/mm/aaaa (nouvelle campagne)")

    def handle(self, *args, file: Path, year: int, ouverture, cloture, **options):
        if not file.is_file():
            raise CommandError(f"{file} : fichier introuvable.")
        try:
            with transaction.atomic():  # a campaign created here does not outlive a questionnaire refused
                campaign = Campaign.objects.filter(year=year).first() or self.new_campaign(year, ouverture, cloture)
                questionnaire = load_into_campaign(file, campaign).questionnaire
        except InvalidDefinition as invalid:
            for error in invalid.errors:
                self.stderr.write(f"  {describe_error(error)}")
            raise CommandError(f"{file} : {count_noun(len(invalid.errors), 'erreur')}, rien n'a été chargé.") from None
        except (QuestionnaireLoadError, CampaignError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{questionnaire} chargé : {count_noun(questionnaire.question_count, 'question')}, "
            f"fichiers {', '.join(sorted(questionnaire.sources))}."
        )

    @staticmethod
    def new_campaign(year: int, opens_on, closes_on) -> Campaign:
        if opens_on is None or closes_on is None or opens_on > closes_on:
            raise CommandError(
                f"Pas de campagne {campaign_label(year)} : "
                "donnez --ouverture et --cloture (jj/mm/aaaa, l'ouverture d'abord)."
            )
        return create_campaign(year=year, opens_on=opens_on, closes_on=closes_on)
