"""The transition function: journey + state + event + case data + actor → next state and effects.

Pure and deterministic: no I/O, no clock, no randomness. The effects are plain data that the
Django layer persists in one transaction (state, timeline entry, outbox rows, timer rows, tasks).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from touchpoint.journeys.guards import guard_holds
from touchpoint.journeys.model import Journey, State, Transition

ROLE_RANK = {"agent": 1, "lead": 2, "admin": 3}


@dataclass(frozen=True)
class Actor:
    """Who is causing an event. ``timer`` is the wait limit running out; it may fire only ``on_timeout``."""

    kind: Literal["customer", "staff", "system", "carrier", "timer"]
    role: Literal["agent", "lead", "admin"] | None = None
    teams: frozenset[str] = field(default_factory=frozenset)

    def describe(self) -> str:
        if self.kind == "staff":
            teams = f" in {', '.join(sorted(self.teams))}" if self.teams else ""
            return f"staff ({self.role or 'no role'}{teams})"
        return self.kind


def actor_may(actor: Actor, allowed: list[str]) -> bool:
    """Does ``actor`` match one of a transition's ``by`` entries?"""
    for entry in allowed:
        if entry == actor.kind and entry != "staff":
            return True
        if actor.kind != "staff":
            continue
        if entry == "staff":
            return True
        if entry.startswith("team:") and entry[5:] in actor.teams:
            return True
        if entry.startswith("role:") and ROLE_RANK.get(actor.role or "", 0) >= ROLE_RANK[entry[5:]]:
            return True
    return False


# --- effects: what the Django layer must persist ---------------------------------------------


@dataclass(frozen=True)
class SendTouchpoint:
    key: str


@dataclass(frozen=True)
class CancelTimers:
    """Cancel every pending timer of the case (they belong to the state being left)."""


@dataclass(frozen=True)
class StartTimer:
    purpose: Literal["wait", "accept"]
    after_seconds: int
    event: str | None  # the event a wait timer fires; None for an acceptance deadline


@dataclass(frozen=True)
class OpenTask:
    """A person must look at this case: an exception, or a handoff to accept."""

    kind: Literal["exception", "handoff"]
    owner: str
    reason: str
    due_in_seconds: int | None


Effect = SendTouchpoint | CancelTimers | StartTimer | OpenTask


@dataclass(frozen=True)
class Advanced:
    source: str | None  # None when the case is being opened
    target: str
    event: str
    transition: int | None  # index in journey.transitions; None on opening
    owner: str
    handoff: bool  # the owner changed
    outcome: Literal["success", "failure"] | None
    silent_reason: str | None
    effects: tuple[Effect, ...]

    @property
    def touchpoints(self) -> list[str]:
        return [e.key for e in self.effects if isinstance(e, SendTouchpoint)]


RefusalCode = Literal["unknown-state", "terminal", "unknown-event", "actor-not-allowed", "no-guard-matched"]


@dataclass(frozen=True)
class Refused:
    code: RefusalCode
    reason: str  # a sentence a person can read


Result = Advanced | Refused


def _entry_effects(state: State, *, handoff: bool) -> list[Effect]:
    effects: list[Effect] = []
    if state.wait_limit is not None:
        effects.append(StartTimer("wait", state.wait_limit, state.on_timeout))
    people = state.team is not None
    if handoff and state.accept_within is not None and (people or state.owner_kind == "carrier"):
        effects.append(StartTimer("accept", state.accept_within, None))
        if people:
            effects.append(OpenTask("handoff", state.owner, f"accept: {state.label}", state.accept_within))
    if state.exception:
        effects.append(OpenTask("exception", state.owner, state.label, state.wait_limit))
    return effects


def open_case(journey: Journey, *, touchpoint: str | None = None) -> Advanced:
    """The effects of opening a case in the journey's start state.

    The opening message is the journey's ``start_touchpoint``; a caller may send another instead
    by passing ``touchpoint``. With neither, the case opens silently (``silent_reason`` says so).
    """
    state = journey.states[journey.start]
    touchpoint = touchpoint or journey.start_touchpoint
    effects: list[Effect] = [SendTouchpoint(touchpoint)] if touchpoint else []
    effects += _entry_effects(state, handoff=False)
    return Advanced(
        None,
        journey.start,
        "opened",
        None,
        state.owner,
        False,
        state.outcome,
        None if touchpoint else "opening a case",
        tuple(effects),
    )


def advance(journey: Journey, *, state: str, event: str, data: Mapping[str, Any], actor: Actor) -> Result:
    """Apply ``event`` to a case in ``state``. Returns :class:`Advanced` or :class:`Refused`; never raises.

    When several transitions match (the checker reports that as nondeterminism), the first one in
    the file wins, so the result is still deterministic.
    """
    current = journey.states.get(state)
    if current is None:
        return Refused("unknown-state", f"the journey {journey.key} has no state `{state}`")
    if current.terminal:
        return Refused("terminal", f"the case has ended ({current.label}); nothing more can happen to it")
    candidates = journey.index.get((state, event), [])
    if not candidates:
        allowed = ", ".join(journey.events_from(state)) or "none"
        return Refused("unknown-event", f"`{event}` can't happen in `{state}` ({current.label}); allowed: {allowed}")
    is_timeout = actor.kind == "timer"
    if is_timeout and event != current.on_timeout:
        return Refused("actor-not-allowed", f"a timer may only fire `{current.on_timeout}` in `{state}`")
    permitted = [i for i in candidates if is_timeout or actor_may(actor, journey.transitions[i].by)]
    if not permitted:
        who = sorted({b for i in candidates for b in journey.transitions[i].by})
        return Refused(
            "actor-not-allowed", f"{actor.describe()} may not trigger `{event}` here; allowed: {', '.join(who)}"
        )
    for i in permitted:
        transition = journey.transitions[i]
        if guard_holds(transition.guard, data):
            if transition.to not in journey.states:
                return Refused(
                    "unknown-state", f"`{event}` leads to `{transition.to}`, which the journey doesn't define"
                )
            return _move(journey, i, transition, current, state)
    guards = "; ".join(f"`{journey.transitions[i].guard}`" for i in permitted)
    return Refused("no-guard-matched", f"`{event}` in `{state}` needs one of these to hold: {guards}")


def _move(journey: Journey, index: int, transition: Transition, current: State, source: str) -> Advanced:
    target = journey.states[transition.to]
    handoff = target.owner != current.owner
    effects: list[Effect] = [CancelTimers()]
    if transition.touchpoint is not None:
        effects.append(SendTouchpoint(transition.touchpoint))
    effects += _entry_effects(target, handoff=handoff)
    return Advanced(
        source,
        transition.to,
        transition.on,
        index,
        target.owner,
        handoff,
        target.outcome,
        transition.silent,
        tuple(effects),
    )


def valid_events(journey: Journey, *, state: str, data: Mapping[str, Any], actor: Actor) -> list[str]:
    """The events ``actor`` could trigger now: exactly the actions a console should offer."""
    return [
        event
        for event in journey.events_from(state)
        if isinstance(advance(journey, state=state, event=event, data=data, actor=actor), Advanced)
    ]
