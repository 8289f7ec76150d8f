"""`maillage purge_audit_log`: delete the audit log's events older than the retention period (one year)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from maillage.audit.retention import BATCH_SIZE, MINIMUM_DAYS, RETENTION_DAYS, RetentionError, purge_audit_log
from maillage.french import count_noun

CRONTAB_LINE = "30 3 * * *  cd /srv/maillage && .venv/bin/maillage purge_audit_log"


class Command(BaseCommand):
    help = (
        f"Supprime les événements du journal d'audit de plus de {RETENTION_DAYS} jours (un an, la durée annoncée "
        "sur la page « Données personnelles et confidentialité »), par lots, sans bloquer le journal. À lancer "
        f"chaque jour par cron, par exemple à 3 h 30 : « {CRONTAB_LINE} » (avec les variables d'environnement de "
        "production)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=RETENTION_DAYS,
            help=f"durée de conservation en jours (défaut : {RETENTION_DAYS} ; au moins {MINIMUM_DAYS})",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="compter les événements à supprimer, sans rien supprimer"
        )
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help=f"événements supprimés par lot (défaut : {BATCH_SIZE})"
        )

    def handle(self, *args, days: int, dry_run: bool, batch_size: int, **options):
        try:
            purge = purge_audit_log(days=days, dry_run=dry_run, batch_size=batch_size)
        except RetentionError as error:
            raise CommandError(str(error)) from error
        cutoff = f"{timezone.localtime(purge.cutoff):%d/%m/%Y %H:%M}"
        many = purge.deleted >= 2
        before = f"{'antérieurs' if many else 'antérieur'} au {cutoff}"
        events = f"{count_noun(purge.deleted, 'événement')} du journal d'audit {before}"
        if purge.dry_run:
            verb = "seraient supprimés" if many else "serait supprimé"
            self.stdout.write(f"Simulation, rien n'a été supprimé : {events} {verb}.")
        else:
            self.stdout.write(f"{events} {'supprimés' if many else 'supprimé'}.")
