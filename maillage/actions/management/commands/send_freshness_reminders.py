"""`maillage send_freshness_reminders`: tell structures which of their published sheets are getting old."""

from django.core.management.base import BaseCommand, CommandError

from maillage.actions.moderation import Reminder, ReminderReport, send_freshness_reminders

CRONTAB_LINE = "0 8 1 * *  cd /srv/maillage && .venv/bin/maillage send_freshness_reminders"


class Command(BaseCommand):
    help = (
        "Envoie à chaque structure (à ses membres, sinon à son adresse de contact) la liste de ses fiches "
        "publiées qui n'ont pas été mises à jour depuis deux ans ; une fiche n'est rappelée qu'une fois "
        f"tous les six mois. À lancer par cron, par exemple chaque mois : « {CRONTAB_LINE} »."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Affiche les rappels qui seraient envoyés, sans rien envoyer ni rien modifier.",
        )

    def handle(self, *args, dry_run: bool = False, **options):
        try:
            report = send_freshness_reminders(dry_run=dry_run, on_reminder=self.show if dry_run else None)
        except OSError as error:
            raise CommandError(f"Le serveur d'envoi des e-mails ne répond pas : {error}") from error
        for name in report.without_recipient:
            self.stderr.write(f"Aucun destinataire (ni membre ni adresse de contact) pour « {name} ».")
        self.stdout.write(summary(report))

    def show(self, reminder: Reminder) -> None:
        self.stdout.write(f"{reminder.structure.name} → {', '.join(reminder.recipients)}")
        for action in reminder.sheets:
            self.stdout.write(f"  - {action.title or 'Fiche sans titre'} (modifiée le {action.updated_at:%d/%m/%Y})")


def summary(report: ReminderReport) -> str:
    prefix = "Simulation, rien n'a été envoyé ni modifié. " if report.dry_run else ""
    sent = "à envoyer" if report.dry_run else "envoyés"
    return (
        f"{prefix}Structures prévenues : {report.structures} ; fiches à actualiser : {report.sheets} ; "
        f"e-mails {sent} : {report.messages} ; structures sans destinataire : {len(report.without_recipient)}."
    )
