"""A planned route and what it is made of: each step with its taker, the values given and the case
data after it; a cover of routes and the moves it leaves out; replaying a plan through the engine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from touchpoint.journeys.engine import Advanced, advance, open_case
from touchpoint.journeys.graph import Edge
from touchpoint.journeys.model import Journey
from touchpoint.journeys.walk.who import Who


@dataclass(frozen=True)
class Step:
    """One move of a planned route, with the case data after it."""

    source: str
    event: str
    transition: int  # index in journey.transitions
    target: str
    who: Who
    given: Mapping[str, Any]  # the values the taker supplies (the transition's ``asks``)
    touchpoint: str | None
    refund: str | None
    data: Mapping[str, Any]  # the case data once the move is made

    @property
    def move(self) -> Edge:
        return Edge(self.source, self.transition, self.target)

    def describe(self) -> str:
        given = f" giving {', '.join(f'{k}={v!r}' for k, v in self.given.items())}" if self.given else ""
        return f"{self.source} ─{self.event}→ {self.target} by {self.who.describe()}{given}"


@dataclass(frozen=True)
class PlannedRoute:
    """A route the walker can drive: the intake values the case opens with, then each step."""

    journey: str  # name@version
    start: str
    intake: Mapping[str, Any]  # every intake field, guard-relevant ones chosen for the route
    opened: Mapping[str, Any]  # the case data once opened (intake and initial values)
    start_touchpoint: str | None
    steps: tuple[Step, ...]

    @property
    def states(self) -> tuple[str, ...]:
        return (self.start, *(step.target for step in self.steps))

    @property
    def terminal(self) -> str:
        return self.states[-1]

    @property
    def moves(self) -> tuple[Edge, ...]:
        return tuple(step.move for step in self.steps)

    def describe(self) -> str:
        """``a ─e→ b ─f→ c``: the states with each move's event."""
        return " ".join([self.start, *(f"─{s.event}→ {s.target}" for s in self.steps)])


@dataclass(frozen=True)
class Uncovered:
    """A move no feasible route takes, and why, in words."""

    source: str
    transition: int
    event: str
    target: str
    reason: str

    def describe(self) -> str:
        return f"{self.source} ─{self.event}→ {self.target} (transition #{self.transition}): {self.reason}"


@dataclass(frozen=True)
class Cover:
    journey: Journey
    routes: tuple[PlannedRoute, ...]
    moves: frozenset[Edge]  # every move the file declares (a transition from one of its states)
    covered: frozenset[Edge]
    uncovered: tuple[Uncovered, ...]

    @property
    def transitions_covered(self) -> frozenset[int]:
        return frozenset(move.transition for move in self.covered)

    @property
    def steps(self) -> int:
        return sum(len(route.steps) for route in self.routes)

    def summary(self) -> str:
        total = len(self.journey.transitions)
        return (
            f"{self.journey.key}: {len(self.routes)} routes, {self.steps} steps; "
            f"transitions {len(self.transitions_covered)}/{total}, moves {len(self.covered)}/{len(self.moves)}"
        )


class RouteError(ValueError):
    """A route asked for by name that the engine would not take; ``str()`` says where and why."""


def replay_plan(
    journey: Journey,
    intake: Mapping[str, Any],
    opened: Mapping[str, Any],
    chosen: Sequence[tuple[Edge, Who, Mapping[str, Any]]],
) -> PlannedRoute:
    data = dict(opened)
    steps = []
    for move, who, given in chosen:
        transition = journey.transitions[move.transition]
        result = advance(journey, state=move.source, event=transition.on, data=data, actor=who.actor, given=given)
        if not isinstance(result, Advanced) or result.transition != move.transition:
            raise RouteError(  # pragma: no cover - the search took exactly these steps
                f"{journey.key}: {move.source} ─{transition.on}→ by {who.describe()} does not replay: {result}"
            )
        data = {**data, **result.data}
        steps.append(
            Step(
                move.source,
                transition.on,
                move.transition,
                result.target,
                who,
                dict(given),
                transition.touchpoint,
                transition.refund,
                dict(data),
            )
        )
    return PlannedRoute(journey.key, journey.start, dict(intake), dict(opened), journey.start_touchpoint, tuple(steps))


def replay(journey: Journey, route: PlannedRoute) -> list[Advanced]:
    """Step ``route`` through the engine from its opening; raises :class:`RouteError` where it
    does something else than the plan says."""
    out = [open_case(journey)]
    data = dict(route.opened)
    state = route.start
    for number, step in enumerate(route.steps, 1):
        result = advance(journey, state=state, event=step.event, data=data, actor=step.who.actor, given=step.given)
        if not isinstance(result, Advanced):
            raise RouteError(f"step {number} ({step.describe()}) is refused: {result.reason}")
        if result.transition != step.transition or result.target != step.target:
            raise RouteError(f"step {number} ({step.describe()}) takes transition #{result.transition} instead")
        data = {**data, **result.data}
        state = result.target
        out.append(result)
    return out
