"""What the case view offers a person to do now: the journey's valid events for their role and teams,
each in words with where it leads and the values it asks for, and the carrier's and system's steps
they may record by hand. Worked out from the parsed journey: no query."""

from __future__ import annotations

from dataclasses import dataclass

from touchpoint.cases.actors import ROLES
from touchpoint.cases.models import Case
from touchpoint.cases.recording import generic
from touchpoint.console.words import choice_words, field_label, keys_in_words
from touchpoint.journeys import Actor, Advanced, Journey, advance, valid_events
from touchpoint.journeys.engine import event_asks, manual_actor_kind, manual_events
from touchpoint.staff.models import StaffUser


@dataclass(frozen=True)
class Ask:
    """One value an event asks for (its transitions' ``asks``), typed by the journey's declaration."""

    name: str
    label: str  # short words from the field's meaning
    meaning: str
    type: str  # text | boolean | integer | number | money | choice | address
    choices: tuple[tuple[str, str], ...] = ()  # (value, words) for a choice
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Action:
    """One button: an event the journey allows this user now, in words, and where it leads.

    ``manual`` is set for a carrier's or the system's step this person may record by hand (with a
    reason): whose step it is. ``target`` is empty when the values asked for decide where it goes."""

    event: str
    label: str
    target: str
    target_label: str
    asks: tuple[Ask, ...] = ()
    manual: str = ""  # "carrier" | "system" | ""


def asks_of(journey: Journey, *, state: str, event: str) -> tuple[Ask, ...]:
    """The values recording ``event`` in ``state`` asks for, typed by the journey's declarations."""
    out = []
    for name in event_asks(journey, state=state, event=event):
        declared = journey.data.get(name)
        if declared is None:  # an undeclared field is the checker's to report; ask for it as text
            out.append(Ask(name, choice_words(name), name, "text"))
            continue
        out.append(
            Ask(
                name=name,
                label=field_label(declared.meaning, declared.type),
                meaning=keys_in_words(journey, declared.meaning),
                type=declared.type,
                choices=tuple((c, choice_words(c)) for c in declared.choices or ()),
                minimum=declared.min,
                maximum=declared.max,
            )
        )
    return tuple(out)


def _action(journey: Journey, case: Case, event: str, actor: Actor, manual: str = "") -> Action | None:
    asks = asks_of(journey, state=case.state, event=event)
    if asks:
        # Where it goes depends on the values given: name every place it may lead.
        targets = list(dict.fromkeys(journey.transitions[i].to for i in journey.index.get((case.state, event), [])))
        words = " or ".join(journey.states[t].label for t in targets if t in journey.states)
        return Action(event, journey.event_label(event), "", words, asks, manual)
    result = advance(journey, state=case.state, event=event, data=case.data, actor=actor)
    if not isinstance(result, Advanced):
        return None
    return Action(event, journey.event_label(event), result.target, journey.states[result.target].label, (), manual)


def actions_for(*, journey: Journey, case: Case, actor: Actor) -> list[Action]:
    """The journey's valid events for this state, data and actor, each in words with where it leads,
    except those another panel records with their own record (:func:`touchpoint.cases.recording.generic`)."""
    out = []
    for event in valid_events(journey, state=case.state, data=case.data, actor=actor):
        if generic(event) and (action := _action(journey, case, event, actor)) is not None:
            out.append(action)
    return out


def manual_actions_for(*, journey: Journey, case: Case, actor: Actor) -> list[Action]:
    """The carrier's and the system's steps ``actor`` may record by hand now (a lead, or the team that
    owns the state or handed the case to its owner): :func:`touchpoint.journeys.engine.manual_events`."""
    out = []
    for event in manual_events(journey, state=case.state, data=case.data, actor=actor):
        kind = manual_actor_kind(journey, state=case.state, event=event)
        if kind is None or not generic(event):
            continue
        if (action := _action(journey, case, event, Actor(kind), manual=kind)) is not None:
            out.append(action)
    return out


def journey_actor(user: StaffUser, team_slugs: frozenset[str]) -> Actor:
    """How the journey sees ``user`` (the same as ``staff_actor(user).for_journey()``, teams read once)."""
    return Actor("staff", role=ROLES.get(user.role), teams=team_slugs)
