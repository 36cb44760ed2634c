"""A data-aware path cover: routes from ``start`` to an end that together take every move, each one
a case could really take, with the values that make it so.

``journey paths`` lists routes without evaluating guards; a route it lists may need data no case
can have (a repaired device coming home unrepaired). The route walker needs routes it can *drive*:
for each step, who takes it (the customer, a team, the carrier, the timer, an integration), the
values they give (a quote total, a rating) and the intake values the case opened with, chosen so
that every guard on the way holds when its move is taken. :func:`walk_cover` plans them by
stepping the engine itself (:func:`~touchpoint.journeys.engine.open_case`, then
:func:`~touchpoint.journeys.engine.advance`), so a plan is exactly what the engine will do.

How: case data matters to routing only through the guards' atoms (``quote_total > 0``), so two
values that make every atom on a field agree are the same to the journey. The search runs over
(state, that agreement of every field guards read): a small finite graph, with candidate values
taken from the guards' constants and their neighbours, checked against each field's declaration.
A greedy walk then strings the moves together, nearest untaken move first, into few routes of
bounded length, each ending in an end state. A move no route can take is reported with the reason
(an undefined target, a state no case reaches, a guard no data reaching it satisfies, a move
another always takes first, no end after it), never silently dropped.

Framework-free, like the rest of the package.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from touchpoint.journeys.data import DataError
from touchpoint.journeys.engine import Actor, Advanced, actor_may, advance, manual_events, open_case
from touchpoint.journeys.graph import Edge, graph_edges
from touchpoint.journeys.guards import And, Atom, Expr, GuardError, Not, Or, eval_atom, parse_guard
from touchpoint.journeys.model import DataField, Journey

WhoKind = Literal["customer", "staff", "carrier", "timer", "system"]
# The order a step's taker is chosen in: a person where the journey lets one act, then the carrier,
# then the wait limit, then an integration; a system step nothing reports is recorded by hand last.
_PREFERENCE: dict[WhoKind, int] = {"customer": 0, "staff": 1, "carrier": 2, "timer": 3, "system": 4}
MAX_ROUTE_STEPS = 30
_ABSENT = object()  # a field not in the case data at all (journeys that declare no data)
SAMPLE_ADDRESS = {
    "name": "Walker Test",
    "line1": "1 Route Street",
    "line2": "",
    "town": "Bristol",
    "postcode": "BS1 4DJ",
    "country": "GB",
}


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


# --- candidate values ----------------------------------------------------------------------------


def _atoms(expr: Expr) -> Iterator[Atom]:
    if isinstance(expr, Atom):
        yield expr
    elif isinstance(expr, Not):
        yield from _atoms(expr.part)
    elif isinstance(expr, (And, Or)):
        for part in expr.parts:
            yield from _atoms(part)


def guard_atoms(journey: Journey) -> dict[str, tuple[Atom, ...]]:
    """Every atom of every guard, by the field it reads (unparsable guards never hold: none)."""
    out: dict[str, list[Atom]] = {}
    for transition in journey.transitions:
        if transition.guard is None:
            continue
        try:
            expr = parse_guard(transition.guard)
        except GuardError:
            continue
        for atom in _atoms(expr):
            bucket = out.setdefault(atom.field, [])
            if atom not in bucket:
                bucket.append(atom)
    return {name: tuple(atoms) for name, atoms in out.items()}


def _signature(atoms: tuple[Atom, ...], value: Any) -> tuple[bool, ...]:
    """How the journey sees ``value``: the truth of every atom on its field."""
    seen = None if value is _ABSENT else value
    return tuple(eval_atom(atom, seen) for atom in atoms)


def sample_value(declared: DataField) -> Any:
    """A plain value of the field's type (a route takes it where no guard cares)."""
    kind, low, high = declared.type, declared.min, declared.max
    if kind == "boolean":
        value: Any = False
    elif kind == "choice":
        value = (declared.choices or [""])[0]
    elif kind == "address":
        value = dict(SAMPLE_ADDRESS)
    elif kind == "money":
        value = 25.0
    elif kind in ("integer", "number"):
        value = high if high is not None else 1
    else:
        value = "Walked by the route walker"
    if kind in ("money", "integer", "number"):
        if high is not None and value > high:
            value = high
        if low is not None and value < low:
            value = low
    try:
        return declared.check(value)
    except DataError:
        return declared.check(declared.initial) if declared.initial is not None else value


def _raw_candidates(atoms: tuple[Atom, ...]) -> list[Any]:
    values: list[Any] = [True, False]
    for atom in atoms:
        consts = atom.value if isinstance(atom.value, tuple) else (atom.value,)
        for c in consts:
            values.append(c)
            if isinstance(c, (int, float)) and not isinstance(c, bool):
                values.extend((c + 1, c - 1, c + 0.5, c - 0.5))
            elif isinstance(c, str):
                values.append(c + "-other")
    numbers = sorted(
        {
            c
            for a in atoms
            for c in (a.value if isinstance(a.value, tuple) else (a.value,))
            if isinstance(c, (int, float)) and not isinstance(c, bool)
        }
    )
    values.extend((x + y) / 2 for x, y in itertools.pairwise(numbers))
    values.extend((0, "", "other"))
    return values


