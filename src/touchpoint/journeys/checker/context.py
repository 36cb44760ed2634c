"""What several rules need to know about one journey, computed at most once: the moves the engine
could make, what is reachable, which fields every route has set, the values each field takes,
and which events are likely typos."""

from __future__ import annotations

import difflib
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from touchpoint.journeys import graph
from touchpoint.journeys.checker.rules import RULES
from touchpoint.journeys.data import DataError
from touchpoint.journeys.diagnostics import Diagnostic, Location
from touchpoint.journeys.guards import Domain, field_offsets, guard_fields
from touchpoint.journeys.loader import LoadedJourney
from touchpoint.journeys.model import DataField, Journey, Transition

if TYPE_CHECKING:
    from touchpoint.journeys.checker.silence_hours import ShopHours


class Context:
    """What several rules need, computed at most once."""

    def __init__(self, loaded: LoadedJourney, hours: ShopHours | None = None) -> None:
        self.loaded = loaded
        self.hours = hours  # the shop's opening hours, when the silence is counted with them (J209)
        self.journey = loaded.journey
        self.states = loaded.journey.states

    def finding(self, code: str, message: str, fix: str, location: Location, path: tuple[str, ...] = ()) -> Diagnostic:
        rule = RULES[code]
        return Diagnostic(rule.code, rule.slug, rule.severity, message, fix, location, path)

    def from_at(self, index: int, position: int) -> Location:
        return self.loaded.source.at(("transitions", index, "from", position))

    @cached_property
    def edges(self) -> list[graph.Edge]:
        return graph.edges(self.journey)

    @cached_property
    def successors(self) -> dict[str, list[str]]:
        return graph.successors(self.journey, self.edges)

    @cached_property
    def reachable(self) -> list[str]:
        return graph.reachable(self.successors, [self.journey.start])

    def live_sources(self, transition: Transition) -> list[str]:
        """The ``from`` states a transition can really fire from: defined and not an end."""
        return [s for s in dict.fromkeys(transition.from_) if s in self.states and not self.states[s].terminal]

    @cached_property
    def reached(self) -> set[str]:
        """The states a case can reach (none when `start` isn't defined: J101 says so)."""
        return set(self.reachable) if self.journey.start in self.states else set()

    @cached_property
    def assigned(self) -> dict[str, frozenset[str]]:
        return _definitely_set(self.journey, self.edges) if self.journey.start in self.states else {}

    @cached_property
    def out_edges(self) -> dict[str, list[graph.Edge]]:
        out: dict[str, list[graph.Edge]] = {}
        for edge in self.edges:
            out.setdefault(edge.source, []).append(edge)
        return out

    def guard_field_at(self, index: int, name: str) -> Location:
        """The field ``name`` inside transition ``index``'s guard, when the guard sits on one line."""
        guard = self.journey.transitions[index].guard or ""
        text = self.loaded.source.texts.get(("transitions", index, "guard"))
        offset = field_offsets(guard).get(name)
        if text is None or offset is None:
            return self.loaded.transition_at(index, "guard")
        return Location(self.loaded.source.file, text[0], text[1] + offset)

    @cached_property
    def domains(self) -> dict[str, Domain]:
        return _domains(self) if self.journey.data else {}

    def known_at(self, state: str) -> dict[str, Domain]:
        """The fields set on every route to ``state``, each with the values it can take; a guard
        there may rely on them being present (other fields may be missing)."""
        assigned = self.assigned.get(state, frozenset())
        return {name: domain for name, domain in self.domains.items() if name in assigned}

    @cached_property
    def typed_domains(self) -> dict[str, Domain]:
        """Each declared field: any value of its type, range and choices (what a case may hold)."""
        return {name: _domain(declared, [], anything=True) for name, declared in self.journey.data.items()}

    @cached_property
    def misspelt_events(self) -> dict[int, Misspelt]:
        return _misspelt_events(self.journey)

    @cached_property
    def undeclared_reads(self) -> list[tuple[int, str]]:
        return _undeclared_reads(self)

    @cached_property
    def unset_reads(self) -> list[tuple[int, str, str]]:
        return _unset_reads(self)

    @cached_property
    def unsettled(self) -> set[int]:
        """Transitions whose guard reads a field that is undeclared (J220) or may be unset (J221):
        J227 leaves them alone, as the value such a guard sees isn't one the data rules can name."""
        return {i for i, _ in self.undeclared_reads} | {i for i, *_ in self.unset_reads}


