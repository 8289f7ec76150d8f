"""The log of changes that lets every process keep its in-memory facet index exact (see `facets`)."""

from django.db import models


class IndexChange(models.Model):
    """Sheets whose published state, lists or labels changed, written in the changing transaction.

    A range of sheet ids (an import's sheets have consecutive ids), or no range at all when labels or
    everything changed. `token` is random: a process that saw row n with another token knows that its
    view of the log was rolled back, and reloads.
    """

    first_action_id = models.PositiveBigIntegerField(null=True)
    last_action_id = models.PositiveBigIntegerField(null=True)
    token = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "changement de l'index"
        verbose_name_plural = "changements de l'index"

    def __str__(self) -> str:
        if self.first_action_id is None:
            return "Tout l'index"
        return f"Fiches {self.first_action_id} à {self.last_action_id}"