def candidates(journey: Journey, name: str, atoms: tuple[Atom, ...] | None = None) -> list[Any]:
    """Values worth trying for field ``name``: one for each way the guards can see it, the plain
    sample first (so a quote is £25 rather than £1 where both read the same), each checked
    against the field's declaration. A journey that declares no data may also leave it out."""
    atoms = atoms if atoms is not None else guard_atoms(journey).get(name, ())
    declared = journey.data.get(name)
    raw: list[Any] = []
    if declared is not None:
        raw.append(sample_value(declared))
        if declared.type == "choice":
            raw.extend(declared.choices or [])
    else:
        raw.append(_ABSENT)
    raw.extend(_raw_candidates(atoms))
    out: list[Any] = []
    seen: set[tuple[bool, ...]] = set()
    for value in raw:
        if declared is not None and value is not _ABSENT:
            try:
                value = declared.check(value)
            except DataError:
                continue
        signature = _signature(atoms, value)
        if signature not in seen:
            seen.add(signature)
            out.append(value)
    return out


def _combos(journey: Journey, names: Sequence[str], atoms: Mapping[str, tuple[Atom, ...]]) -> list[dict[str, Any]]:
    if not names:
        return [{}]
    choices = [candidates(journey, name, atoms.get(name, ())) for name in names]
    out = []
    for values in itertools.product(*choices):
        out.append({name: value for name, value in zip(names, values, strict=True) if value is not _ABSENT})
    return out


def intake_fields(journey: Journey) -> list[str]:
    """The fields a case opens with from its intake: the declared ones, or for a journey that
    declares no data, every field a guard reads (its intake takes anything)."""
    if journey.data:
        return [name for name, f in journey.data.items() if f.intake]
    return sorted(guard_atoms(journey))


def intake_variants(journey: Journey) -> list[dict[str, Any]]:
    """The intakes worth opening with: every way guards can see the intake fields they read; plain
    samples for the others."""
    atoms = guard_atoms(journey)
    names = intake_fields(journey)
    read = [name for name in names if name in atoms]
    plain = {name: sample_value(journey.data[name]) for name in names if name not in atoms and name in journey.data}
    return [{**plain, **combo} for combo in _combos(journey, read, atoms)]


# --- who may take a step -------------------------------------------------------------------------


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


# --- the search ----------------------------------------------------------------------------------

# (state, how the guards see the case data, what integrations have been given to report on)
Key = tuple[str, tuple[tuple[bool, ...], ...], frozenset[str]]


@dataclass
class _Option:
    who: Who
    given: dict[str, Any]


@dataclass
class _Arc:
    move: Edge
    target: Key
    options: list[_Option]
    data: dict[str, Any]  # the case data after it, for the first option


@dataclass
class _Graph:
    journey: Journey
    atoms: dict[str, tuple[Atom, ...]]
    starts: list[tuple[Key, dict[str, Any], dict[str, Any]]]  # (node, intake, opened data)
    needs: Mapping[str, str] = field(default_factory=dict)
    gives: Mapping[str, str] = field(default_factory=dict)
    data: dict[Key, dict[str, Any]] = field(default_factory=dict)
    arcs: dict[Key, list[_Arc]] = field(default_factory=dict)
    to_end: dict[Key, int] = field(default_factory=dict)

    def key(self, state: str, data: Mapping[str, Any], facts: frozenset[str] = frozenset()) -> Key:
        signature = tuple(_signature(atoms, data.get(name, _ABSENT)) for name, atoms in self.atoms.items())
        return (state, signature, facts)

    def terminal(self, node: Key) -> bool:
        state = self.journey.states.get(node[0])
        return state is not None and state.terminal

    def live(self, node: Key) -> bool:
        return node in self.to_end


def _explore(
    journey: Journey, needs: Mapping[str, str] | None = None, gives: Mapping[str, str] | None = None
) -> _Graph:
    atoms = guard_atoms(journey)
    graph = _Graph(journey, atoms, [], dict(needs or {}), dict(gives or {}))
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
        arcs: dict[tuple[Edge, Key], _Arc] = {}
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
                for given in _combos(journey, asked, atoms):
                    result = advance(journey, state=state, event=event, data=data, actor=actor, given=given)
                    if not isinstance(result, Advanced) or result.transition is None:
                        continue
                    after = {**data, **result.data}
                    target = graph.key(result.target, after, after_facts)
                    move = Edge(state, result.transition, result.target)
                    arc = arcs.get((move, target))
                    if arc is None:
                        arc = arcs[(move, target)] = _Arc(move, target, [], after)
                    if all(o.who != who for o in arc.options):
                        arc.options.append(_Option(who, given))
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


