"""Every customer path: the distinct routes a case can take from the start to an end.

Seed 000 asks to "map the end-to-end process and every possible route through it". A route is a
walk from ``start`` to a terminal state (one with an ``outcome``) along transitions whose target
exists, in which each state appears at most twice — so each loop is taken at most once. Guards are
not evaluated: every branch a file declares is a route a customer may take. A route's touch points
begin with the journey's ``start_touchpoint``, the message every case gets when it opens.

The count can explode (``mail-in-repair`` has millions of routes, and a long journey's routes are
thousands of moves each), so routes are found lazily and the listing stops at ``max_paths`` routes
or ``max_steps`` steps of work (a move tried or a move listed), saying so in a plain sentence
(``PathLayout.bound``) instead of hanging or filling the memory. A listing cut short opens with
routes chosen to take moves no earlier one takes (:func:`covering_routes`): a small set of them
takes every move, when ``max_paths`` leaves room for it. The text output is made line by line
(:func:`paths_lines`), a long route shortened to its ends.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from touchpoint.journeys.durations import format_duration
from touchpoint.journeys.graph import Edge, graph_edges
from touchpoint.journeys.model import Journey

MAX_VISITS = 2  # a state may appear twice in a route: each loop is taken at most once


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


class _Budget:
    """The work a layout may do: each move the search tries, and each move of a route it lists,
    costs one step. Shared by the two ways routes are found, so the whole layout (its time, its
    memory and the length of what it prints) stays within ``max_steps``, whatever the journey."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    @property
    def spent(self) -> bool:
        return self.used >= self.limit


def enumerate_paths(journey: Journey, *, max_paths: int = 5000, max_steps: int = 200_000) -> PathLayout:
    """All routes from ``start`` to a terminal state, at most ``max_paths`` of them, found with at
    most about ``max_steps`` steps of work (see :class:`_Budget`; a route already begun is finished,
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
    budget = _Budget(max_steps)
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
        search = _DepthFirst(journey, live_exits, budget)
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


class _DepthFirst:
    """Routes in file order, one at a time, while the budget lasts. ``finished`` is true once the
    search has tried every move (false when the budget stopped it, or its reader did)."""

    def __init__(self, journey: Journey, live_exits: Exits, budget: _Budget) -> None:
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


# --- formatters ----------------------------------------------------------------------------


def _summary(journey: Journey, layout: PathLayout) -> str:
    outcomes = Counter(route.outcome for route in layout.routes)
    total = len(layout.routes)
    head = f"{journey.key}: {total:,} route{'s' if total != 1 else ''}"
    if total:
        head += f" ({outcomes['success']:,} success, {outcomes['failure']:,} failure)"
    return head


SHOWN_MOVES = 40  # a longer route is shown by its first and last moves, the count of the others between
SHOWN_TOUCHPOINTS = 20


def _shortened(parts: list[str], limit: int, what: str) -> list[str]:
    """``parts`` when there are at most ``limit`` of them; else the first and last ``limit // 2``
    with how many are left out between them, so one row stays readable however long the route."""
    if len(parts) <= limit:
        return parts
    half = limit // 2
    return [*parts[:half], f"… {len(parts) - 2 * half:,} more {what} …", *parts[-half:]]


def paths_text(journey: Journey, layout: PathLayout) -> str:
    """A readable table: number, outcome, worst-case duration, the states and the touch points."""
    return "".join(paths_lines(journey, layout))


def paths_lines(journey: Journey, layout: PathLayout) -> Iterator[str]:
    """:func:`paths_text` line by line (each ending in a newline), to be written as it comes. A
    route of more than :data:`SHOWN_MOVES` moves is shown shortened (JSON lists every move), so the
    text is at most a few lines per route listed."""
    yield _summary(journey, layout) + "\n"
    shortened = False
    if not layout.routes:
        yield f"no route leads from `{journey.start}` to an end state\n"
    else:
        header = ("#", "outcome", "worst case", ["route"], ["touch points"])
        rows = []
        for n, route in enumerate(layout.routes, 1):
            steps = route_steps(route)
            shortened = shortened or len(steps) - 1 > SHOWN_MOVES
            rows.append(
                (
                    str(n),
                    route.outcome,
                    "no limit" if route.worst_case_seconds is None else format_duration(route.worst_case_seconds),
                    [steps[0], *_shortened(steps[1:], SHOWN_MOVES, "moves")],
                    _shortened(list(route.touchpoints), SHOWN_TOUCHPOINTS, "messages") or ["(none)"],
                )
            )
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
        route_width = max(40, min(80, max(len(" ".join(row[3])) for row in [header, *rows])))
        for row in [header, *rows]:
            left = _wrap(row[3], route_width, " ")
            right = _wrap(row[4], 50, ", ")
            for k in range(max(len(left), len(right))):
                first = k == 0
                cells = [
                    row[0].rjust(widths[0]) if first else " " * widths[0],
                    row[1].ljust(widths[1]) if first else " " * widths[1],
                    row[2].ljust(widths[2]) if first else " " * widths[2],
                    (left[k] if k < len(left) else "").ljust(route_width),
                    right[k] if k < len(right) else "",
                ]
                yield "  ".join(cells).rstrip() + "\n"
    used = len(layout.edges_covered)
    total_edges = sum(len(edges) for edges in graph_edges(journey).values())
    yield f"moves used by some route: {used:,} of {total_edges:,}\n"
    if shortened:
        yield (
            f"routes of more than {SHOWN_MOVES} moves are shortened to their first and last {SHOWN_MOVES // 2} "
            "(--format json lists every move)\n"
        )
    if layout.bound:
        yield f"incomplete: {layout.bound}\n"


def _wrap(parts: list[str], width: int, joiner: str) -> list[str]:
    """Join ``parts`` into lines of about ``width``, breaking only between parts."""
    out: list[str] = []
    current = ""
    for part in parts:
        candidate = f"{current}{joiner}{part}" if current else part
        if current and len(candidate) > width:
            out.append(current + joiner.rstrip())
            current = "  " + part
        else:
            current = candidate
    out.append(current)
    return out


def paths_json(journey: Journey, layout: PathLayout) -> dict[str, Any]:
    """The layout as JSON-ready data."""
    edges = []
    for source, exits in graph_edges(journey).items():
        for edge in exits:
            transition = journey.transitions[edge.transition]
            edges.append(
                {
                    "from": source,
                    "to": transition.to,
                    "event": transition.on,
                    "transition": edge.transition,
                    "touchpoint": transition.touchpoint,
                    "routes": layout.edge_use.get(edge, 0),
                }
            )
    return {
        "journey": journey.key,
        "start_touchpoint": journey.start_touchpoint,
        "complete": layout.complete,
        "bound": layout.bound,
        "count": len(layout.routes),
        "covering": layout.covering,
        "routes": [{"number": n, **route.as_dict()} for n, route in enumerate(layout.routes, 1)],
        "edges": edges,
    }


# Named HTML entities: Mermaid passes them to the browser as they are. Its own `#34;` codes are not
# decoded in every version, and a bare `#word;` would be taken for one, so `#` is escaped too.
_MERMAID_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "#": "&num;", "`": "&grave;"})


def mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label (``["…"]`` or ``|"…"|``), on one line."""
    return " ".join(text.split()).translate(_MERMAID_ESCAPES)


