from django.contrib import admin

from .models import Campaign, Questionnaire, Response


class QuestionnaireInline(admin.TabularInline):
    model = Questionnaire
    fields = ["kind", "code", "version", "title", "question_count", "loaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["year", "opens_on", "closes_on"]
    inlines = [QuestionnaireInline]


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    """Questionnaires are loaded with `maillage load_questionnaire`, not typed in here."""

    list_display = ["campaign", "kind", "code", "version", "question_count", "loaded_at"]
    list_filter = ["campaign", "kind"]
    readonly_fields = ["campaign", "kind", "code", "version", "title", "main_file", "sources", "question_count",
                       "loaded_at", "loaded_by"]  # fmt: skip

    def has_add_permission(self, request):
        return False


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    """Read only: answers and states change through the filling and checking pages (`/espace/observatoire/`,
    `/moderation/observatoire/`), which log every correction and every change of state."""

    list_display = ["structure", "questionnaire", "status", "updated_at", "submitted_at", "validated_at"]
    list_filter = ["status", "questionnaire__campaign", "questionnaire__kind"]
    list_select_related = ["structure", "questionnaire__campaign"]
    search_fields = ["structure__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
