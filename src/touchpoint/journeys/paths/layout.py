"""The layout: the routes a listing shows (:func:`enumerate_paths`), what each one holds (:class:`Route`),
and a sentence saying which limit stopped a listing cut short."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from touchpoint.journeys.durations import format_duration
from touchpoint.journeys.graph import Edge, graph_edges
from touchpoint.journeys.model import Journey
from touchpoint.journeys.paths.search import Budget, DepthFirst, Found, can_finish, covering_routes


@dataclass(frozen=True)
class Route:
    """One way through the journey, from ``start`` to a terminal state."""

    states: tuple[str, ...]
    transitions: tuple[int, ...]
    events: tuple[str, ...]
    touchpoints: tuple[str, ...]  # the messages the customer receives, in order, the opening one first
    worst_case_seconds: int | None  # sum of wait limits of the non-terminal states; None if one has none
    outcome: Literal["success", "failure"]
    terminal: str

    @property
    def edges(self) -> tuple[Edge, ...]:
        return tuple(Edge(*move) for move in zip(self.states, self.transitions, self.states[1:], strict=False))

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "terminal": self.terminal,
            "worst_case_seconds": self.worst_case_seconds,
            "worst_case": None if self.worst_case_seconds is None else format_duration(self.worst_case_seconds),
            "states": list(self.states),
            "events": list(self.events),
            "transitions": list(self.transitions),
            "touchpoints": list(self.touchpoints),
        }


@dataclass(frozen=True)
class PathLayout:
    """The routes found, whether they are all of them, and how often each edge is used."""

    routes: tuple[Route, ...]
    complete: bool
    bound: str | None  # why enumeration stopped early, as a sentence; None when complete
    edges_covered: frozenset[Edge]
    edge_use: Mapping[Edge, int] = field(hash=False)  # edge → number of routes that take it
    steps: int  # steps of work spent: moves the search tried, and moves of the routes listed
    covering: int = 0  # how many of the routes listed first are covering routes (0 when complete)


def enumerate_paths(journey: Journey, *, max_paths: int = 5000, max_steps: int = 200_000) -> PathLayout:
    """All routes from ``start`` to a terminal state, at most ``max_paths`` of them, found with at
    most about ``max_steps`` steps of work (see :class:`Budget`; a route already begun is finished,
    so the last one may overrun it by its length).

    Routes are found lazily, in two ways, and only as many as the listing needs:

    1. a **covering set** (:func:`covering_routes`): routes chosen so that each takes a move no
       earlier one takes, the longest first, until every move is taken or ``max_paths`` is reached;
    2. the depth-first search, in file order, for the routes not among them.

    When the search runs out of routes within both limits, the listing is every route (successes
    first, then file order), and ``complete`` is true. Otherwise the covering routes come first
    (``covering`` says how many), then the others found, up to ``max_paths`` in all; ``bound`` says
    in a sentence which limit stopped it and what is shown.
    """
    budget = Budget(max_steps)
    exits = graph_edges(journey)
    alive = can_finish(journey, exits)
    live_exits: dict[str, list[Edge]] = {}
    if journey.start in alive:
        # Only moves into states that can still finish are worth following.
        live_exits = {
            name: [e for e in edges if e.target in alive]
            for name, edges in exits.items()
            if name in alive and not journey.states[name].terminal
        }
    cover: list[Found] = []
    stopped: Literal["paths", "steps"] | None = None
    covered = False  # the covering routes listed take every move
    routes_in = covering_routes(journey, live_exits)
    while stopped is None:
        found = next(routes_in, None)  # first: when there is none, every move is shown
        if found is None:
            covered = True
            break
        if budget.spent:
            stopped = "steps"
            break
        if len(cover) >= max_paths:
            stopped = "paths"  # there is a route more, and no room for it
            break
        budget.used += len(found[1])
        cover.append(found)
    more: list[Found] = []
    if stopped is None:
        taken = {moves for _, moves in cover}
        search = DepthFirst(journey, live_exits, budget)
        for found in search:
            if found[1] in taken:
                continue
            if len(cover) + len(more) >= max_paths:
                stopped = "paths"
                break
            more.append(found)
        if stopped is None and not search.finished:
            stopped = "steps"
    if stopped is None:  # every route is listed: no need to single out the covering ones
        routes = sorted(_routes(journey, cover + more), key=_order)
        covering, bound = 0, None
    else:
        routes = sorted(_routes(journey, cover), key=_order) + sorted(_routes(journey, more), key=_order)
        covering = len(cover)
        bound = _bound(
            stopped, max_paths=max_paths, max_steps=max_steps, listed=len(routes), covering=covering, every_move=covered
        )
    use: Counter[tuple[str, int, str]] = Counter()
    for route in routes:  # plain tuples: counting many moves must stay cheap
        use.update(set(zip(route.states, route.transitions, route.states[1:], strict=False)))
    edge_use = {Edge(*edge): count for edge, count in use.items()}
    return PathLayout(tuple(routes), bound is None, bound, frozenset(edge_use), edge_use, budget.used, covering)


def _bound(
    stopped: Literal["paths", "steps"],
    *,
    max_paths: int,
    max_steps: int,
    listed: int,
    covering: int,
    every_move: bool,
) -> str:
    """Which limit stopped the listing, and what it shows, as one sentence."""
    routes = f"{listed:,} route{'s' if listed != 1 else ''}"
    if stopped == "paths":
        head = f"showing {routes} of more than {max_paths:,}; stopped at --max-paths {max_paths:,}"
        hint = "raise --max-paths to see more"
    else:
        steps = f"{max_steps:,} step{'s' if max_steps != 1 else ''}"
        head = f"showing {routes}, all found in {steps} of work; stopped at --max-steps {max_steps:,}"
        hint = "raise --max-steps to search further"
    if covering == 0:
        shown = "in file order"
    elif every_move:
        first = "the first route takes" if covering == 1 else f"the first {covering:,} take"
        shown = f"{first} every move between them" + (", then the others in file order" if listed > covering else "")
    else:
        shown = (
            f"{'it was' if covering == 1 else f'the first {covering:,} were'} chosen to take a move no earlier one "
            "takes, but not every move is shown"
        )
    return f"{head} ({shown}); {hint}"


def _routes(journey: Journey, found: list[Found]) -> list[Route]:
    # Lookups by index, built once: a large layout holds close to a million moves.
    waits = {name: state.wait_limit for name, state in journey.states.items()}
    events = [t.on for t in journey.transitions]
    touchpoints = [t.touchpoint for t in journey.transitions]
    opening = (journey.start_touchpoint,) if journey.start_touchpoint else ()  # sent when the case opens
    out = []
    for states, moves in found:
        limits = list(map(waits.__getitem__, states[:-1]))
        worst = None if None in limits else sum(cast(list[int], limits))
        outcome = journey.states[states[-1]].outcome
        assert outcome is not None
        out.append(
            Route(
                states=states,
                transitions=moves,
                events=tuple(map(events.__getitem__, moves)),
                touchpoints=(*opening, *filter(None, map(touchpoints.__getitem__, moves))),  # keys are never empty
                worst_case_seconds=worst,
                outcome=outcome,
                terminal=states[-1],
            )
        )
    return out


def _order(route: Route) -> tuple[bool, tuple[int, ...]]:
    # Successes first, then file order: the first route is the one the file tells first (its happy path).
    return (route.outcome != "success", route.transitions)


def route_steps(route: Route) -> list[str]:
    """``a``, ``─event→ b``, …: the states with the event of each move, so twin routes stay apart."""
    return [route.states[0]] + [f"─{e}→ {s}" for e, s in zip(route.events, route.states[1:], strict=True)]
