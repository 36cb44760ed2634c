"""Render a touch point into a message: the tone rule, the persona and the templates live in
:mod:`touchpoint.touchpoints`; this module keeps the outbox's view of the result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from touchpoint.cases.models import Case, Timer
from touchpoint.journeys import Journey
from touchpoint.touchpoints.services import case_message_render


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str  # the part a customer who chose texts gets, one line
    tone: str
    tone_reason: str


def render_touchpoint(
    *, case: Case, journey: Journey, key: str, opened: bool = False, timers: Sequence[Timer] | None = None
) -> Rendered:
    message = case_message_render(case=case, journey=journey, key=key, opened=opened, timers=timers)
    return Rendered(
        subject=message.rendered.subject,
        text=message.rendered.text,
        html=message.rendered.html,
        sms=message.rendered.sms,
        tone=message.tone.tone,
        tone_reason=message.tone.reason,
    )
