"""`maillage send_alert_digests`: the weekly e-mail digests of followed searches."""

from django.core.management.base import BaseCommand, CommandError

from maillage.alerts.digests import Digest, DigestReport, send_digests
from maillage.french import count_noun

CRONTAB_LINE = "0 7 * * 1  cd /srv/maillage && .venv/bin/maillage send_alert_digests"


class Command(BaseCommand):
    help = (
        "Envoie à chaque alerte confirmée les fiches publiées depuis le résumé précédent qui répondent à sa "
        "recherche (rien quand il n'y a rien de nouveau), et supprime les demandes non confirmées depuis "
        "plus de 7 jours. À lancer chaque semaine par cron, par exemple le lundi à 7 h : "
        f"« {CRONTAB_LINE} » (avec les variables d'environnement de production)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Affiche les résumés qui seraient envoyés, sans rien envoyer ni rien modifier.",
        )

    def handle(self, *args, dry_run: bool = False, **options):
        try:
            report = send_digests(dry_run=dry_run, on_digest=self.show_digest if dry_run else None)
        except OSError as error:
            raise CommandError(f"Le serveur d'envoi des e-mails ne répond pas : {error}") from error
        for problem in report.problems:
            self.stderr.write(problem)
        self.stdout.write(summary(report))

    def show_digest(self, digest: Digest) -> None:
        subscription = digest.subscription
        self.stdout.write(
            f"À {subscription.email} (alerte n° {subscription.pk}, {subscription.description}) : "
            f"{count_noun(digest.total, 'nouvelle fiche', 'nouvelles fiches')}"
        )
        for sheet in digest.sheets:
            self.stdout.write(f"  - {sheet.title} — {sheet.url}")
        if digest.more:
            self.stdout.write(f"  … et {count_noun(digest.more, 'autre')} : {digest.search_url}")


def summary(report: DigestReport) -> str:
    sent = "à envoyer" if report.dry_run else "envoyés"
    purged = "à supprimer" if report.dry_run else "supprimées"
    prefix = "Simulation, rien n'a été envoyé ni modifié. " if report.dry_run else ""
    return (
        f"{prefix}Alertes confirmées examinées : {report.checked} ; résumés {sent} : {report.sent} ; "
        f"sans nouvelle fiche : {report.nothing_new} ; recherches devenues invalides : {report.invalid} ; "
        f"demandes non confirmées {purged} : {report.purged}."
    )