@dataclass(frozen=True)
class Misspelt:
    """A transition's event that is most likely a typo: ``written`` where ``meant`` was meant.
    ``timed_out`` is the state whose ``on_timeout`` names ``meant`` (None when `events:` does)."""

    written: str
    meant: str
    timed_out: str | None


def _misspelt_events(journey: Journey) -> dict[int, Misspelt]:
    """Transitions (by index) whose event is a near miss of an event the journey declares.

    Which of two near names is the typo is decided by the file itself: the name written in more
    places (`events:`, a state's `on_timeout`, a transition's `on`) is the one meant. A timeout
    that no transition takes is set against the events that do leave its state; any other event
    missing from `events:` (when the journey has one) and fired by no timer, against those declared.
    A tie between an `on_timeout` and a transition stays with the `on_timeout` (J102's first form).
    """
    mentions: dict[str, int] = dict.fromkeys(journey.events, 1)
    for state in journey.states.values():
        if state.on_timeout is not None:
            mentions[state.on_timeout] = mentions.get(state.on_timeout, 0) + 1
    for transition in journey.transitions:
        mentions[transition.on] = mentions.get(transition.on, 0) + 1
    out: dict[int, Misspelt] = {}
    paired: set[int] = set()  # set against a timeout already, whichever side was the typo
    for name, state in journey.states.items():
        meant = state.on_timeout
        if meant is None or (name, meant) in journey.index:
            continue
        guess = difflib.get_close_matches(meant, journey.events_from(name), n=1, cutoff=0.6)
        if not guess:
            continue
        paired.update(journey.index[(name, guess[0])])
        if mentions[meant] > mentions[guess[0]]:
            for i in journey.index[(name, guess[0])]:
                out.setdefault(i, Misspelt(guess[0], meant, name))
    if not journey.events:
        return out
    timers = {s.on_timeout for s in journey.states.values() if s.on_timeout is not None}
    declared = sorted(set(journey.events) | timers)
    for i, transition in enumerate(journey.transitions):
        written = transition.on
        if i in paired or written in journey.events or written in timers:
            continue
        guess = difflib.get_close_matches(written, declared, n=1, cutoff=0.6)
        if guess and mentions[guess[0]] >= mentions[written]:
            out[i] = Misspelt(written, guess[0], None)
    return out


def definitely_set(journey: Journey) -> dict[str, frozenset[str]]:
    """For each state a case can reach, the declared fields set on every route from ``start`` to it.

    Definite assignment, as a compiler checks "used before set": a case opens with its ``intake``
    and ``initial`` fields, and a move adds what it ``sets`` and ``asks`` for. Over the moves the
    engine could make (:mod:`~touchpoint.journeys.graph`), the greatest solution of::

        IN[start] = opening fields
        IN[s]     = ∩ over moves m: v → s of (IN[v] ∪ sets(m) ∪ asks(m))

    A move's own ``asks`` also hold for its guard; its ``sets`` apply after it (they are not in
    ``IN`` of its source). States no route reaches are left out.
    """
    if journey.start not in journey.states:
        return {}
    return _definitely_set(journey, graph.edges(journey))


