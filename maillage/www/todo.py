"""« À faire »: the page each person lands on after logging in, made for their role (`accounts.todo`)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from maillage.accounts import perms
from maillage.accounts.todo import todo_for


@never_cache
@login_required
@require_GET
def todo(request):
    context = {
        "todo": todo_for(request.user),
        "is_member": bool(perms.structure_ids(request.user)),
        "is_moderator": perms.is_national_admin(request.user) or perms.is_correspondent(request.user),
    }
    return render(request, "account/todo.html", context)
