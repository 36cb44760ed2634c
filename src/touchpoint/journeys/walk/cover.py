"""The cover: few routes that together take every move a case can take (:func:`walk_cover`), and for
each move none takes, the reason in words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from touchpoint.journeys.graph import Edge, graph_edges
from touchpoint.journeys.guards import guard_holds
from touchpoint.journeys.model import Journey
from touchpoint.journeys.walk.plan import Cover, PlannedRoute, Uncovered, replay_plan
from touchpoint.journeys.walk.search import Arc, Key, SearchGraph, explore, nearest, way_to_end
from touchpoint.journeys.walk.values import combos

MAX_ROUTE_STEPS = 30


def walk_cover(
    journey: Journey,
    *,
    max_steps: int = MAX_ROUTE_STEPS,
    needs: Mapping[str, str] | None = None,
    gives: Mapping[str, str] | None = None,
) -> Cover:
    """Few routes, each at most about ``max_steps`` long, that take every move a case can take;
    every other move in :attr:`Cover.uncovered` with its reason.

    ``needs`` and ``gives`` say what an integration can only report on once something was started,
    which case data doesn't say: with ``needs={"payment_succeeded": "card"}`` and
    ``gives={"card_submitted": "card"}``, the payment provider reports a payment only on a route
    where a card checkout was started before."""
    graph = explore(journey, needs, gives)
    declared = {edge for edges in graph_edges(journey).values() for edge in edges}
    moves = declared | {
        Edge(source, i, t.to)
        for i, t in enumerate(journey.transitions)
        for source in t.from_
        if source in journey.states
    }
    feasible = {
        arc.move for node, arcs in graph.arcs.items() if graph.live(node) for arc in arcs if graph.live(arc.target)
    }
    wanted = set(feasible)
    start_nodes = [node for node, _, _ in graph.starts if graph.live(node)]
    intake_of = {node: (intake, data) for node, intake, data in reversed(graph.starts)}
    walked: list[tuple[Key, list[Arc]]] = []
    while wanted and start_nodes:
        found = nearest(graph, start_nodes, wanted, into_end=False) or nearest(
            graph, start_nodes, wanted, into_end=True
        )
        if found is None:  # pragma: no cover - every feasible move is reachable from a start by construction
            break
        start, path = found
        route: list[Arc] = []
        node = start
        while True:
            route.extend(path)
            wanted -= {arc.move for arc in path}
            node = path[-1].target if path else node
            if graph.terminal(node) or len(route) >= max_steps:
                break
            more = nearest(graph, [node], wanted, into_end=False)
            if more is None:
                break
            path = more[1]
        if not graph.terminal(node):
            ending = nearest(graph, [node], wanted, into_end=True)
            path = ending[1] if ending is not None else way_to_end(graph, node)
            route.extend(path)
            wanted -= {arc.move for arc in path}
        walked.append((start, route))
    routes = _assign(journey, walked, intake_of)
    covered = frozenset(step.move for route in routes for step in route.steps)
    left = sorted(moves - covered, key=lambda e: (e.transition, e.source))
    uncovered = tuple(_why(journey, graph, move) for move in left)
    return Cover(journey, tuple(routes), frozenset(moves), covered, uncovered)


def _assign(
    journey: Journey,
    walked: list[tuple[Key, list[Arc]]],
    intake_of: Mapping[Key, tuple[dict[str, Any], dict[str, Any]]],
) -> list[PlannedRoute]:
    """Turn walked arcs into routes, the takers of an event taken several times taking turns (the
    customer once, the carrier recorded by hand the next), each route replayed through the engine."""
    turns: dict[str, int] = {}
    out = []
    for start, arcs in walked:
        intake, opened = intake_of[start]
        chosen = []
        for arc in arcs:
            event = journey.transitions[arc.move.transition].on
            turn = turns.get(event, 0)
            turns[event] = turn + 1
            option = arc.options[turn % len(arc.options)]
            chosen.append((arc.move, option.who, option.given))
        out.append(replay_plan(journey, intake, opened, chosen))
    return out


def _why(journey: Journey, graph: SearchGraph, move: Edge) -> Uncovered:
    transition = journey.transitions[move.transition]
    state, event, target = move.source, transition.on, transition.to

    def out(reason: str) -> Uncovered:
        return Uncovered(state, move.transition, event, target, reason)

    if target not in journey.states:
        return out(f"it leads to `{target}`, which the journey doesn't define")
    if journey.states[state].terminal:
        return out(f"`{state}` is an end: nothing leaves it")
    here = [node for node in graph.data if node[0] == state]
    if not here:
        return out(f"no case reaches `{state}` (no feasible route leads there)")
    if event in graph.needs and not any(arc.move == move for n in here for arc in graph.arcs.get(n, ())):
        free = explore(journey)
        if any(arc.move == move for n, arcs in free.arcs.items() if free.live(n) for arc in arcs):
            fact = graph.needs[event]
            starters = ", ".join(f"`{e}`" for e, f in graph.gives.items() if f == fact) or "nothing"
            return out(f"its integration reports `{event}` only after {starters}, which no route to `{state}` takes")
    taken = [arc for node in here for arc in graph.arcs.get(node, ()) if arc.move == move]
    if taken:
        return out(f"no end can be reached after it from `{target}` (every way on is a dead end)")
    live = [node for node in here if graph.live(node)]
    if not live:
        return out(f"`{state}` is reached, but no end can be reached from it")
    if transition.guard is not None and not any(
        _guard_can_hold(journey, graph, transition, graph.data[node]) for node in here
    ):
        return out(f"its guard `{transition.guard}` holds for no case data that reaches `{state}`")
    return out(f"an earlier transition on `{event}` from `{state}` is always taken first (file order wins)")


def _guard_can_hold(journey: Journey, graph: SearchGraph, transition: Any, data: Mapping[str, Any]) -> bool:
    for given in combos(journey, list(transition.asks), graph.atoms):
        if guard_holds(transition.guard, {**data, **given}):
            return True
    return False
