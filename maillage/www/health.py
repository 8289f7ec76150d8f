"""Probes for a load balancer or a supervisor: JSON, no login, no cookie, no personal data, never cached.

`/sante/vivant`: the process answers (no query). `/sante/pret`: it can serve (`maillage.health.readiness`),
200 when ready, else 503 naming the failed checks.
"""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from maillage.health import readiness


@never_cache
@require_safe
def alive(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def ready(request):
    is_ready, checks = readiness()
    return JsonResponse({"status": "ok" if is_ready else "error", "checks": checks}, status=200 if is_ready else 503)
