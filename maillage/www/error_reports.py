"""« Signaler une erreur » on a published sheet: a short form, open to anyone, limited per address."""

from django import forms
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from maillage.actions.error_reports import MAX_MESSAGE_LENGTH, report_error
from maillage.actions.models import Action
from maillage.structures.forms import AccessibleFormMixin

from .throttling import report_limited


class ErrorReportForm(AccessibleFormMixin, forms.Form):
    message = forms.CharField(
        label="Quelle erreur avez-vous vue ?",
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"{MAX_MESSAGE_LENGTH} caractères au plus. Indiquez la rubrique et ce qu'il faudrait écrire.",
        error_messages={
            "required": "Décrivez l'erreur que vous avez vue.",
            "max_length": "Le message ne peut dépasser %(limit_value)d caractères (il en compte %(show_value)d).",
        },
    )
    email = forms.EmailField(
        label="Votre adresse e-mail (facultatif)",
        required=False,
        max_length=254,
        help_text=(
            "Pour qu'on puisse vous répondre ; elle n'est montrée qu'aux correspondants qui reçoivent le message."
        ),
        error_messages={"invalid": "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()


@require_http_methods(["GET", "POST"])
@report_limited
def action_report(request, pk: int):
    action = get_object_or_404(Action.objects.published().select_related("structure__department"), pk=pk)
    form = ErrorReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report_error(
            action, message=form.cleaned_data["message"], reply_to=form.cleaned_data["email"], acting_user=request.user
        )
        return render(request, "www/action_report.html", {"action": action, "sent": True})
    status = 400 if form.errors else 200
    return render(request, "www/action_report.html", {"action": action, "form": form}, status=status)
