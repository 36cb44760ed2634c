"""The case's page for its customer (reached by the magic link): where it is, what happens next,
when it should be done, what we need from them (the panels), and what has happened so far."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from touchpoint.cases.models import Case
from touchpoint.portal.access import case_link
from touchpoint.portal.panels import panels_for
from touchpoint.portal.reads.case_page import case_page_model
from touchpoint.shipping.service_levels import chosen_of
from touchpoint.touchpoints.overrides import persona_current


@require_GET
@case_link
def case_page(request: HttpRequest, case: Case, token: str) -> HttpResponse:
    return case_page_render(request, case, token)


def case_page_render(request: HttpRequest, case: Case, token: str, *, status: int = 200) -> HttpResponse:
    """The case's page; another view draws it with ``status`` 400 when what it was sent can't be read."""
    return render(request, "portal/tracking/case.html", case_page_context(request, case, token), status=status)


def case_page_context(request: HttpRequest, case: Case, token: str) -> dict[str, Any]:
    """Everything the case page's template reads: its read model and the panels' contexts."""
    page = case_page_model(case=case)
    return {
        "case": case,
        "token": token,
        "journey": page.journey,
        "state": page.state,
        "exception": page.state.exception,
        "persona": persona_current(page.journey.persona),
        "eta": page.eta,
        "eta_text": page.eta_text,
        "panels": panels_for(request, case, token),
        "timeline": page.timeline,
        "service_chosen": chosen_of(case),  # read from the case's data: no query
    }