def paths_mermaid(journey: Journey, layout: PathLayout) -> str:
    """A Mermaid ``flowchart LR`` of the journey, each edge annotated with how many routes take it."""
    return "".join(line + "\n" for line in paths_mermaid_lines(journey, layout))


def paths_mermaid_lines(journey: Journey, layout: PathLayout) -> Iterator[str]:
    """:func:`paths_mermaid` line by line (without newlines): one per state, move and style."""
    ids = {name: f"s{i}" for i, name in enumerate(journey.states)}  # ids can't clash with keywords like `end`
    yield "flowchart LR"
    for name, state in journey.states.items():
        label = f"{mermaid_text(state.label)}<br/><small>{mermaid_text(name)}</small>"
        if name == journey.start and journey.start_touchpoint:
            label += f"<br/>opens with ✉ {mermaid_text(journey.start_touchpoint)}"
        shape = f'(["{label}"])' if state.terminal else f'["{label}"]'
        yield f"    {ids[name]}{shape}"
    most = max(layout.edge_use.values(), default=1)
    styles: list[str] = []
    count = 0
    for source, exits in graph_edges(journey).items():
        for edge in exits:
            transition = journey.transitions[edge.transition]
            used = layout.edge_use.get(edge, 0)
            parts = [mermaid_text(transition.on)]
            if transition.touchpoint:
                parts.append(f"✉ {mermaid_text(transition.touchpoint)}")
            parts.append(f"{used} route{'s' if used != 1 else ''}")
            arrow = "-->" if used else "-.->"
            yield f'    {ids[source]} {arrow}|"{"<br/>".join(parts)}"| {ids[transition.to]}'
            if used:
                width = 1 + round(4 * used / most)
                styles.append(f"    linkStyle {count} stroke-width:{width}px")
            count += 1
    yield from styles
    yield from (
        "    classDef exception fill:#fde2e0,stroke:#c5221f,stroke-width:2px,color:#5f0f0c",
        "    classDef success fill:#dcf3e1,stroke:#1e8e3e,stroke-width:2px,color:#0d3d1a",
        "    classDef failure fill:#ececec,stroke:#5f6368,stroke-width:2px,color:#202124",
        "    classDef entry fill:#e3efff,stroke:#1a5fd0,stroke-width:2px",
    )
    groups: dict[str, list[str]] = {"entry": [ids[journey.start]] if journey.start in ids else []}
    for name, state in journey.states.items():
        kind = state.outcome or ("exception" if state.exception else None)
        if kind is not None and name != journey.start:
            groups.setdefault(kind, []).append(ids[name])
    for group, members in groups.items():
        if members:
            yield f"    class {','.join(members)} {group}"
