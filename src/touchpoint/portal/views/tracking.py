"""The case's page for its customer (reached by the magic link)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from touchpoint.cases.models import Case
from touchpoint.portal.access import case_link
from touchpoint.portal.panels import panels_for


@require_GET
@case_link
def case_page(request: HttpRequest, case: Case, token: str) -> HttpResponse:
    return render(
        request,
        "portal/tracking/case.html",
        {"case": case, "token": token, "panels": panels_for(request, case, token)},
    )
