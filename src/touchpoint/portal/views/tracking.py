"""The case's page for its customer (reached by the magic link): where it is, what happens next,
when it should be done, what we need from them (the panels), and what has happened so far."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case
from touchpoint.cases.selectors.customer_timeline import customer_timeline
from touchpoint.cases.selectors.eta import case_eta, eta_sentence
from touchpoint.portal.access import case_link
from touchpoint.portal.panels import panels_for
from touchpoint.touchpoints.persona import persona_load
from touchpoint.touchpoints.rendering import template_dirs


@require_GET
@case_link
def case_page(request: HttpRequest, case: Case, token: str) -> HttpResponse:
    return case_page_render(request, case, token)


def case_page_render(request: HttpRequest, case: Case, token: str, *, status: int = 200) -> HttpResponse:
    """The case's page; another view draws it with ``status`` 400 when what it was sent can't be read."""
    journey = journey_of(case.journey)
    state = journey.states[case.state]
    eta = case_eta(case=case)
    return render(
        request,
        "portal/tracking/case.html",
        {
            "case": case,
            "token": token,
            "journey": journey,
            "state": state,
            "exception": state.exception,
            "persona": persona_load(key=journey.persona, dirs=template_dirs()),
            "eta": eta,
            "eta_text": eta_sentence(eta) if eta is not None else "",
            "panels": panels_for(request, case, token),
            "timeline": customer_timeline(case=case),
        },
        status=status,
    )
