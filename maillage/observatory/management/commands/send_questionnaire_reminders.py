"""Remind by e-mail the structures that have not transmitted their questionnaire (not started or in progress)."""

from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from maillage.french import count_noun
from maillage.observatory.checks import reminders
from maillage.observatory.definitions.wording import campaign_label
from maillage.observatory.management.arguments import french_date
from maillage.observatory.models import Campaign


class Command(BaseCommand):
    help = (
        "Relance par e-mail les structures dont le questionnaire n'est pas transmis (non commencé ou en cours), "
        "à partir d'une date. Une structure déjà relancée depuis cette date ne l'est pas deux fois."
    )

    def add_arguments(self, parser):
        parser.add_argument("--annee", type=int, help="année observée (défaut : la dernière campagne)")
        parser.add_argument("--apres", type=french_date, help="relancer à partir de cette date jj/mm/aaaa "
                            "(défaut : aujourd'hui)")  # fmt: skip
        parser.add_argument("--dry-run", action="store_true", help="afficher les structures sans rien envoyer")

    def handle(self, *args, annee, apres, dry_run, **options):
        campaign = Campaign.objects.filter(year=annee).first() if annee else Campaign.objects.first()
        if campaign is None:
            raise CommandError(f"Pas de campagne {campaign_label(annee)}." if annee else "Aucune campagne.")
        today = timezone.localdate()
        since = apres or today
        if since > today:
            self.stdout.write(f"Rien à faire avant le {since:%d/%m/%Y}.")
            return
        outcome = reminders.remind_late(campaign, timezone.make_aware(datetime.combine(since, time())), dry_run=dry_run)
        for response in outcome.reminded:
            label = f"{response.structure.name} ({response.get_status_display()})"
            self.stdout.write(f"À relancer : {label}" if dry_run else f"Relancée : {label}")
        for response in outcome.without_address:
            self.stderr.write(f"Aucune adresse e-mail : {response.structure.name} ({response.get_status_display()})")
        count = len(outcome.reminded)
        if dry_run:
            done = f"{count_noun(count, 'structure')} à relancer (essai à blanc, rien n'a été envoyé)"
        else:
            done = count_noun(count, "structure relancée", "structures relancées")
        self.stdout.write(f"{campaign.label} : {done}.")
