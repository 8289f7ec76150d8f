from django import forms
from django.contrib import admin

from maillage.accounts.perms import is_national_admin
from maillage.referentials.models import Department, Region

from .figures import editorial
from .models import AggregateScope, Campaign, Questionnaire, Response, TerritoryEditorial


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


class TerritoryEditorialForm(forms.ModelForm):
    """The editorial and its logos: a logo is uploaded as a file, checked by its content (`editorial.check_logo`)
    and kept in the row; « Retirer » removes it."""

    logo_1_file = forms.FileField(label="Logo 1", required=False, help_text="PNG ou JPEG, 300 Ko au plus.")
    logo_1_remove = forms.BooleanField(label="Retirer le logo 1", required=False)
    logo_2_file = forms.FileField(label="Logo 2", required=False, help_text="PNG ou JPEG, 300 Ko au plus.")
    logo_2_remove = forms.BooleanField(label="Retirer le logo 2", required=False)

    class Meta:
        model = TerritoryEditorial
        fields = ["scope", "scope_code", "text", "logo_1_alt", "logo_2_alt"]

    def clean_scope_code(self):
        scope, code = self.cleaned_data.get("scope"), self.cleaned_data.get("scope_code", "").strip()
        if scope == AggregateScope.NATION:
            return ""
        known = Region if scope == AggregateScope.REGION else Department
        if not known.objects.filter(code=code).exists():
            raise forms.ValidationError(
                f"Code du territoire : aucun(e) {AggregateScope(scope).label} n'a le code « {code} »."
            )
        return code

    def _clean_logo(self, number: int):
        upload = self.cleaned_data.get(f"logo_{number}_file")
        if upload is None:
            return None
        if upload.size > editorial.LOGO_MAX_BYTES:
            raise forms.ValidationError(
                f"Logo {number} : le fichier pèse plus de {editorial.LOGO_MAX_BYTES // 1024} Ko."
            )
        data = upload.read()
        return data, editorial.check_logo(data, f"Logo {number}")

    def clean_logo_1_file(self):
        return self._clean_logo(1)

    def clean_logo_2_file(self):
        return self._clean_logo(2)

    def clean(self):
        cleaned = super().clean()
        for number in range(1, editorial.LOGO_COUNT + 1):
            has_logo = cleaned.get(f"logo_{number}_file") or (
                getattr(self.instance, f"logo_{number}") and not cleaned.get(f"logo_{number}_remove")
            )
            if has_logo and not cleaned.get(f"logo_{number}_alt", "").strip():
                self.add_error(
                    f"logo_{number}_alt", f"Texte de remplacement du logo {number} : à remplir pour un logo."
                )
        return cleaned

    def save(self, commit=True):
        row = super().save(commit=False)
        for number in range(1, editorial.LOGO_COUNT + 1):
            uploaded = self.cleaned_data.get(f"logo_{number}_file")
            if uploaded:
                setattr(row, f"logo_{number}", uploaded[0])
                setattr(row, f"logo_{number}_type", uploaded[1])
            elif self.cleaned_data.get(f"logo_{number}_remove"):
                setattr(row, f"logo_{number}", b"")
                setattr(row, f"logo_{number}_type", "")
        if commit:
            row.save()
        return row


@admin.register(TerritoryEditorial)
class TerritoryEditorialAdmin(admin.ModelAdmin):
    """National administrators only: the text and logos printed on a territory's plaquette."""

    form = TerritoryEditorialForm
    list_display = ["__str__", "scope", "scope_code", "updated_at"]
    list_filter = ["scope"]
    fieldsets = [
        (None, {"fields": ["scope", "scope_code", "text"]}),
        ("Logos", {"fields": ["logo_1_file", "logo_1_alt", "logo_1_remove", "logo_2_file", "logo_2_alt",
                              "logo_2_remove"]}),
    ]  # fmt: skip

    def _allowed(self, request) -> bool:
        return is_national_admin(request.user)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)
