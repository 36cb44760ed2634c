"""/healthz: is the database reachable, and how long ago did a worker last beat?

Anyone may ask (a load balancer, an uptime checker), so a stranger gets the status and the heartbeat's
age only; which worker beat (its id names the host and the process) is for signed-in staff."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from touchpoint.ops.selectors import health_report
from touchpoint.staff.access import has_role


def _public(report: dict[str, Any]) -> dict[str, Any]:
    database = "ok" if report["database"] == "ok" else "unreachable"
    worker = report["worker"]
    if worker is not None:
        worker = {"state": worker["state"], "age_seconds": worker["age_seconds"]}
    return {"status": report["status"], "database": database, "worker": worker}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    status = 200 if report["database"] == "ok" else 503
    if not has_role(request.user, "agent"):
        report = _public(report)
    return JsonResponse(report, status=status)