def _nearest(
    graph: _Graph, sources: Sequence[Key], wanted: set[Edge], *, into_end: bool
) -> tuple[Key, list[_Arc]] | None:
    """The shortest way (over arcs that keep an end in reach) from one of ``sources`` to an arc
    taking a move in ``wanted``: into an end state when ``into_end``, elsewhere otherwise."""
    parent: dict[Key, tuple[Key, _Arc] | None] = dict.fromkeys(sources)
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


def _to_end(graph: _Graph, node: Key) -> list[_Arc]:
    path = []
    while not graph.terminal(node):
        arc = min(
            (a for a in graph.arcs[node] if graph.live(a.target)),
            key=lambda a: graph.to_end[a.target],
        )
        path.append(arc)
        node = arc.target
    return path


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
    graph = _explore(journey, needs, gives)
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
    walked: list[tuple[Key, list[_Arc]]] = []
    while wanted and start_nodes:
        found = _nearest(graph, start_nodes, wanted, into_end=False) or _nearest(
            graph, start_nodes, wanted, into_end=True
        )
        if found is None:  # pragma: no cover - every feasible move is reachable from a start by construction
            break
        start, path = found
        route: list[_Arc] = []
        node = start
        while True:
            route.extend(path)
            wanted -= {arc.move for arc in path}
            node = path[-1].target if path else node
            if graph.terminal(node) or len(route) >= max_steps:
                break
            more = _nearest(graph, [node], wanted, into_end=False)
            if more is None:
                break
            path = more[1]
        if not graph.terminal(node):
            ending = _nearest(graph, [node], wanted, into_end=True)
            path = ending[1] if ending is not None else _to_end(graph, node)
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
    walked: list[tuple[Key, list[_Arc]]],
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
        out.append(_replay_plan(journey, intake, opened, chosen))
    return out


def _replay_plan(
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


def _why(journey: Journey, graph: _Graph, move: Edge) -> Uncovered:
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
        free = _explore(journey)
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


def _guard_can_hold(journey: Journey, graph: _Graph, transition: Any, data: Mapping[str, Any]) -> bool:
    from touchpoint.journeys.guards import guard_holds

    for given in _combos(journey, list(transition.asks), graph.atoms):
        if guard_holds(transition.guard, {**data, **given}):
            return True
    return False


# --- a route asked for by name -------------------------------------------------------------------

Wanted = str | tuple[str, Mapping[str, Any]] | tuple[str, Mapping[str, Any], str]


def walk_route(journey: Journey, *, intake: Mapping[str, Any], events: Sequence[Wanted]) -> PlannedRoute:
    """A route through the named events in order: each item is ``event``, ``(event, given)`` or
    ``(event, given, kind)`` where ``kind`` picks the taker (``customer``, ``staff``, ``carrier``,
    ``timer``, ``system``; the most natural one otherwise). Intake fields not named take plain
    samples. Raises :class:`RouteError` saying which step the engine refuses, and why."""
    opening = open_case(journey)
    full = {**intake_variants(journey)[0], **intake}
    opened = {**opening.data, **full}
    state, data = journey.start, dict(opened)
    chosen: list[tuple[Edge, Who, Mapping[str, Any]]] = []
    for number, item in enumerate(events, 1):
        event, given, kind = _wanted(item)
        if event not in journey.events_from(state):
            allowed = ", ".join(journey.events_from(state)) or "nothing"
            raise RouteError(f"{journey.key} step {number}: `{event}` can't happen in `{state}` (it allows: {allowed})")
        options = [w for w in takers(journey, state, event, data) if kind is None or w.kind == kind]
        if not options:
            raise RouteError(
                f"{journey.key} step {number}: nobody{f' of kind {kind}' if kind else ''} takes `{event}` in `{state}`"
            )
        refusals = []
        for who in options:
            result = advance(journey, state=state, event=event, data=data, actor=who.actor, given=given)
            if isinstance(result, Advanced) and result.transition is not None:
                chosen.append((Edge(state, result.transition, result.target), who, dict(given)))
                state, data = result.target, {**data, **result.data}
                break
            refusals.append(f"{who.describe()}: {getattr(result, 'reason', result)}")
        else:
            raise RouteError(f"{journey.key} step {number}: `{event}` in `{state}` is refused ({'; '.join(refusals)})")
    return _replay_plan(journey, full, opened, chosen)


def _wanted(item: Wanted) -> tuple[str, Mapping[str, Any], str | None]:
    if isinstance(item, str):
        return item, {}, None
    if len(item) == 2:
        return item[0], item[1], None
    return item[0], item[1], item[2]


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
