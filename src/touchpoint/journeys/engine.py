"""The transition function: journey + state + event + case data + actor → next state and effects.

Pure and deterministic: no I/O, no clock, no randomness. The effects are plain data that the
Django layer persists in one transaction (state, timeline entry, outbox rows, timer rows, tasks).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from touchpoint.journeys.data import DataError
from touchpoint.journeys.guards import guard_fields, guard_holds
from touchpoint.journeys.model import Clock, Journey, State, Transition

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
    # Which clock the limit counts in; `hours_of` names the team whose opening hours a business
    # limit counts (None: the shop's). The flows compute the due time with those hours. Left out of
    # equality: the same limit is the same effect, and callers ask `.clock` when it matters.
    clock: Clock = field(default="calendar", compare=False)
    hours_of: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Refund:
    """Give money back in the same transaction as the move: ``all`` that was paid on the case (less
    what was already refunded), or the amount in a ``money`` field of the case data."""

    what: str


@dataclass(frozen=True)
class OpenTask:
    """A person must look at this case: an exception, or a handoff to accept."""

    kind: Literal["exception", "handoff"]
    owner: str
    reason: str
    due_in_seconds: int | None
    clock: Clock = field(default="calendar", compare=False)  # as StartTimer's
    hours_of: str | None = field(default=None, compare=False)


Effect = SendTouchpoint | CancelTimers | StartTimer | OpenTask | Refund


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
    # Case data this move writes: values given with the event (its `asks`) and its `sets`.
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def touchpoints(self) -> list[str]:
        return [e.key for e in self.effects if isinstance(e, SendTouchpoint)]


RefusalCode = Literal[
    "unknown-state", "terminal", "unknown-event", "actor-not-allowed", "no-guard-matched", "bad-input", "missing-input"
]


@dataclass(frozen=True)
class Refused:
    code: RefusalCode
    reason: str  # a sentence a person can read


Result = Advanced | Refused


def _entry_effects(state: State, *, handoff: bool) -> list[Effect]:
    effects: list[Effect] = []
    clock, team = state.limit_clock, state.team
    if state.wait_limit is not None:
        effects.append(StartTimer("wait", state.wait_limit, state.on_timeout, state.wait_clock_used, team))
    people = team is not None
    if handoff and state.accept_within is not None and (people or state.owner_kind == "carrier"):
        effects.append(StartTimer("accept", state.accept_within, None, clock, team))
        if people:
            effects.append(OpenTask("handoff", state.owner, f"accept: {state.label}", state.accept_within, clock, team))
    if state.exception:
        effects.append(OpenTask("exception", state.owner, state.label, state.wait_limit, state.wait_clock_used, team))
    return effects


def open_case(journey: Journey, *, touchpoint: str | None = None) -> Advanced:
    """The effects of opening a case in the journey's start state.

    The opening message is the journey's ``start_touchpoint``; a caller may send another instead
    by passing ``touchpoint``. With neither, the case opens silently (``silent_reason`` says so).
    """
    state = journey.states[journey.start]
    touchpoint = touchpoint or journey.start_touchpoint
    effects: list[Effect] = _entry_effects(state, handoff=False)
    if touchpoint:  # written after the timers, so it can say when the next step is due
        effects.append(SendTouchpoint(touchpoint))
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
        journey.initial_data(),
    )


def intake_check(journey: Journey, data: Mapping[str, Any]) -> dict[str, Any] | str:
    """The data a case opens with, checked against the journey's declarations: every ``intake`` field
    present and fitting its type, nothing undeclared. Returns the data as stored, or a sentence saying
    what is wrong. A journey that declares no data takes what it is given (journeys written before
    declarations existed)."""
    if not journey.data:
        return dict(data)
    out: dict[str, Any] = {}
    for name, value in data.items():
        declared = journey.data.get(name)
        if declared is None:
            return f"`{name}` is not case data of {journey.key} (it declares: {', '.join(journey.data)})"
        if not declared.intake:
            return f"`{name}` is not gathered at intake in {journey.key}"
        try:
            out[name] = declared.check(value)
        except DataError as exc:
            return f"`{name}` {exc}"
    missing = [name for name, f in journey.data.items() if f.intake and name not in out]
    if missing:
        return f"intake must give {', '.join(f'`{m}`' for m in missing)} for {journey.key}"
    return out


def advance(
    journey: Journey,
    *,
    state: str,
    event: str,
    data: Mapping[str, Any],
    actor: Actor,
    given: Mapping[str, Any] | None = None,
) -> Result:
    """Apply ``event`` to a case in ``state`` whose data is ``data``; ``given`` holds the values
    whoever records the event supplies (the transition's ``asks``). Returns :class:`Advanced` or
    :class:`Refused`; never raises.

    Given values are checked against the journey's declarations (``bad-input``, ``missing-input``)
    and a guard sees them, so ``feedback_given`` asking for ``rating`` can choose its move by it.
    When several transitions match (the checker reports that as nondeterminism), the first one in
    the file wins, so the result is still deterministic.
    """
    given = dict(given or {})
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
    checked = _given(journey, event, [journey.transitions[i] for i in permitted], given)
    if isinstance(checked, Refused):
        return checked
    seen = {**data, **checked}
    for i in permitted:
        transition = journey.transitions[i]
        if guard_holds(transition.guard, seen):
            if transition.to not in journey.states:
                return Refused(
                    "unknown-state", f"`{event}` leads to `{transition.to}`, which the journey doesn't define"
                )
            written = checked if not journey.data else {name: checked[name] for name in transition.asks}
            # Constants as their field stores them (`0` for money is 0.0), as a given value would be.
            constants = {n: journey.data[n].check(v) if n in journey.data else v for n, v in transition.sets.items()}
            return _move(journey, i, transition, current, state, {**written, **constants})
    guards = "; ".join(f"`{journey.transitions[i].guard}`" for i in permitted)
    return Refused("no-guard-matched", f"`{event}` in `{state}` needs one of these to hold: {guards}")


def _given(
    journey: Journey, event: str, transitions: list[Transition], given: dict[str, Any]
) -> dict[str, Any] | Refused:
    """The values given with ``event``, checked against what its transitions ask for. A journey that
    declares no data passes them through as they are."""
    if not journey.data:
        return given
    asked = {name for t in transitions for name in t.asks}
    for name in given:
        if name not in asked:
            wanted = ", ".join(f"`{a}`" for a in sorted(asked)) or "nothing"
            return Refused("bad-input", f"`{event}` doesn't take `{name}`; it takes {wanted}")
    out: dict[str, Any] = {}
    for name in sorted(asked):
        if name not in given:
            meaning = journey.data[name].meaning if name in journey.data else name
            return Refused("missing-input", f"`{event}` needs `{name}` ({meaning})")
        declared = journey.data.get(name)
        if declared is None:  # the checker reports an undeclared field; refuse rather than store it unchecked
            return Refused("bad-input", f"`{name}` is not case data of {journey.key}")
        try:
            out[name] = declared.check(given[name])
        except DataError as exc:
            return Refused("bad-input", f"`{name}` {exc}")
    return out


def _move(
    journey: Journey, index: int, transition: Transition, current: State, source: str, data: Mapping[str, Any]
) -> Advanced:
    target = journey.states[transition.to]
    handoff = target.owner != current.owner
    effects: list[Effect] = [CancelTimers()]
    if transition.refund is not None:
        effects.append(Refund(transition.refund))
    effects += _entry_effects(target, handoff=handoff)
    # The message is written last, so it can say what was refunded and when the next step is due.
    if transition.touchpoint is not None:
        effects.append(SendTouchpoint(transition.touchpoint))
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
        dict(data),
    )


def valid_events(journey: Journey, *, state: str, data: Mapping[str, Any], actor: Actor) -> list[str]:
    """The events ``actor`` could trigger now: exactly the actions a console should offer. An event
    that asks for values is offered when some value could make it allowed (the form asks for them)."""
    return [event for event in journey.events_from(state) if _offerable(journey, state, event, data, actor)]


def _offerable(journey: Journey, state: str, event: str, data: Mapping[str, Any], actor: Actor) -> bool:
    current = journey.states.get(state)
    if current is None or current.terminal:
        return False
    for i in journey.index.get((state, event), []):
        transition = journey.transitions[i]
        if actor.kind == "timer":
            if event != current.on_timeout:
                continue
        elif not actor_may(actor, transition.by):
            continue
        if transition.to not in journey.states:
            continue
        asked = set(transition.asks)
        if asked & guard_fields(transition.guard):
            return True  # the value given decides: offer it, and let the engine judge what is typed
        if guard_holds(transition.guard, data):
            return True
    return False


def event_asks(journey: Journey, *, state: str, event: str) -> list[str]:
    """The fields whoever records ``event`` in ``state`` must give, in declaration order."""
    asked = {name for i in journey.index.get((state, event), []) for name in journey.transitions[i].asks}
    order = list(journey.data)
    return sorted(asked, key=lambda name: (order.index(name) if name in order else len(order), name))


def manual_events(journey: Journey, *, state: str, data: Mapping[str, Any], actor: Actor) -> list[str]:
    """The carrier's or a system's events in ``state`` that ``actor`` may record by hand, with a
    reason ("the customer says the parcel arrived"): a lead or an admin, or a member of the team that
    owns the state or handed the case to its owner. The state's own timeout is the timer's to fire,
    and an event the actor may trigger in their own right is an ordinary action, not listed here."""
    current = journey.states.get(state)
    if current is None or current.terminal or actor.kind != "staff":
        return []
    lead = ROLE_RANK.get(actor.role or "", 0) >= ROLE_RANK["lead"]
    if not lead and not (actor.teams & _owning_teams(journey, state)):
        return []
    own = set(valid_events(journey, state=state, data=data, actor=actor))
    out = []
    for event in journey.events_from(state):
        if event == current.on_timeout or event in own:
            continue
        for kind in ("carrier", "system"):
            if _offerable(journey, state, event, data, Actor(kind)):
                out.append(event)
                break
    return out


def manual_actor_kind(journey: Journey, *, state: str, event: str) -> Literal["carrier", "system"] | None:
    """Whose step a person records by hand with ``event`` in ``state``: the carrier's, else the system's."""
    kinds = {who for i in journey.index.get((state, event), []) for who in journey.transitions[i].by}
    if "carrier" in kinds:
        return "carrier"
    return "system" if "system" in kinds else None


def _owning_teams(journey: Journey, state: str) -> frozenset[str]:
    """The team that owns ``state``, or for a carrier's or system's state, the teams whose moves hand
    the case to it (shipping dispatches the kit the carrier then carries)."""
    current = journey.states[state]
    if current.team is not None:
        return frozenset({current.team})
    teams = set()
    for transition in journey.transitions:
        if transition.to == state:
            teams |= {who[5:] for who in transition.by if who.startswith("team:")}
    return frozenset(teams)
