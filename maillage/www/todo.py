"""« À faire »: the page each person lands on after logging in, made for their role (`accounts.todo`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from maillage.accounts import perms
from maillage.accounts.todo import todo_for
from maillage.actions.error_reports import mark_handled, open_reports

SHOWN_REPORTS = 50


@never_cache
@login_required
@require_GET
def todo(request):
    is_moderator = perms.is_national_admin(request.user) or perms.is_correspondent(request.user)
    context = {
        "todo": todo_for(request.user),
        "is_member": bool(perms.structure_ids(request.user)),
        "is_moderator": is_moderator,
        "error_reports": list(open_reports(request.user)[:SHOWN_REPORTS]) if is_moderator else [],
    }
    return render(request, "account/todo.html", context)


@login_required
@require_POST
def error_report_handled(request, pk: int):
    """Mark a reported error as handled: only someone who moderates the sheet's department."""
    report = open_reports(request.user).filter(pk=pk).first()
    if report is None:
        raise Http404("Signalement introuvable ou déjà traité.")
    mark_handled(report, acting_user=request.user)
    messages.success(request, f"Le signalement sur « {report.action} » est marqué comme traité.")
    return redirect("account:todo")
