"""What a customer may do on their case page now, read from the journey (the action panel's read model).

Every event the journey lets the ``customer`` take in the case's state is offered, except those an
area's own panel records with its record (a quote's answer, a payment, feedback: see
:mod:`touchpoint.cases.recording`). Each action is worded as the journey words it for customers
(``events: {x: {customer: ...}}``), asks for the values its transition ``asks:`` for, typed by the
journey's ``data:`` declarations, and asks "are you sure?" first when it can't be undone: when the
move ends the case, or gives money back. An action that hands the carrier the parcel coming to us ("I've
posted my device") also takes its tracking number, optionally, while we have none (``shipping.given``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from touchpoint.cases.models import Case
from touchpoint.cases.recording import generic
from touchpoint.journeys import Actor, Journey, valid_events
from touchpoint.journeys.engine import Advanced, actor_may, advance, event_asks
from touchpoint.journeys.guards import guard_fields, guard_holds
from touchpoint.journeys.model import DataField, State
from touchpoint.shipping.given import inbound_number, number_wanted_with

CUSTOMER = Actor("customer")


@dataclass(frozen=True)
class Words:
    """An action that takes the customer's own words with it, kept as their message on the case."""

    label: str
    hint: str
    required: bool = True


# Events whose meaning is the customer's words: a complaint is nothing without what went wrong.
WORDS: dict[str, Words] = {
    "complaint_raised": Words(
        label="What went wrong?",
        hint="In your own words. A named person from our team reads it and gets in touch.",
    ),
}


@dataclass(frozen=True)
class Action:
    event: str
    label: str  # the customer's words for it, from the journey
    help: str
    asks: tuple[tuple[str, DataField], ...]  # the values it needs, in the journey's declaration order
    confirm: bool  # can't be undone: asked "are you sure?" first
    words: Words | None
    parcel: bool = False  # hands the carrier the parcel coming to us: its tracking number may come too

    @property
    def yes(self) -> str:
        """The confirming button's words: "Yes, cancel my order"."""
        first = self.label[:1]
        keep = self.label.startswith(("I ", "I'", "I’")) or self.label[1:2].isupper()
        return f"Yes, {self.label if keep else first.lower() + self.label[1:]}"


def readable(name: str) -> str:
    """A field or choice value as words (``wrong_item`` → "Wrong item"): never the key itself."""
    return name.replace("_", " ").strip().capitalize()


def customer_actions(*, case: Case, journey: Journey) -> list[Action]:
    """The actions to offer on ``case``'s page now: plain ones first, those that take words last."""
    if not case.is_open:
        return []
    events = [e for e in valid_events(journey, state=case.state, data=case.data, actor=CUSTOMER) if generic(e)]
    # The parcel's number is asked for only while we have none (a kit's return label typed at its dispatch has one).
    asks_number = any(number_wanted_with(journey=journey, state=case.state, event=e) for e in events)
    number_known = asks_number and bool(inbound_number(case=case))
    actions = [
        action_of(
            journey,
            state=case.state,
            event=event,
            data=case.data,
            parcel=not number_known and number_wanted_with(journey=journey, state=case.state, event=event),
        )
        for event in events
    ]
    return sorted(actions, key=lambda action: action.words is not None)


def action_of(journey: Journey, *, state: str, event: str, data: Mapping[str, Any], parcel: bool = False) -> Action:
    info = journey.events.get(event)
    asks = tuple(
        (name, journey.data[name]) for name in event_asks(journey, state=state, event=event) if name in journey.data
    )
    return Action(
        event=event,
        label=journey.customer_label(event),
        help=(info.help or "") if info is not None else "",
        asks=asks,
        confirm=final(journey, state=state, event=event, data=data),
        words=WORDS.get(event),
        parcel=parcel,
    )


def final(journey: Journey, *, state: str, event: str, data: Mapping[str, Any]) -> bool:
    """Can't be undone: a move the customer may make with ``event`` from here ends the case or gives
    money back (a move whose guard rules it out for this case doesn't count, unless the values the
    customer gives decide it)."""
    for index in journey.index.get((state, event), []):
        transition = journey.transitions[index]
        if not actor_may(CUSTOMER, transition.by):
            continue
        decided_by_answer = bool(set(transition.asks) & guard_fields(transition.guard))
        if not decided_by_answer and not guard_holds(transition.guard, data):
            continue
        target = journey.states.get(transition.to)
        if transition.refund is not None or (target is not None and target.terminal):
            return True
    return False


def landing(journey: Journey, *, case: Case, event: str, given: dict[str, Any]) -> State | None:
    """The step the case would move to with ``event`` and ``given``, worked out without moving it."""
    result = advance(journey, state=case.state, event=event, data=case.data, actor=CUSTOMER, given=given)
    return journey.states[result.target] if isinstance(result, Advanced) else None
