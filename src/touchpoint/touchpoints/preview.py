"""Every touch point of a journey rendered with sample data, in both tones, for the admin preview,
with where each part's words come from (the journey's file or the shared one, a tone's partial or
the tone-free one, or derived)."""

from __future__ import annotations

from dataclasses import dataclass

from touchpoint.journeys import Journey
from touchpoint.journeys.progress import case_progress
from touchpoint.shop.selectors import shop_settings
from touchpoint.touchpoints.brand import avatar_url, brand_context
from touchpoint.touchpoints.checks import state_for
from touchpoint.touchpoints.overrides import overrides_current
from touchpoint.touchpoints.persona import Persona
from touchpoint.touchpoints.rendering import (
    TEMPLATE_TONES,
    RenderedTouchpoint,
    sample_context,
    sample_data,
    template_find,
    touchpoint_render,
)


@dataclass(frozen=True)
class PreviewedTouchpoint:
    key: str
    summary: str
    state_label: str
    template: str
    tones: list[tuple[str, RenderedTouchpoint]]


def touchpoint_preview(*, journey: Journey, key: str, tone: str, persona: Persona) -> RenderedTouchpoint:
    """One touch point of ``journey`` in ``tone``, spoken by ``persona``, with the sample data
    :func:`journey_preview` uses (the console's persona preview frames one email at a time)."""
    engine = overrides_current().engine()
    state = journey.states[state_for(journey, key)]
    context = sample_context(
        persona=persona,
        summary=journey.touchpoints[key],
        label=state.label,
        next_step=state.next_step or "",
        journey_title=journey.title or journey.name,
        data=sample_data(journey),
        brand=brand_context(shop_settings()),
        avatar_url=avatar_url(persona),
        progress=case_progress(journey, state_for(journey, key)),
    )
    template = template_find(engine=engine, journey=journey.name, key=key)
    return touchpoint_render(engine=engine, template=template, tone=tone, context=context)


def journey_preview(*, journey: Journey, persona: Persona | None = None) -> tuple[Persona, list[PreviewedTouchpoint]]:
    """The persona and each touch point in file order, rendered in every tone with sample data.
    ``persona``: one being edited (the console's live preview), else the journey's as stored."""
    overrides = overrides_current()
    engine = overrides.engine()
    persona = persona or overrides.persona(journey.persona)
    brand, face = brand_context(shop_settings()), avatar_url(persona)  # as the shop's emails show them
    out = []
    for key, summary in journey.touchpoints.items():
        state = journey.states[state_for(journey, key)]
        context = sample_context(
            persona=persona,
            summary=summary,
            label=state.label,
            next_step=state.next_step or "",
            journey_title=journey.title or journey.name,
            data=sample_data(journey),
            brand=brand,
            avatar_url=face,
            progress=case_progress(journey, state_for(journey, key)),
        )
        template = template_find(engine=engine, journey=journey.name, key=key)
        tones = [
            (tone, touchpoint_render(engine=engine, template=template, tone=tone, context=context))
            for tone in TEMPLATE_TONES
        ]
        out.append(PreviewedTouchpoint(key, summary, state.label, template, tones))
    return persona, out
