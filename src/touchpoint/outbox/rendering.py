"""Render a touch point into a message. The persona and tone rules (sober when things go wrong)
grow here; for now every touch point renders through one template with the journey's words."""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string

from touchpoint.cases.models import Case
from touchpoint.journeys import Journey


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    tone: str


def tone_for(case: Case, journey: Journey) -> str:
    """Sober when the case is in an exception or has failed, or the customer asked for plain messages."""
    state = journey.states.get(case.state)
    if (state is not None and (state.exception or state.outcome == "failure")) or case.customer.plain_messages:
        return "sober"
    return "playful"


def render_touchpoint(*, case: Case, journey: Journey, key: str) -> Rendered:
    state = journey.states[case.state]
    context = {
        "case": case,
        "customer": case.customer,
        "summary": journey.touchpoints.get(key, key.replace("_", " ")),
        "state": state,
        "tone": tone_for(case, journey),
        "persona": journey.persona.title(),
    }
    subject = f"{case.reference}: {context['summary']}"
    return Rendered(
        subject=subject[:300],
        text=render_to_string("outbox/touchpoint.txt", context),
        html=render_to_string("outbox/touchpoint.html", context),
        tone=str(context["tone"]),
    )
