"""A journey as a graph of the moves that can actually happen, and what can reach what.

An edge is kept only when the engine could take it: both ends are defined states, the source is
not an end state (the engine refuses every event once a case has ended) and its guard can hold.
So an analysis built on these edges never trips over an unknown name or a dead transition, and
agrees with what :func:`touchpoint.journeys.engine.advance` would do.

The helpers on plain adjacency (``reachable``, ``reaching``, ``strongly_connected``, ``route``)
are iterative: a journey of thousands of states costs no recursion and linear time.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from touchpoint.journeys.guards import satisfiable
from touchpoint.journeys.model import Journey

Adjacency = Mapping[str, Sequence[str]]


class Edge(NamedTuple):
    """One move in the journey graph: transition number ``transition`` (its index in file order)
    taken from ``source``, one of its ``from`` states, to ``target``, its ``to``. The one edge type
    of the journey core: the checker's analyses, the route listing, the walker and the picture."""

    source: str
    transition: int  # index into journey.transitions
    target: str


@functools.lru_cache(maxsize=4096)
def can_hold(guard: str | None) -> bool:
    """Whether a guard can be true for some case data (no guard always can). Cached: a journey
    repeats the same few guards, and each check expands the guard into clauses."""
    return satisfiable(guard)


def edges(journey: Journey) -> list[Edge]:
    """Every move the engine could make, in file order (one per ``from`` state of a transition).
    Unlike :func:`graph_edges`, a move whose guard can never hold, or out of an end, is left out."""
    out: list[Edge] = []
    states = journey.states
    for index, transition in enumerate(journey.transitions):
        target = states.get(transition.to)
        if target is None or not can_hold(transition.guard):
            continue
        for source in dict.fromkeys(transition.from_):
            state = states.get(source)
            if state is not None and not state.terminal:
                out.append(Edge(source, index, transition.to))
    return out


def graph_edges(journey: Journey) -> dict[str, list[Edge]]:
    """Each state's exits in file order, keeping only transitions whose target is a defined state:
    every move a file declares, guards unread (the routes a customer may take, as drawn)."""
    out: dict[str, list[Edge]] = {name: [] for name in journey.states}
    for index, transition in enumerate(journey.transitions):
        if transition.to not in journey.states:
            continue
        for source in dict.fromkeys(transition.from_):  # `from: [a, a]` is one edge
            if source in out:
                out[source].append(Edge(source, index, transition.to))
    return out


def successors(journey: Journey, moves: Iterable[Edge] | None = None) -> dict[str, list[str]]:
    """State → the distinct states one move away, in file order. Every state has an entry."""
    out: dict[str, dict[str, None]] = {name: {} for name in journey.states}
    for edge in edges(journey) if moves is None else moves:
        out[edge.source][edge.target] = None
    return {name: list(targets) for name, targets in out.items()}


def reachable(adjacency: Adjacency, roots: Iterable[str]) -> list[str]:
    """The nodes reachable from ``roots`` (roots included), in breadth-first order."""
    seen = dict.fromkeys(root for root in roots if root in adjacency)
    queue = deque(seen)
    while queue:
        for nxt in adjacency[queue.popleft()]:
            if nxt not in seen:
                seen[nxt] = None
                queue.append(nxt)
    return list(seen)


def reversed_adjacency(adjacency: Adjacency) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {node: [] for node in adjacency}
    for node, targets in adjacency.items():
        for target in targets:
            out[target].append(node)
    return out


def reaching(adjacency: Adjacency, goals: Iterable[str]) -> set[str]:
    """The nodes from which some goal is reachable (goals included)."""
    return set(reachable(reversed_adjacency(adjacency), goals))


def route(adjacency: Adjacency, sources: Sequence[str], goal: str) -> list[str] | None:
    """A shortest route from one of ``sources`` to ``goal`` (both ends included), or None."""
    parent: dict[str, str | None] = {s: None for s in sources if s in adjacency}
    queue = deque(parent)
    while queue:
        node = queue.popleft()
        if node == goal:
            out = [node]
            while (before := parent[out[-1]]) is not None:
                out.append(before)
            return out[::-1]
        for nxt in adjacency[node]:
            if nxt not in parent:
                parent[nxt] = node
                queue.append(nxt)
    return None


def strongly_connected(adjacency: Adjacency) -> list[list[str]]:
    """Tarjan's strongly connected components, iteratively. Components come out in reverse
    topological order: every component appears before any component that can reach it."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    for root in adjacency:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = adjacency[node]
            if i < len(targets):
                work.append((node, i + 1))
                nxt = targets[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                out.append(component[::-1])
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return out
