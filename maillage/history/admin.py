import json

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.timezone import localtime

from .models import Revision

# Revisions shown on the change page of an object; the full list is one click away.
SHOWN_REVISIONS = 10


def target_admin_url(content_type: ContentType, object_id: int) -> str | None:
    try:
        return reverse(f"admin:{content_type.app_label}_{content_type.model}_change", args=[object_id])
    except NoReverseMatch:
        return None


def revisions_changelist_url(obj) -> str:
    content_type = ContentType.objects.get_for_model(obj)
    query = urlencode({"content_type__id__exact": content_type.pk, "object_id": obj.pk})
    return f"{reverse('admin:history_revision_changelist')}?{query}"


def revisions_summary(obj):
    """The latest previous versions of `obj`, for a read-only field of its change page."""
    if obj is None or obj.pk is None:
        return "—"
    revisions = list(Revision.objects.for_object(obj).select_related("changed_by")[:SHOWN_REVISIONS])
    if not revisions:
        return "Aucune version précédente."
    items = format_html_join(
        "",
        '<li><a href="{}">{}</a> — {} — {}</li>',
        (
            (
                reverse("admin:history_revision_change", args=[revision.pk]),
                localtime(revision.created_at).strftime("%d/%m/%Y %H:%M"),
                revision.source,
                revision.changed_by or "traitement automatique",
            )
            for revision in revisions
        ),
    )
    return format_html(
        '<ul>{}</ul><p><a href="{}">Voir toutes les versions précédentes</a></p>',
        items,
        revisions_changelist_url(obj),
    )


class SourceFilter(admin.SimpleListFilter):
    """Sources name the file and line of an import (`import actions.txt:120`): group them by kind."""

    title = "origine de la modification"
    parameter_name = "origine"

    def lookups(self, request, model_admin):
        return [("admin", "Administration"), ("import", "Import"), ("autre", "Autre")]

    def queryset(self, request, queryset):
        if self.value() == "admin":
            return queryset.filter(source="admin")
        if self.value() == "import":
            return queryset.filter(source__startswith="import")
        if self.value() == "autre":
            return queryset.exclude(source="admin").exclude(source__startswith="import")
        return queryset


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    """Read-only: the history is written by the services, never by hand."""

    list_display = ["created_at", "target_link", "source", "changed_by"]
    list_filter = [("content_type", admin.RelatedOnlyFieldListFilter), SourceFilter]
    list_select_related = ["content_type", "changed_by"]
    search_fields = ["object_id__exact", "source", "comment"]
    date_hierarchy = "created_at"
    fields = [
        "content_type",
        "object_id",
        "target_link",
        "changed_by",
        "source",
        "comment",
        "created_at",
        "pretty_data",
    ]
    readonly_fields = fields

    class Media:
        css = {"all": ["css/admin.css"]}  # no style="" attributes: the Content-Security-Policy forbids them

    @admin.display(description="objet", ordering="object_id")
    def target_link(self, revision: Revision):
        label = f"{revision.content_type.name} n° {revision.object_id}"
        url = target_admin_url(revision.content_type, revision.object_id)
        return format_html('<a href="{}">{}</a>', url, label) if url else label

    @admin.display(description="version précédente")
    def pretty_data(self, revision: Revision):
        text = json.dumps(revision.data, indent=2, ensure_ascii=False, sort_keys=False)
        return format_html('<pre class="revision-data">{}</pre>', text)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
