"""What each box and each edge label says: for the journey's author (state keys, guards, what a
move writes) or, with :class:`Words`, for the people who run the service (labels and names)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from touchpoint.journeys.carrier import STAY, carrier_mapping
from touchpoint.journeys.durations import format_duration
from touchpoint.journeys.model import Journey, State, Transition
from touchpoint.journeys.render.measure import BOX_MAX_WIDTH, PAD_X, Style, cut, wrap_text


@dataclass(frozen=True)
class Words:
    """Draw for the people who run the service rather than the journey's author: owners by their
    names (``{"team:bench": "Bench"}``), events by their labels, no state keys or guards."""

    journey: Journey
    owners: Mapping[str, str] = field(default_factory=dict)

    def owner(self, owner: str) -> str:
        return self.owners.get(owner, owner.split(":", 1)[-1].replace("_", " ").capitalize())


def box_lines(name: str, state: State, words: Words | None = None) -> list[tuple[str, Style]]:
    lines: list[tuple[str, Style]] = [
        (line, "title") for line in wrap_text(state.label, 13, BOX_MAX_WIDTH - 2 * PAD_X, bold=True)
    ]
    if words is None:
        lines.append((name, "name"))
    owner = state.owner if words is None else words.owner(state.owner)
    if state.accept_within is not None:
        owner += f" · accepts within {format_duration(state.accept_within)}"
    lines.append((owner, "meta"))
    if state.wait_limit is not None:
        then = state.on_timeout if words is None else words.journey.event_label(state.on_timeout or "").lower()
        lines.append((cut(f"waits {format_duration(state.wait_limit)}, then {then}"), "meta"))
    elif state.outcome is not None:
        lines.append((f"ends: {state.outcome}", "meta"))
    else:
        lines.append(("no wait limit", "meta"))
    return lines


def label_lines(transition: Transition, *, timeout: bool, words: Words | None = None) -> list[tuple[str, Style]]:
    if words is not None:  # for people: the event's label and what the message says, nothing else
        said = cut(words.journey.event_label(transition.on))
        lines: list[tuple[str, Style]] = [(f"{said} (timer)" if timeout else said, "event")]
        if transition.touchpoint is not None:
            summary = words.journey.touchpoints.get(transition.touchpoint, "a message")
            lines.append((cut(f"✉ {summary}"), "touch"))
        return lines
    lines = [(f"{transition.on} (timer)" if timeout else transition.on, "event")]
    if transition.touchpoint is not None:
        lines.append((f"✉ {transition.touchpoint}", "touch"))
    if transition.guard is not None:
        guard = transition.guard if len(transition.guard) <= 36 else transition.guard[:35] + "…"
        lines.append((f"[{guard}]", "guard"))
    data = data_words(transition)
    if data:
        lines.append((data if len(data) <= 36 else data[:35] + "…", "guard"))
    return lines


def data_words(transition: Transition) -> str:
    """What a move does to the case data and money, in a few words: ``sets repaired=true · refund all``."""
    parts = []
    if transition.sets:
        parts.append("sets " + ", ".join(f"{k}={_const(v)}" for k, v in transition.sets.items()))
    if transition.asks:
        parts.append("asks " + ", ".join(transition.asks))
    if transition.refund is not None:
        parts.append(f"refund {transition.refund}")
    return " · ".join(parts)


def _const(value: object) -> str:
    return "true" if value is True else "false" if value is False else "null" if value is None else str(value)


def opening_note(journey: Journey, name: str) -> str:
    """``, opens with ✉ key`` for the start state of a journey with a ``start_touchpoint``."""
    if name != journey.start or not journey.start_touchpoint:
        return ""
    return f", opens with ✉ {journey.start_touchpoint}"


def carrier_words(state: State) -> str:
    """What the carrier's news does in a carrier-owned state, grouped by event:
    ``carrier: delivered → box_delivered; exception, expired → box_not_delivered; other scans stay``.
    Empty for a state without a `carrier:` mapping."""
    if state.carrier is None or state.owner_kind != "carrier":
        return ""
    by_event: dict[str, list[str]] = {}
    for status, event in state.carrier.items():
        by_event.setdefault(event, []).append(status)
    moves = [f"{', '.join(statuses)} → {event}" for event, statuses in by_event.items() if event != STAY]
    stays = STAY in carrier_mapping(state).values()
    return "carrier: " + "; ".join([*moves, *(["other scans stay"] if stays else [])])
