"""Who takes a step and how: a customer, a team or role of staff, the carrier, the wait limit, or an
integration; a carrier's or system's step nothing reports is recorded by hand by a person who may."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from touchpoint.journeys.engine import Actor, manual_events
from touchpoint.journeys.model import Journey

WhoKind = Literal["customer", "staff", "carrier", "timer", "system"]
# The order a step's taker is chosen in: a person where the journey lets one act, then the carrier,
# then the wait limit, then an integration; a system step nothing reports is recorded by hand last.
_PREFERENCE: dict[WhoKind, int] = {"customer": 0, "staff": 1, "carrier": 2, "timer": 3, "system": 4}


@dataclass(frozen=True)
class Who:
    """Who takes a step and how: ``by`` is the entry of the transition's ``by`` it acts under
    (``customer``, ``team:bench``, ``role:lead``, ``staff``, ``carrier``, ``system``), ``"timer"``
    for the wait limit running out. A system step has the integration that reports it (``via``),
    or none: then, like a carrier's step, a person records it by hand (``recorder``)."""

    kind: WhoKind
    by: str
    via: str | None = None
    recorder: Actor | None = None

    @property
    def actor(self) -> Actor:
        """How the engine sees the taker (the carrier or system, even when a person records it)."""
        if self.kind == "staff":
            return staff_actor_for(self.by)
        return Actor(self.kind)

    @property
    def manual(self) -> bool:
        """A carrier's or system's step that a person records by hand, with a reason."""
        return self.kind == "carrier" or (self.kind == "system" and self.via is None)

    def describe(self) -> str:
        if self.kind == "staff":
            return f"staff ({self.by})"
        if self.kind == "timer":
            return "the wait limit (timer)"
        if self.kind == "system" and self.via is not None:
            return f"system via {self.via}"
        if self.manual:
            who = _describe_actor(self.recorder) if self.recorder is not None else "nobody (no one may record it)"
            return f"{self.kind}, recorded by hand by {who}"
        return self.kind


def staff_actor_for(by: str) -> Actor:
    """The smallest staff member a ``by`` entry admits: an agent in the team, or the role alone."""
    if by.startswith("team:"):
        return Actor("staff", role="agent", teams=frozenset({by[5:]}))
    if by.startswith("role:"):
        role = by[5:]
        assert role in ("agent", "lead", "admin")
        return Actor("staff", role=role, teams=frozenset())  # type: ignore[arg-type]
    return Actor("staff", role="agent", teams=frozenset())


def _describe_actor(actor: Actor) -> str:
    teams = f" in {', '.join(sorted(actor.teams))}" if actor.teams else ""
    role = actor.role or "staff member"
    return f"{'an' if role[0] in 'aeiou' else 'a'} {role}{teams}"


def _owning_teams(journey: Journey, state: str) -> list[str]:
    current = journey.states[state]
    if current.team is not None:
        return [current.team]
    teams = {who[5:] for t in journey.transitions if t.to == state for who in t.by if who.startswith("team:")}
    return sorted(teams)


def _recorder(journey: Journey, state: str, event: str, data: Mapping[str, Any]) -> Actor | None:
    """The person who records a carrier's or system's step by hand: someone in the owning team, else a lead."""
    people = [Actor("staff", role="agent", teams=frozenset({team})) for team in _owning_teams(journey, state)]
    people.append(Actor("staff", role="lead", teams=frozenset()))
    for person in people:
        if event in manual_events(journey, state=state, data=data, actor=person):
            return person
    return None


def takers(journey: Journey, state: str, event: str, data: Mapping[str, Any]) -> list[Who]:
    """Everyone who could take ``event`` in ``state``, most natural first (see ``_PREFERENCE``)."""
    current = journey.states[state]
    info = journey.events.get(event)
    found: dict[tuple[str, str], Who] = {}
    for index in journey.index.get((state, event), []):
        for entry in journey.transitions[index].by:
            if entry == "carrier" and event == current.on_timeout:
                # the carrier's bad news mapped to the watchdog's event (`carrier:`): walked as the
                # timer's, since no person records a state's own timeout by hand (manual_events)
                continue
            if entry in ("customer", "carrier"):
                who = Who(entry, entry)  # type: ignore[arg-type]
            elif entry == "system":
                if event == current.on_timeout:
                    who = Who("timer", "timer")
                elif info is not None and info.via is not None:
                    who = Who("system", "system", via=info.via)
                else:
                    who = Who("system", "system")
            else:
                who = Who("staff", entry)
            found.setdefault((who.kind, who.by), who)
    if current.on_timeout == event:
        found.setdefault(("timer", "timer"), Who("timer", "timer"))
    out = sorted(found.values(), key=lambda w: (_PREFERENCE[w.kind], w.manual, w.by))
    return [Who(w.kind, w.by, w.via, _recorder(journey, state, event, data)) if w.manual else w for w in out]