def _definitely_set(journey: Journey, moves: list[graph.Edge]) -> dict[str, frozenset[str]]:
    names = list(journey.data)
    bit = {name: 1 << k for k, name in enumerate(names)}  # a set of fields is an int: one bit each

    def mask(fields: Iterable[str]) -> int:
        out = 0
        for name in fields:
            out |= bit.get(name, 0)
        return out

    writes = [mask([*t.sets, *t.asks]) for t in journey.transitions]
    exits: dict[str, list[graph.Edge]] = {}
    for move in moves:
        exits.setdefault(move.source, []).append(move)
    known = {journey.start: mask(n for n, f in journey.data.items() if f.set_on_open)}
    queue = deque([journey.start])
    queued = {journey.start}
    while queue:  # each state's set only shrinks, at most once per field: O(fields × moves)
        source = queue.popleft()
        queued.discard(source)
        for move in exits.get(source, []):
            carried = known[source] | writes[move.transition]
            before = known.get(move.target)
            after = carried if before is None else before & carried
            if after != before:
                known[move.target] = after
                if move.target not in queued:
                    queued.add(move.target)
                    queue.append(move.target)
    return {state: frozenset(n for n in names if fields & bit[n]) for state, fields in known.items()}


def _undeclared_reads(ctx: Context) -> list[tuple[int, str]]:
    """(transition, field) for each field a guard reads that ``data:`` doesn't declare."""
    return [
        (i, name)
        for i, transition in enumerate(ctx.journey.transitions)
        if transition.guard is not None
        for name in field_offsets(transition.guard) or sorted(guard_fields(transition.guard))
        if name not in ctx.journey.data
    ]


def _unset_reads(ctx: Context) -> list[tuple[int, str, str]]:
    """(transition, field, state): a guard on a move out of ``state`` reads a declared ``field``
    that some route from ``start`` reaches ``state`` without setting (the first such state in its
    ``from`` list). Only for journeys that declare their data."""
    if not ctx.journey.data or not ctx.assigned:
        return []
    out = []
    for i, transition in enumerate(ctx.journey.transitions):
        if transition.guard is None or not graph.can_hold(transition.guard) or transition.to not in ctx.states:
            continue  # J211 says a dead guard never fires, J101 a move to nowhere: what they read doesn't matter
        sources = [s for s in ctx.live_sources(transition) if s in ctx.assigned]
        for name in field_offsets(transition.guard) or sorted(guard_fields(transition.guard)):
            if name not in ctx.journey.data or name in transition.asks:
                continue
            unset = next((s for s in sources if name not in ctx.assigned[s]), None)
            if unset is not None:
                out.append((i, name, unset))
    return out


def _domains(ctx: Context) -> dict[str, Domain]:
    """The values each declared field can take: its ``initial`` value and the constants moves
    (out of states a case can reach) ``sets``; anything of its type when intake or a move ``asks``."""
    reached_moves = {e.transition for e in ctx.edges if e.source in ctx.reached}
    out = {}
    for name, declared in ctx.journey.data.items():
        values: list[object] = [declared.initial] if declared.initial is not None else []
        anything = declared.intake
        for i in sorted(reached_moves):
            transition = ctx.journey.transitions[i]
            if name in transition.sets:
                values.append(transition.sets[name])
            anything = anything or name in transition.asks
        out[name] = _domain(declared, values, anything=anything)
    return out


def _domain(declared: DataField, constants: list[object], *, anything: bool) -> Domain:
    values = []
    for value in constants:
        try:
            values.append(declared.check(value))  # as stored: `0` for money is 0.0
        except DataError:  # the loader refuses such a constant; never trust the file
            continue
    if not anything:
        return Domain(values=tuple(values))

    def fits(value: object) -> bool:
        if declared.type in ("integer", "number", "money"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return False
            if declared.type == "integer" and not float(value).is_integer():
                return False
        elif declared.type == "boolean":
            return isinstance(value, bool)
        elif declared.type == "text":
            return isinstance(value, str)
        elif declared.type == "choice":
            return value in (declared.choices or ())
        elif declared.type == "address":
            return isinstance(value, dict)
        return (declared.min is None or value >= declared.min) and (  # type: ignore[operator]
            declared.max is None or value <= declared.max  # type: ignore[operator]
        )

    extra: tuple[object, ...] = ()
    if declared.type == "choice":
        extra = tuple(declared.choices or ())
    elif declared.type == "address":
        extra = ({"name": "A", "line1": "1 High St", "line2": "", "town": "T", "postcode": "P", "country": "GB"},)
    else:
        extra = tuple(b for b in (declared.min, declared.max) if b is not None)
    return Domain(values=tuple(values), fits=fits, extra=extra)
