"""The search: every (state, how the guards see the case data, what integrations may report) a case
reaches by stepping the engine, the moves between them with who may take each, and how far each
is from an end."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from touchpoint.journeys.engine import Advanced, actor_may, advance, open_case
from touchpoint.journeys.graph import Edge
from touchpoint.journeys.guards import Atom
from touchpoint.journeys.model import Journey
from touchpoint.journeys.walk.values import ABSENT, combos, guard_atoms, intake_variants, seen_by_guards
from touchpoint.journeys.walk.who import Who, takers

# (state, how the guards see the case data, what integrations have been given to report on)
Key = tuple[str, tuple[tuple[bool, ...], ...], frozenset[str]]


@dataclass
class Option:
    who: Who
    given: dict[str, Any]


@dataclass
class Arc:
    move: Edge
    target: Key
    options: list[Option]
    data: dict[str, Any]  # the case data after it, for the first option


@dataclass
class SearchGraph:
    journey: Journey
    atoms: dict[str, tuple[Atom, ...]]
    starts: list[tuple[Key, dict[str, Any], dict[str, Any]]]  # (node, intake, opened data)
    needs: Mapping[str, str] = field(default_factory=dict)
    gives: Mapping[str, str] = field(default_factory=dict)
    data: dict[Key, dict[str, Any]] = field(default_factory=dict)
    arcs: dict[Key, list[Arc]] = field(default_factory=dict)
    to_end: dict[Key, int] = field(default_factory=dict)

    def key(self, state: str, data: Mapping[str, Any], facts: frozenset[str] = frozenset()) -> Key:
        signature = tuple(seen_by_guards(atoms, data.get(name, ABSENT)) for name, atoms in self.atoms.items())
        return (state, signature, facts)

    def terminal(self, node: Key) -> bool:
        state = self.journey.states.get(node[0])
        return state is not None and state.terminal

    def live(self, node: Key) -> bool:
        return node in self.to_end


def explore(
    journey: Journey, needs: Mapping[str, str] | None = None, gives: Mapping[str, str] | None = None
) -> SearchGraph:
    atoms = guard_atoms(journey)
    graph = SearchGraph(journey, atoms, [], dict(needs or {}), dict(gives or {}))
    if journey.start not in journey.states:
        return graph  # no case can open (J101 says so): every move is left out, with its reason
    opening = open_case(journey)
    for intake in intake_variants(journey):
        data = {**opening.data, **intake}
        node = graph.key(journey.start, data)
        graph.starts.append((node, intake, data))
        graph.data.setdefault(node, data)
    queue = deque(graph.data)
    while queue:
        node = queue.popleft()
        state, data = node[0], graph.data[node]
        if state not in journey.states or journey.states[state].terminal:
            continue
        arcs: dict[tuple[Edge, Key], Arc] = {}
        facts = node[2]
        for event in journey.events_from(state):
            after_facts = facts | {graph.gives[event]} if event in graph.gives else facts
            for who in takers(journey, state, event, data):
                if who.via is not None and event in graph.needs and graph.needs[event] not in facts:
                    continue  # the integration has nothing to report on yet
                actor = who.actor
                permitted = [
                    i
                    for i in journey.index.get((state, event), [])
                    if who.kind == "timer" or actor_may(actor, journey.transitions[i].by)
                ]
                asked = sorted({name for i in permitted for name in journey.transitions[i].asks})
                for given in combos(journey, asked, atoms):
                    result = advance(journey, state=state, event=event, data=data, actor=actor, given=given)
                    if not isinstance(result, Advanced) or result.transition is None:
                        continue
                    after = {**data, **result.data}
                    target = graph.key(result.target, after, after_facts)
                    move = Edge(state, result.transition, result.target)
                    arc = arcs.get((move, target))
                    if arc is None:
                        arc = arcs[(move, target)] = Arc(move, target, [], after)
                    if all(o.who != who for o in arc.options):
                        arc.options.append(Option(who, given))
                    if target not in graph.data:
                        graph.data[target] = after
                        queue.append(target)
        graph.arcs[node] = list(arcs.values())
    # Distance to an end, backwards over the arcs.
    back: dict[Key, list[Key]] = {}
    for node, arcs_out in graph.arcs.items():
        for arc in arcs_out:
            back.setdefault(arc.target, []).append(node)
    ends = [node for node in graph.data if graph.terminal(node)]
    graph.to_end = dict.fromkeys(ends, 0)
    queue = deque(ends)
    while queue:
        node = queue.popleft()
        for source in back.get(node, ()):
            if source not in graph.to_end:
                graph.to_end[source] = graph.to_end[node] + 1
                queue.append(source)
    return graph


def nearest(
    graph: SearchGraph, sources: Sequence[Key], wanted: set[Edge], *, into_end: bool
) -> tuple[Key, list[Arc]] | None:
    """The shortest way (over arcs that keep an end in reach) from one of ``sources`` to an arc
    taking a move in ``wanted``: into an end state when ``into_end``, elsewhere otherwise."""
    parent: dict[Key, tuple[Key, Arc] | None] = dict.fromkeys(sources)
    queue = deque(sources)
    while queue:
        node = queue.popleft()
        for arc in graph.arcs.get(node, ()):
            if not graph.live(arc.target):
                continue
            if arc.move in wanted and graph.terminal(arc.target) == into_end:
                path = [arc]
                here = node
                while (link := parent[here]) is not None:
                    here, back = link
                    path.append(back)
                path.reverse()
                return here, path
            if arc.target not in parent and not graph.terminal(arc.target):
                parent[arc.target] = (node, arc)
                queue.append(arc.target)
    return None


def way_to_end(graph: SearchGraph, node: Key) -> list[Arc]:
    path = []
    while not graph.terminal(node):
        arc = min(
            (a for a in graph.arcs[node] if graph.live(a.target)),
            key=lambda a: graph.to_end[a.target],
        )
        path.append(arc)
        node = arc.target
    return path
