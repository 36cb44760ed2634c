"""The checker: what principle 1 ("map every path") demands of a journey, rule by rule.

Each rule has a stable code, a slug, a severity and a one-line summary (:data:`RULES`). A finding
says what is wrong and how to fix it, at the most precise place in the file. Rules never trust the
file: a reference to an unknown state, event or touch point is reported (J101-J103) and the move
is left out of every analysis after it, so a typo never crashes a later rule.

Graph rules use only the moves the engine could make (see :mod:`touchpoint.journeys.graph`).
Everything runs in time linear in the journey, except guard comparisons within one (state, event).
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from touchpoint.journeys import graph
from touchpoint.journeys.diagnostics import Diagnostic, Location, Severity
from touchpoint.journeys.durations import format_duration
from touchpoint.journeys.guards import fields_of, guard_holds, may_overlap, parse_guard, satisfiable, witness
from touchpoint.journeys.loader import LoadedJourney
from touchpoint.journeys.model import Journey, State, Transition


@dataclass(frozen=True)
class Rule:
    code: str
    slug: str
    severity: Severity
    summary: str


_E, _W = Severity.ERROR, Severity.WARNING
RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule("J101", "unknown-state", _E, "`start`, `from` and `to` must name states the journey defines."),
        Rule("J102", "unknown-event", _E, "A state's `on_timeout` must be an event some transition takes from it."),
        Rule("J103", "unknown-touchpoint", _E, "Every touch point sent must be declared under `touchpoints:`."),
        Rule("J104", "unused-touchpoint", _W, "Every declared touch point should be sent: by a move or on opening."),
        Rule("J201", "unreachable-state", _E, "Every state must be reachable from `start`."),
        Rule("J202", "trap-state", _E, "From every reachable state, some end (a state with `outcome`) is reachable."),
        Rule("J203", "no-wait-limit", _E, "Every state but an end needs a `wait_limit`: no case waits forever."),
        Rule("J204", "nondeterministic", _E, "Moves on the same state and event need guards that exclude each other."),
        Rule("J205", "handoff-without-limit", _E, "A handoff to a team or carrier needs `accept_within` on arrival."),
        Rule("J206", "untold-visible-transition", _E, "A move the customer can see needs a touch point or a reason."),
        Rule("J207", "exception-not-people", _E, "An exception state is owned by a team of people (`team:<name>`)."),
        Rule("J208", "untold-failure", _E, "A move into a failure end sends a touch point: bad news is always told."),
        Rule("J209", "silence-bound", _E, "The longest a customer can go unheard stays within `max_silence`."),
        Rule("J210", "exit-from-terminal", _W, "Nothing leaves an end state: a case that has ended never moves."),
        Rule("J211", "guard-never-holds", _W, "A guard that can never be true makes its transition dead."),
        Rule("J212", "timeout-may-be-refused", _E, "When a timer fires, one of its transitions is always allowed."),
        Rule("J213", "timeout-sim-time", _W, "A timeout fires at its wait limit: a time in its `sim` is ignored."),
    )
}


@dataclass(frozen=True)
class SilenceBound:
    """The worst silence a customer can meet: ``worst_seconds`` (None when unbounded), the states
    of that stretch in order, and, when unbounded, why."""

    worst_seconds: int | None
    path: tuple[str, ...]
    unbounded_reason: str | None


def check(loaded: LoadedJourney) -> list[Diagnostic]:
    """Every finding for a loaded journey, sorted by (line, column, code)."""
    ctx = _Context(loaded)
    found: list[Diagnostic] = []
    for rule in _RULE_CHECKS:
        found.extend(rule(ctx))
    return sorted(found, key=lambda d: (d.location.line, d.location.column, d.code))


# --- shared facts about one journey ----------------------------------------------------------


class _Context:
    """What several rules need, computed at most once."""

    def __init__(self, loaded: LoadedJourney) -> None:
        self.loaded = loaded
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


def _suggest(name: str, known: list[str], otherwise: str) -> str:
    guess = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f"did you mean `{guess[0]}`?" if guess else otherwise


def _listing(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(f"`{n}`" for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


# --- references ------------------------------------------------------------------------------


def _unknown_states(ctx: _Context) -> Iterator[Diagnostic]:
    known = list(ctx.states)
    otherwise = f"add it under `states:`, or use one of {_listing(known)}"
    start = ctx.journey.start
    if start not in ctx.states:
        yield ctx.finding(
            "J101",
            f"unknown state `{start}`: `start` names a state that isn't under `states:`",
            _suggest(start, known, otherwise),
            ctx.loaded.source.at(("start",)),
        )
    for i, transition in enumerate(ctx.journey.transitions):
        for k, source in enumerate(transition.from_):
            if source not in ctx.states:
                yield ctx.finding(
                    "J101",
                    f"unknown state `{source}`: transition #{i + 1} leaves from a state that isn't under `states:`",
                    _suggest(source, known, otherwise),
                    ctx.from_at(i, k),
                )
        if transition.to not in ctx.states:
            yield ctx.finding(
                "J101",
                f"unknown state `{transition.to}`: transition #{i + 1} goes to a state that isn't under `states:`",
                _suggest(transition.to, known, otherwise),
                ctx.loaded.transition_at(i, "to"),
            )


def _unknown_events(ctx: _Context) -> Iterator[Diagnostic]:
    for name, state in ctx.states.items():
        event = state.on_timeout
        if event is None or (name, event) in ctx.journey.index:
            continue
        yield ctx.finding(
            "J102",
            f"unknown event `{event}`: `{name}` fires it when its wait limit runs out, "
            f"but no transition leaves `{name}` on `{event}`",
            _suggest(
                event,
                ctx.journey.events_from(name),
                f"add a transition `from: {name}`, `on: {event}` (often to a state a person owns)",
            ),
            ctx.loaded.state_field_at(name, "on_timeout"),
        )


def _touchpoints(ctx: _Context) -> Iterator[Diagnostic]:
    declared = ctx.journey.touchpoints
    sent: set[str] = set()
    opening = ctx.journey.start_touchpoint
    if opening is not None:
        sent.add(opening)
        if opening not in declared:
            yield ctx.finding(
                "J103",
                f"unknown touch point `{opening}`: `start_touchpoint` names a message that isn't under `touchpoints:`",
                _suggest(
                    opening, list(declared), f"declare it under `touchpoints:` as `{opening}: <what the message says>`"
                ),
                ctx.loaded.source.at(("start_touchpoint",)),
            )
    for i, transition in enumerate(ctx.journey.transitions):
        key = transition.touchpoint
        if key is None:
            continue
        sent.add(key)
        if key not in declared:
            yield ctx.finding(
                "J103",
                f"unknown touch point `{key}`: transition #{i + 1} sends a message that isn't under `touchpoints:`",
                _suggest(key, list(declared), f"declare it under `touchpoints:` as `{key}: <what the message says>`"),
                ctx.loaded.transition_at(i, "touchpoint"),
            )
    for key in declared:
        if key not in sent:
            yield ctx.finding(
                "J104",
                f"touch point `{key}` is declared but no transition sends it",
                f"send it from a transition (`touchpoint: {key}`), or remove it",
                ctx.loaded.source.at(("touchpoints", key), key=True),
            )


# --- the shape of the graph ------------------------------------------------------------------


def _unreachable(ctx: _Context) -> Iterator[Diagnostic]:
    start = ctx.journey.start
    if start not in ctx.states:
        return  # J101 already; everything would be unreachable
    reached = set(ctx.reachable)
    for name in ctx.states:
        if name not in reached:
            yield ctx.finding(
                "J201",
                f"state `{name}` can't be reached: no route leads to it from `{start}`",
                f"add a transition into `{name}` from a state a case can reach, or remove `{name}`",
                ctx.loaded.state_at(name),
            )


def _traps(ctx: _Context) -> Iterator[Diagnostic]:
    if ctx.journey.start not in ctx.states:
        return
    ends = [name for name, state in ctx.states.items() if state.terminal]
    finishing = graph.reaching(ctx.successors, ends)
    for name in ctx.reachable:
        if name not in finishing:
            yield ctx.finding(
                "J202",
                f"state `{name}` is a trap: no route leads from it to an end (a state with `outcome`), "
                "so a case there can never finish",
                f"add a transition from `{name}`, or from a state it leads to, towards an end "
                "(for instance its timeout to an exception state a person owns)",
                ctx.loaded.state_at(name),
            )


def _wait_limits(ctx: _Context) -> Iterator[Diagnostic]:
    for name, state in ctx.states.items():
        if not state.terminal and state.wait_limit is None:
            yield ctx.finding(
                "J203",
                f"state `{name}` has no `wait_limit`: a case could wait there forever and fall through the gaps",
                "add `wait_limit: <how long, e.g. 2d>` and `on_timeout: <event>`, with a transition on that event",
                ctx.loaded.state_at(name),
            )


def _nondeterminism(ctx: _Context) -> Iterator[Diagnostic]:
    transitions = ctx.journey.transitions
    for (source, event), indexes in ctx.journey.index.items():
        state = ctx.states.get(source)
        if len(indexes) < 2 or state is None or state.terminal:
            continue
        for position, later in enumerate(indexes[1:], start=1):
            first = next(
                (i for i in indexes[:position] if _overlap(transitions[i].guard, transitions[later].guard)), None
            )
            if first is None:
                continue
            line = ctx.loaded.transition_at(first).line
            yield ctx.finding(
                "J204",
                f"transitions #{first + 1} (line {line}) and #{later + 1} both leave `{source}` on `{event}`, "
                "and their guards can both hold",
                "make the guards exclude each other (e.g. `quote_total > 150` and `not (quote_total > 150)`), "
                "or merge the two transitions",
                ctx.loaded.transition_at(later, "on"),
            )


_overlap = functools.lru_cache(maxsize=8192)(may_overlap)  # journeys repeat the same few guards


# --- owners, touch points and ends -----------------------------------------------------------


def _owner_name(state: State) -> str:
    return state.owner if state.team is None else f"team `{state.team}`"


def _handoffs(ctx: _Context) -> Iterator[Diagnostic]:
    for i, transition in enumerate(ctx.journey.transitions):
        target = ctx.states.get(transition.to)
        if target is None or target.accept_within is not None or target.terminal:
            continue  # an ended case needs nobody to accept it
        if target.team is None and target.owner_kind != "carrier":
            continue
        source = next((s for s in ctx.live_sources(transition) if ctx.states[s].owner != target.owner), None)
        if source is None:
            continue
        yield ctx.finding(
            "J205",
            f"transition #{i + 1} hands the case from `{source}` ({_owner_name(ctx.states[source])}) "
            f"to `{transition.to}` ({_owner_name(target)}), but `{transition.to}` has no `accept_within`",
            f"add `accept_within: <e.g. 4h>` to `{transition.to}`, so its new owner must accept the case in time",
            ctx.loaded.transition_at(i, "to"),
        )


def _untold_failure(transition: Transition, ctx: _Context) -> bool:
    target = ctx.states.get(transition.to)
    return (
        target is not None
        and target.outcome == "failure"
        and transition.touchpoint is None
        and bool(ctx.live_sources(transition))
    )


def _untold_visible(ctx: _Context) -> Iterator[Diagnostic]:
    for i, transition in enumerate(ctx.journey.transitions):
        if transition.touchpoint is not None or transition.silent is not None or _untold_failure(transition, ctx):
            continue  # J208 covers an untold failure, with the stronger fix
        source = next(
            (s for s in ctx.live_sources(transition) if ctx.journey.customer_visible(transition, s)),
            None,
        )
        if source is None:
            continue
        before, after = ctx.states[source], ctx.states[transition.to]
        seen = f"“{before.label}” becomes “{after.label}”" if before.label != after.label else "the case ends"
        yield ctx.finding(
            "J206",
            f"transition #{i + 1} changes what the customer sees ({seen}) but sends no message",
            "add `touchpoint: <key>` (declared under `touchpoints:`), "
            "or `silent: <reason>` if the customer truly needn't hear",
            ctx.loaded.transition_at(i, "to"),
        )


def _exceptions(ctx: _Context) -> Iterator[Diagnostic]:
    for name, state in ctx.states.items():
        if state.exception and state.team is None:
            yield ctx.finding(
                "J207",
                f"exception state `{name}` is owned by `{state.owner}`: something has gone wrong there, "
                "and only people can put it right",
                "set `owner: team:<name>` so a person owns it",
                ctx.loaded.state_field_at(name, "owner"),
            )


def _untold_failures(ctx: _Context) -> Iterator[Diagnostic]:
    for i, transition in enumerate(ctx.journey.transitions):
        if not _untold_failure(transition, ctx):
            continue
        excuse = " (`silent` doesn't excuse bad news)" if transition.silent is not None else ""
        yield ctx.finding(
            "J208",
            f"transition #{i + 1} ends the case in failure at `{transition.to}` without telling the customer{excuse}",
            "add `touchpoint: <key>` saying honestly what happened and what happens now",
            ctx.loaded.transition_at(i, "to"),
        )


def _exits_from_ends(ctx: _Context) -> Iterator[Diagnostic]:
    for i, transition in enumerate(ctx.journey.transitions):
        for k, source in enumerate(transition.from_):
            state = ctx.states.get(source)
            if state is None or not state.terminal:
                continue
            yield ctx.finding(
                "J210",
                f"transition #{i + 1} leaves `{source}`, an end (outcome: {state.outcome}); "
                "a case that has ended never moves again, so it never fires",
                f"remove `{source}` from `from:`, or drop its `outcome` if cases should carry on from it",
                ctx.from_at(i, k),
            )


def _dead_guards(ctx: _Context) -> Iterator[Diagnostic]:
    for i, transition in enumerate(ctx.journey.transitions):
        if transition.guard is not None and not graph.can_hold(transition.guard):
            yield ctx.finding(
                "J211",
                f"the guard `{transition.guard}` can never be true, so transition #{i + 1} never fires",
                "correct the condition (it contradicts itself), or remove the transition",
                ctx.loaded.transition_at(i, "guard"),
            )


_MAX_GUARD = 2000  # what parse_guard accepts


def _refusable_timeouts(ctx: _Context) -> Iterator[Diagnostic]:
    for name, state in ctx.states.items():
        event = state.on_timeout
        if event is None or state.terminal:
            continue
        guards = [ctx.journey.transitions[i].guard for i in ctx.journey.index.get((name, event), [])]
        if not guards or any(g is None for g in guards):
            continue  # J102 for none; an unguarded transition always takes the timer
        none_hold = " and ".join(f"not ({g})" for g in guards)
        if len(none_hold) <= _MAX_GUARD and not satisfiable(none_hold):
            continue
        when = _example(none_hold, guards)
        yield ctx.finding(
            "J212",
            f"the timer in `{name}` may be refused: every transition on `{event}` has a guard, "
            f"and they can all be false at once{when}, leaving the case stuck",
            f"add an unguarded transition `from: {name}`, `on: {event}` as the fallback, "
            "or make the guards cover every case (e.g. `flag` and `not flag`)",
            ctx.loaded.state_field_at(name, "on_timeout"),
        )


def _timed_timeout_sims(ctx: _Context) -> Iterator[Diagnostic]:
    for i, transition in enumerate(ctx.journey.transitions):
        sim = transition.sim
        if sim is None or (sim.after is None and sim.median is None):
            continue
        timed_out = [s for s in ctx.live_sources(transition) if ctx.states[s].on_timeout == transition.on]
        if not timed_out:
            continue
        given = f"`after: {format_duration(sim.after)}`" if sim.after is not None else "`median` and `p90`"
        limits = {ctx.states[s].wait_limit or 0 for s in timed_out}
        when = (
            f"the wait limit ({format_duration(limits.pop())}) runs out"
            if len(limits) == 1
            else "their wait limits run out"
        )
        yield ctx.finding(
            "J213",
            f"transition #{i + 1} is the timeout of {_and([f'`{s}`' for s in timed_out])}, so in simulation it "
            f"always fires when {when}, and the time its `sim` gives ({given}) is ignored",
            "keep only `weight` in this `sim`; if people may also make this move before the wait runs out, "
            "give them an event of their own, with its own `sim`",
            ctx.loaded.source.at(("transitions", i, "sim", "after" if sim.after is not None else "median"), key=True),
        )


def _example(none_hold: str, guards: list[str | None]) -> str:
    """A case for which no guard holds, in words: missing data first, as that is the usual gap."""
    fields = sorted(set().union(*(fields_of(parse_guard(g)) for g in guards if g is not None)))
    if fields and not any(guard_holds(g, {}) for g in guards):
        return f" (e.g. when {_and(fields)} {'is' if len(fields) == 1 else 'are'} missing)"
    found = witness(none_hold) if len(none_hold) <= _MAX_GUARD else None
    if not found:
        return ""
    return " (e.g. when " + _and([f"{k} is {_show(v)}" for k, v in sorted(found.items())]) + ")"


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _show(value: object) -> str:
    if value is None:
        return "missing"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)


# --- silence ---------------------------------------------------------------------------------


def _silence(ctx: _Context) -> Iterator[Diagnostic]:
    journey = ctx.journey
    if journey.start not in ctx.states:
        return
    bound = _silence_bound(journey, ctx.edges, ctx.reachable)
    where = ctx.loaded.source.at(("max_silence",))
    allowed = format_duration(journey.max_silence)
    if bound.worst_seconds is None:
        yield ctx.finding(
            "J209",
            f"the silence has no bound: {bound.unbounded_reason}",
            _unbounded_fix(journey, bound.path),
            where,
            bound.path,
        )
    elif bound.worst_seconds > journey.max_silence:
        stretch = " → ".join(f"`{s}` ({format_duration(journey.states[s].wait_limit or 0)})" for s in bound.path)
        yield ctx.finding(
            "J209",
            f"a customer can go {format_duration(bound.worst_seconds)} without hearing from us, more than "
            f"`max_silence` ({allowed}): {stretch}",
            "send a touch point on a transition along this stretch, shorten its wait limits, or raise `max_silence`",
            where,
            bound.path,
        )


def _unbounded_fix(journey: Journey, path: tuple[str, ...]) -> str:
    last = path[-1] if path else journey.start
    if journey.states[last].wait_limit is None:
        return f"give `{last}` a `wait_limit` and an `on_timeout` transition (see J203)"
    return "send a touch point on one of the moves in the loop, or lead the loop out to a person"


def silence_bound(journey: Journey) -> SilenceBound:
    """The longest a customer can go without a message, over every route from ``start``.

    Time in a state is at most its wait limit; a transition with a touch point resets the silence;
    an end stops it; the clock starts when the case opens in ``start``. With ``S(v)`` the worst
    silence from entering ``v`` until the next message or the end::

        S(v) = wait(v) + max(0, max S(w) over silent moves v → w, w not an end)

    A state without a wait limit, or a loop of silent moves, makes it unbounded.
    """
    if journey.start not in journey.states:
        return SilenceBound(None, (), f"the start state `{journey.start}` isn't defined (J101)")
    moves = graph.edges(journey)
    return _silence_bound(journey, moves, graph.reachable(graph.successors(journey, moves), [journey.start]))


def _silence_bound(journey: Journey, moves: list[graph.Edge], reached: list[str]) -> SilenceBound:
    states = journey.states
    live = {name: None for name in reached if not states[name].terminal}
    if not live:
        return SilenceBound(0, (), None)
    silent: dict[str, dict[str, None]] = {name: {} for name in live}
    entries: dict[str, None] = {journey.start: None}
    for move in moves:
        if move.source not in live or move.target not in live:
            continue
        if journey.transitions[move.index].touchpoint is None:
            silent[move.source][move.target] = None
        else:
            entries[move.target] = None
    adjacency = {name: list(targets) for name, targets in silent.items()}
    components = graph.strongly_connected(adjacency)
    looping = {n for c in components if len(c) > 1 or c[0] in adjacency[c[0]] for n in c}
    culprits = [n for n in live if n in looping or states[n].wait_limit is None]
    if culprits:
        return _unbounded(journey, adjacency, list(entries), set(culprits), looping)
    worst: dict[str, int] = {}
    after: dict[str, str | None] = {}
    for component in components:  # sinks first, so every successor is already known
        (name,) = component
        best = max(adjacency[name], key=lambda w: worst[w], default=None)
        wait = states[name].wait_limit or 0
        worst[name] = wait + (worst[best] if best is not None else 0)
        after[name] = best
    entry = max(entries, key=lambda e: worst[e])  # the first of equals: start wins ties
    path = [entry]
    while (nxt := after[path[-1]]) is not None:
        path.append(nxt)
    return SilenceBound(worst[entry], tuple(path), None)


def _unbounded(
    journey: Journey, adjacency: dict[str, list[str]], entries: list[str], culprits: set[str], looping: set[str]
) -> SilenceBound:
    """Name the nearest culprit: a state without a wait limit, or a loop of silent moves."""
    order = graph.reachable(adjacency, entries)  # breadth-first from where silences begin
    culprit = next(n for n in order if n in culprits)
    path = graph.route(adjacency, entries, culprit) or [culprit]
    reached = f" (reached by {_arrows(path)})" if len(path) > 1 else ""
    if journey.states[culprit].wait_limit is None:
        reason = f"`{culprit}` has no `wait_limit` (J203), so a case can wait there forever without a message"
        return SilenceBound(None, tuple(path), reason + reached)
    back = min(
        (r for r in (graph.route(adjacency, [w], culprit) for w in adjacency[culprit] if w in looping) if r),
        key=len,
    )
    reason = f"the moves {_arrows([culprit, *back])} send no message and go round forever"
    return SilenceBound(None, (*path, *back), reason + reached)


def _arrows(states: list[str]) -> str:
    return " → ".join(f"`{s}`" for s in states)


_RULE_CHECKS = (
    _unknown_states,
    _unknown_events,
    _touchpoints,
    _unreachable,
    _traps,
    _wait_limits,
    _nondeterminism,
    _handoffs,
    _untold_visible,
    _exceptions,
    _untold_failures,
    _silence,
    _exits_from_ends,
    _dead_guards,
    _refusable_timeouts,
    _timed_timeout_sims,
)
