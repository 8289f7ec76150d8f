"""Previous versions of sheets: every change keeps what was there before, and who or what changed it."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class RevisionQuerySet(models.QuerySet):
    def for_object(self, obj):
        content_type = ContentType.objects.get_for_model(obj)
        return self.filter(content_type=content_type, object_id=obj.pk)


class Revision(models.Model):
    """The state of an object just before a change, in the open-data JSON format."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    data = models.JSONField("version précédente")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="modifiée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField("origine de la modification", max_length=500)
    comment = models.TextField("commentaire", blank=True)
    created_at = models.DateTimeField("date", auto_now_add=True)

    objects = RevisionQuerySet.as_manager()

    class Meta:
        verbose_name = "version précédente"
        verbose_name_plural = "versions précédentes"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.content_type.name} n° {self.object_id} — {self.created_at:%d/%m/%Y %H:%M}"
