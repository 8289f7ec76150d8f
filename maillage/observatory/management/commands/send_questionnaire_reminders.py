"""Remind by e-mail the structures that have not transmitted their questionnaire (not started or in progress)."""

from datetime import date, datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from maillage.observatory import checking
from maillage.observatory.models import Campaign, Response, ResponseStatus

LATE = (ResponseStatus.NOT_STARTED, ResponseStatus.IN_PROGRESS)


def french_date(text: str) -> date:
    try:
        day, month, year = (int(part) for part in text.split("/"))
        return date(year, month, day)
    except ValueError:
        raise CommandError(f"« {text} » n'est pas une date jj/mm/aaaa.") from None


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
            raise CommandError(f"Pas de campagne {annee}." if annee else "Aucune campagne.")
        today = timezone.localdate()
        since = apres or today
        if since > today:
            self.stdout.write(f"Rien à faire avant le {since:%d/%m/%Y}.")
            return
        late = self.late_responses(campaign, create=not dry_run)
        already = checking.reminded_since(
            [r for r in late if r.pk], timezone.make_aware(datetime.combine(since, time()))
        )
        sent = 0
        for response in late:
            if response.pk in already:
                continue
            label = f"{response.structure.name} ({response.get_status_display()})"
            if dry_run:
                self.stdout.write(f"À relancer : {label}")
                sent += 1
                continue
            with transaction.atomic():
                if checking.send_reminder(response):
                    self.stdout.write(f"Relancée : {label}")
                    sent += 1
                else:
                    self.stderr.write(f"Aucune adresse e-mail : {label}")
        verb = "à relancer (essai à blanc, rien n'a été envoyé)" if dry_run else "relancée(s)"
        self.stdout.write(f"Campagne {campaign.year} : {sent} structure(s) {verb}.")

    def late_responses(self, campaign: Campaign, *, create: bool) -> list[Response]:
        """The responses not transmitted; structures without one get an unsaved (dry run) or new empty one."""
        questionnaires = {q.kind: q for q in campaign.questionnaires.all()}
        structures = checking.with_status(checking.expected_structures(campaign), campaign)
        structures = structures.filter(response_status__in=LATE).order_by("department__code", "name")
        existing = {
            r.structure_id: r
            for r in Response.objects.filter(questionnaire__campaign=campaign, status__in=LATE).select_related(
                "questionnaire__campaign"
            )
        }
        late = []
        for structure in structures:
            response = existing.get(structure.pk)
            if response is None:
                response = Response(questionnaire=questionnaires[structure.kind], structure=structure)
                if create:
                    response.save()
            response.structure = structure
            late.append(response)
        return late
