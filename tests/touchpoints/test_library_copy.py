"""The shipped copy keeps its promises: a way to a person everywhere; sober never jokes or shouts."""

from __future__ import annotations

import itertools

import pytest

from touchpoint.journeys import load_journey
from touchpoint.journeys.library import library_file
from touchpoint.touchpoints.checks import state_for
from touchpoint.touchpoints.persona import persona_load
from touchpoint.touchpoints.rendering import (
    GENERIC,
    SHIPPED_DIR,
    sample_context,
    sample_data,
    template_find,
    touchpoint_engine,
    touchpoint_render,
)

JOURNEYS = ["mail-in-repair", "order-problem", "walk-in-warranty"]


@pytest.mark.parametrize("name", JOURNEYS)
def test_every_message_says_how_to_reach_a_person_and_sober_ones_never_exclaim(name: str) -> None:
    path = library_file(name)
    assert path is not None
    journey = load_journey(path).journey
    engine = touchpoint_engine(dirs=(str(SHIPPED_DIR),))
    persona = persona_load(key=journey.persona)
    for key, summary in journey.touchpoints.items():
        template = template_find(engine=engine, journey=name, key=key)
        # the journey's own words, or the shared ones; never the generic fallback
        assert template in (f"touchpoints/{name}/{key}.html", f"touchpoints/shared/{key}.html")
        assert template != GENERIC
        state = journey.states[state_for(journey, key)]
        for bare, tone in itertools.product((False, True), ("playful", "sober")):
            context = sample_context(
                persona=persona,
                summary=summary,
                label=state.label,
                next_step=state.next_step or "",
                journey_title=name,
                data=sample_data(journey, bare=bare),
                bare=bare,
            )
            got = touchpoint_render(engine=engine, template=template, tone=tone, context=context)
            where = f"{name}/{key} ({tone}{', bare' if bare else ''})"
            assert got.subject.startswith("TP-4K7Q9: "), where
            assert "Talk to a person: reply to this email" in got.text, where
            assert "<strong>Talk to a person:</strong> reply to this email" in got.html, where
            assert got.sms.endswith("Reply to reach a person."), where
            if tone == "sober":
                ours = (got.subject + got.text + got.sms).replace(state.next_step or "", "")  # the journey's words
                assert "!" not in ours, where
                assert "Kind regards," in got.text, where
