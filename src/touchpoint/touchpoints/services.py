"""Render a case's touch point: decide the tone, build the context, render the templates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse

from touchpoint.cases.models import Case
from touchpoint.catalog.selectors import device_name
from touchpoint.journeys import Journey
from touchpoint.links.services import link_token
from touchpoint.touchpoints.overrides import overrides_current
from touchpoint.touchpoints.persona import Persona, persona_load
from touchpoint.touchpoints.rendering import (
    RenderedTouchpoint,
    persona_context,
    template_dirs,
    template_find,
    touchpoint_render,
)
from touchpoint.touchpoints.tone import ToneDecision, tone_for_case


@dataclass(frozen=True)
class CaseMessage:
    rendered: RenderedTouchpoint
    tone: ToneDecision


def reply_address(*, case: Case) -> str:
    """Where the customer's reply goes: ``reply+<token>@<TOUCHPOINT_REPLY_DOMAIN>``."""
    return f"reply+{case.reply_token}@{settings.TOUCHPOINT_REPLY_DOMAIN}"


def tracking_url(*, case: Case) -> str:
    """The case's page for its customer (the magic link), as an absolute address for messages."""
    return f"{settings.TOUCHPOINT_PUBLIC_URL}{reverse('portal:case', args=[link_token(case=case)])}"


def touchpoint_context(*, case: Case, journey: Journey, key: str, persona: Persona | None = None) -> dict[str, Any]:
    """What every touch point template may use (plain values, the same shape as the sample data).
    ``persona`` defaults to the journey's from the files; the admin's override is passed in."""
    state = journey.states[case.state]
    persona = persona or persona_load(key=journey.persona, dirs=template_dirs())
    data = case.data or {}
    quote = data.get("quote_total")
    return {
        "customer": {"first_name": case.customer.first_name, "name": case.customer.name},
        "case": {"reference": case.reference},
        "state": {"label": state.label, "next_step": state.next_step or ""},
        "summary": journey.touchpoints.get(key, key.replace("_", " ")),
        "persona": persona_context(persona),
        "device": device_name(str(data["model"]) if data.get("model") else None),
        "quote_total": "" if quote in (None, "", 0) else f"{float(quote):.2f}",
        "reply_address": reply_address(case=case),
        "tracking_url": tracking_url(case=case),
        "journey": {"title": journey.title or journey.name},
    }


def case_message_render(*, case: Case, journey: Journey, key: str) -> CaseMessage:
    """The message ``case`` (already in its new state) sends for touch point ``key``."""
    tone = tone_for_case(case=case, journey=journey)
    overrides = overrides_current()  # the admin's templates and persona come before the files
    engine = overrides.engine()
    template = template_find(engine=engine, journey=journey.name, key=key)
    context = touchpoint_context(case=case, journey=journey, key=key, persona=overrides.persona(journey.persona))
    return CaseMessage(touchpoint_render(engine=engine, template=template, tone=tone.tone, context=context), tone)
