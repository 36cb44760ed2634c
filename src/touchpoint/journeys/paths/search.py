"""The two ways routes are found, within one budget of work: the covering routes, each taking a
move no earlier one takes (:func:`covering_routes`), and the depth-first search in file order."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterator, Mapping

from touchpoint.journeys.graph import Edge
from touchpoint.journeys.model import Journey

MAX_VISITS = 2  # a state may appear twice in a route: each loop is taken at most once


def can_finish(journey: Journey, exits: Mapping[str, list[Edge]]) -> set[str]:
    """States from which some terminal state can be reached (terminals included)."""
    incoming: dict[str, list[str]] = {name: [] for name in journey.states}
    for source, edges in exits.items():
        if journey.states[source].terminal:
            continue  # nothing leaves an ended case
        for edge in edges:
            incoming[edge.target].append(source)
    alive = {name for name, state in journey.states.items() if state.terminal}
    queue = deque(alive)
    while queue:
        for source in incoming[queue.popleft()]:
            if source not in alive:
                alive.add(source)
                queue.append(source)
    return alive


Found = tuple[tuple[str, ...], tuple[int, ...]]  # a route as (states, transition indexes)
Exits = Mapping[str, list[Edge]]


class Budget:
    """The work a layout may do: each move the search tries, and each move of a route it lists,
    costs one step. Shared by the two ways routes are found, so the whole layout (its time, its
    memory and the length of what it prints) stays within ``max_steps``, whatever the journey."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    @property
    def spent(self) -> bool:
        return self.used >= self.limit


class DepthFirst:
    """Routes in file order, one at a time, while the budget lasts. ``finished`` is true once the
    search has tried every move (false when the budget stopped it, or its reader did)."""

    def __init__(self, journey: Journey, live_exits: Exits, budget: Budget) -> None:
        self.journey, self.live_exits, self.budget = journey, live_exits, budget
        self.finished = False

    def __iter__(self) -> Iterator[Found]:
        journey, live_exits, budget = self.journey, self.live_exits, self.budget
        start = journey.start
        if start not in live_exits:  # an end (one empty route), or no way to one (no route)
            if start in journey.states and journey.states[start].terminal:
                yield ((start,), ())
            self.finished = True
            return
        states = journey.states
        path_states = [start]
        path_moves: list[int] = []
        visits: Counter[str] = Counter({start: 1})
        cursors = [0]  # next exit to try, per depth
        while cursors:
            here = path_states[-1]
            options = live_exits[here]
            cursor = cursors[-1]
            if cursor >= len(options):  # backtrack
                cursors.pop()
                visits[path_states.pop()] -= 1
                if path_moves:
                    path_moves.pop()
                continue
            if budget.spent:
                return
            budget.used += 1
            cursors[-1] = cursor + 1
            edge = options[cursor]
            target = edge.target
            if visits[target] >= MAX_VISITS:
                continue
            if states[target].terminal:
                budget.used += len(path_moves) + 1  # the route is copied out: its moves are work too
                yield ((*path_states, target), (*path_moves, edge.transition))
                continue
            path_states.append(target)
            path_moves.append(edge.transition)
            visits[target] += 1
            cursors.append(0)
        self.finished = True


def covering_routes(journey: Journey, live_exits: Exits) -> Iterator[Found]:
    """Routes that between them take every move out of a state reachable from ``start`` into a
    state that can still reach an end (``live_exits``: those moves, by state), one at a time.

    For each such move not yet taken by an earlier route, longest first: a shortest route through
    it, made of a shortest way in from ``start`` (breadth-first, in file order), the move, and a
    shortest way on to the nearest end (at each step the first move in file order that gets
    closer). Each way is a chain of distinct states, so no state appears more than twice in the
    route: the rule of every route. Setting up is linear in the journey, and each route costs its
    length, so a caller that takes only the first few pays only for those; about one route for
    every two moves on the shipped journeys.
    """
    start, states = journey.start, journey.states
    if start not in live_exits:
        return
    way_in: dict[str, Edge | None] = {start: None}
    depth = {start: 0}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for edge in live_exits[here]:
            target = edge.target
            if target not in way_in:
                way_in[target] = edge
                depth[target] = depth[here] + 1
                if not states[target].terminal:
                    queue.append(target)
    sources: dict[str, list[str]] = {}
    for name, edges in live_exits.items():
        for edge in edges:
            sources.setdefault(edge.target, []).append(name)
    to_end = {name: 0 for name, state in states.items() if state.terminal}
    queue = deque(to_end)
    while queue:
        here = queue.popleft()
        for source in sources.get(here, ()):
            if source not in to_end:
                to_end[source] = to_end[here] + 1
                queue.append(source)
    way_out = {
        name: next(e for e in edges if to_end[e.target] == to_end[name] - 1) for name, edges in live_exits.items()
    }
    moves = [edge for name, edges in live_exits.items() if name in depth for edge in edges]
    moves.sort(key=lambda e: -(depth[e.source] + 1 + to_end[e.target]))  # stable: file order
    taken: set[Edge] = set()
    for edge in moves:
        if edge in taken:
            continue
        route: list[Edge] = []
        here = edge.source
        while (back := way_in[here]) is not None:
            route.append(back)
            here = back.source
        route.reverse()
        route.append(edge)
        here = edge.target
        while not states[here].terminal:
            route.append(way_out[here])
            here = way_out[here].target
        taken.update(route)
        yield ((start, *(e.target for e in route)), tuple(e.transition for e in route))
