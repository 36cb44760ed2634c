"""The checker: what principle 1 ("map every path") demands of a journey, rule by rule.

Each rule has a stable code, a slug, a severity and a one-line summary (:data:`RULES`). A finding
says what is wrong and how to fix it, at the most precise place in the file. Rules never trust the
file: a reference to an unknown state, event or touch point is reported (J101-J103) and the move
is left out of every analysis after it, so a typo never crashes a later rule.

Graph rules use only the moves the engine could make (see :mod:`touchpoint.journeys.graph`).
Everything runs in time linear in the journey, except guard comparisons within one (state, event)
and definite assignment (J221), which is linear in the journey times its number of fields.

The case data rules (J220-J227) read the journey's ``data:`` and ``events:``. A journey written
before case data was declared (no ``data:``) still gets J220 for each field its guards read, and
the event rules (J223-J226); the rules that need declarations (J221, J222, J227) stay quiet for it.
With declarations, J212 knows which fields are always present where a timer fires, and the values
they take: `x > 3` and `x <= 3` cover every case when `x` is an intake number.
"""

from __future__ import annotations

import difflib
import functools
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from touchpoint.journeys import graph
from touchpoint.journeys.data import DataError
from touchpoint.journeys.diagnostics import Diagnostic, Location, Severity
from touchpoint.journeys.durations import format_duration
from touchpoint.journeys.guards import (
    Domain,
    GuardError,
    Or,
    field_offsets,
    fields_of,
    guard_fields,
    guard_holds,
    holds_within,
    may_overlap,
    parse_guard,
    satisfiable,
    witness,
    witness_within,
)
from touchpoint.journeys.loader import LoadedJourney
from touchpoint.journeys.model import DataField, Journey, State, Transition


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
        Rule(
            "J102",
            "unknown-event",
            _E,
            "A state's `on_timeout` is an event a transition takes from it; no event misspells a declared one.",
        ),
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
        Rule("J220", "data-undeclared", _E, "A guard reads only fields declared under `data:`."),
        Rule("J221", "data-unset", _E, "A guard reads a field only where every route to it has set the field."),
        Rule("J222", "data-unused", _W, "Every declared field is set somewhere, and read by a guard or at intake."),
        Rule("J223", "data-bad-write", _E, "`sets`, `asks` and `refund` name declared fields a move can write."),
        Rule("J224", "event-unrecordable", _E, "Every event has a recorder: a person, a carrier, a timer, or `via`."),
        Rule("J225", "event-unlabelled", _W, "An event people record has a `label` under `events:`, not a raw key."),
        Rule("J226", "event-label-unused", _W, "Every event under `events:` is one some transition takes."),
        Rule("J227", "guard-never-holds-for-data", _W, "A guard can hold for the values its fields really take."),
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
    def misspelt_events(self) -> dict[int, _Misspelt]:
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
class _Misspelt:
    """A transition's event that is most likely a typo: ``written`` where ``meant`` was meant.
    ``timed_out`` is the state whose ``on_timeout`` names ``meant`` (None when `events:` does)."""

    written: str
    meant: str
    timed_out: str | None


def _misspelt_events(journey: Journey) -> dict[int, _Misspelt]:
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
    out: dict[int, _Misspelt] = {}
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
                out.setdefault(i, _Misspelt(guess[0], meant, name))
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
            out[i] = _Misspelt(written, guess[0], None)
    return out


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
    for i, typo in sorted(ctx.misspelt_events.items()):
        source = typo.timed_out
        if source is not None:
            message = (
                f"unknown event `{typo.written}`: transition #{i + 1} leaves `{source}` on `{typo.written}`, "
                f"but `{source}` fires `{typo.meant}` when its wait limit runs out, "
                f"and no transition leaves `{source}` on `{typo.meant}`"
            )
            fix = f"did you mean `{typo.meant}`?"
        else:
            message = (
                f"unknown event `{typo.written}`: transition #{i + 1} takes an event that isn't under `events:` "
                "and that no state fires when its wait limit runs out"
            )
            fix = f"did you mean `{typo.meant}`? (a new event goes under `events:`, with its label)"
        yield ctx.finding("J102", message, fix, ctx.loaded.transition_at(i, "on"))
    placed = {typo.timed_out for typo in ctx.misspelt_events.values()}
    for name, state in ctx.states.items():
        event = state.on_timeout
        if event is None or (name, event) in ctx.journey.index or name in placed:
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
            overlap = None
            for first in indexes[:position]:
                overlap = _both_hold(ctx, source, first, later)
                if overlap is not None:
                    break
            if overlap is None:
                continue
            line = ctx.loaded.transition_at(first).line
            yield ctx.finding(
                "J204",
                f"transitions #{first + 1} (line {line}) and #{later + 1} both leave `{source}` on `{event}`, "
                f"and their guards {overlap}",
                _exclusive_fix(first, transitions[first].guard, later, transitions[later].guard),
                ctx.loaded.transition_at(later, "on"),
            )


_overlap = functools.lru_cache(maxsize=8192)(may_overlap)  # journeys repeat the same few guards


def _both_hold(ctx: _Context, source: str, first_index: int, later_index: int) -> str | None:
    """None when the guards of the two transitions exclude each other for every case that can be in
    ``source``; else the words for how they overlap, with data that makes both hold, worked out from
    the guards and the declared fields (their type and range, and whether they may be missing there)."""
    first, later = ctx.journey.transitions[first_index], ctx.journey.transitions[later_index]
    if not _overlap(first.guard, later.guard):
        return None
    if first.guard is None and later.guard is None:
        return "can both hold (neither has a guard)"
    guards = [g for g in (first.guard, later.guard) if g is not None]
    both = " and ".join(f"({g})" for g in guards)
    if len(both) > _MAX_GUARD:
        return "may both hold (no example could be worked out: the guards are too long to combine)"
    present = ctx.assigned.get(source, frozenset()) | set(first.asks) | set(later.asks)
    # a field that may be unset where the moves leave from may be missing (None) when they fire
    domains = {
        name: domain if name in present else Domain(values=(None,), fits=domain.fits, extra=domain.extra)
        for name, domain in ctx.typed_domains.items()
    }
    if not holds_within(both, domains):
        return None  # they overlap only for values the declarations never let a case hold
    found = _readable(both, witness_within(both, domains))
    bare = first_index if first.guard is None else later_index if later.guard is None else None
    unguarded = f"#{bare + 1} has no guard; " if bare is not None else ""
    if found is None:
        return f"may both hold ({unguarded}no example could be worked out: the guards are too large to expand)"
    return f"can both hold ({unguarded}e.g. when {_and([f'{k} is {_show(v)}' for k, v in sorted(found.items())])})"


def _readable(guard: str, found: dict[str, object] | None) -> dict[str, object] | None:
    """``found`` with the search's made-up text (`"a\\x00"`, just after `"a"`) replaced by plain
    words that still make ``guard`` hold, where some do."""
    if found is None:
        return None
    out = dict(found)
    for name, value in found.items():
        if not isinstance(value, str) or "\x00" not in value:
            continue
        stem = value.split("\x00", 1)[0]
        for plain in (stem + "a", stem + "z", "other", "something else"):
            if guard_holds(guard, {**out, name: plain}):
                out[name] = plain
                break
    return out


def _exclusive_fix(first: int, first_guard: str | None, later: int, later_guard: str | None) -> str:
    """How to make two moves exclude each other, written with their own guards."""
    if first_guard is None and later_guard is None:
        return (
            "give them guards that exclude each other (e.g. `guard: <condition>` on one and "
            "`guard: not (<condition>)` on the other), or merge the two transitions"
        )
    if first_guard is None or later_guard is None:
        bare, other = (first, later_guard) if first_guard is None else (later, first_guard)
        return f"give transition #{bare + 1} the guard `not ({other})`, or merge the two transitions"
    kept = f"({later_guard})" if _has_or(later_guard) else later_guard
    return (
        f"make the guards exclude each other, e.g. write the guard of #{later + 1} as "
        f"`{kept} and not ({first_guard})`, or merge the two transitions"
    )


def _has_or(guard: str) -> bool:
    try:
        return isinstance(parse_guard(guard), Or)
    except GuardError:
        return True


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
        known = ctx.known_at(name)
        if len(none_hold) <= _MAX_GUARD and not _can_hold(none_hold, known):
            continue
        when = _example(none_hold, guards) if not ctx.journey.data else _example_within(none_hold, known)
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


def _can_hold(guard: str, known: dict[str, Domain]) -> bool:
    return holds_within(guard, known) if known else satisfiable(guard)


def _example_within(none_hold: str, known: dict[str, Domain]) -> str:
    """A case for which no guard holds, drawn from the values the fields can take there: fields that
    may be missing are tried missing first, as that is the usual gap."""
    if len(none_hold) > _MAX_GUARD:
        return ""
    missing = {name: Domain(values=(None,)) for name in guard_fields(none_hold) if name not in known}
    found = witness_within(none_hold, {**known, **missing}) if missing else None
    found = found or witness_within(none_hold, known)
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
        if journey.transitions[move.transition].touchpoint is None:
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


# --- case data and events --------------------------------------------------------------------


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


def _undeclared_reads(ctx: _Context) -> list[tuple[int, str]]:
    """(transition, field) for each field a guard reads that ``data:`` doesn't declare."""
    return [
        (i, name)
        for i, transition in enumerate(ctx.journey.transitions)
        if transition.guard is not None
        for name in field_offsets(transition.guard) or sorted(guard_fields(transition.guard))
        if name not in ctx.journey.data
    ]


def _data_undeclared(ctx: _Context) -> Iterator[Diagnostic]:
    declared = list(ctx.journey.data)
    for i, name in ctx.undeclared_reads:
        guard = ctx.journey.transitions[i].guard
        if declared:
            message = f"the guard `{guard}` reads `{name}`, which isn't declared under `data:`"
            fix = _suggest(name, declared, f"declare it under `data:`: `{name}: {{type: …, meaning: …}}`")
        else:
            message = f"the guard `{guard}` reads `{name}`, but the journey declares no case data"
            fix = (
                f"add a `data:` section declaring `{name}` (its `type`, its `meaning`, and where it is set: "
                "`intake: true`, an `initial` value, or a move's `sets:` or `asks:`)"
            )
        yield ctx.finding("J220", message, fix, ctx.guard_field_at(i, name))


def _unset_reads(ctx: _Context) -> list[tuple[int, str, str]]:
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


def _unset_route(ctx: _Context, name: str, goal: str) -> list[tuple[str, str | None]]:
    """A shortest route from ``start`` to ``goal`` on which no move sets or asks for ``name``:
    each state with the event that led into it (None for the first)."""
    start = ctx.journey.start
    parent: dict[str, tuple[str, str] | None] = {start: None}
    queue = deque([start])
    while queue and goal not in parent:
        source = queue.popleft()
        for edge in ctx.out_edges.get(source, []):
            transition = ctx.journey.transitions[edge.transition]
            if edge.target in parent or name in transition.sets or name in transition.asks:
                continue
            parent[edge.target] = (source, transition.on)
            queue.append(edge.target)
    route: list[tuple[str, str | None]] = []
    node: str | None = goal
    while node is not None and node in parent:
        step = parent[node]
        route.append((node, step[1] if step else None))
        node = step[0] if step else None
    return route[::-1]


def _route_words(route: list[tuple[str, str | None]]) -> str:
    return " ".join(f"─{event}→ `{state}`" if event else f"`{state}`" for state, event in route)


def _data_unset(ctx: _Context) -> Iterator[Diagnostic]:
    for i, name, state in ctx.unset_reads:
        transition = ctx.journey.transitions[i]
        route = _unset_route(ctx, name, state)
        if len(route) <= 1:
            how = f"a case opens in `{state}` without it"
        else:
            how = f"nothing sets it on the route {_route_words(route)}"
        yield ctx.finding(
            "J221",
            f"the guard `{transition.guard}` reads `{name}` before anything may have set it: "
            f"transition #{i + 1} leaves `{state}`, and {how}",
            f"set `{name}` on every route into `{state}` (a move's `sets:` or `asks:`), gather it at intake "
            f"(`intake: true`) or give it an `initial` value; or have this move ask for it (`asks: [{name}]`)",
            ctx.guard_field_at(i, name),
            tuple(state for state, _ in route),
        )


def _data_unused(ctx: _Context) -> Iterator[Diagnostic]:
    data = ctx.journey.data
    written = {name for t in ctx.journey.transitions for name in (*t.sets, *t.asks)}
    read = {name for t in ctx.journey.transitions for name in guard_fields(t.guard)}
    read |= {t.refund for t in ctx.journey.transitions if t.refund is not None}
    for name, declared in data.items():
        where = ctx.loaded.source.at(("data", name), key=True)
        if not declared.set_on_open and name not in written:
            yield ctx.finding(
                "J222",
                f"`{name}` is declared, but nothing sets it: not intake, no `initial` value, "
                "and no move `sets` it or `asks` for it",
                f"set it where it becomes known (`sets: {{{name}: …}}` or `asks: [{name}]` on a move, "
                "`intake: true`, or an `initial` value), or remove it",
                where,
            )
        elif not declared.intake and name not in read:
            yield ctx.finding(
                "J222",
                f"`{name}` is set, but no guard or `refund` reads it, and it isn't intake data shown to staff",
                f"read it where it decides something (a guard such as `{name}`), or remove it and what sets it",
                where,
            )


def _data_bad_writes(ctx: _Context) -> Iterator[Diagnostic]:
    data = ctx.journey.data
    declared = list(data)

    def undeclared(what: str, name: str) -> tuple[str, str]:
        if declared:
            return (
                f"{what} `{name}`, which isn't declared under `data:`",
                _suggest(name, declared, f"declare it under `data:`: `{name}: {{type: …, meaning: …}}`"),
            )
        return (
            f"{what} `{name}`, but the journey declares no case data",
            f"add a `data:` section declaring `{name}` (its `type` and `meaning`)",
        )

    for i, transition in enumerate(ctx.journey.transitions):
        for name in transition.sets:
            if name not in data:
                message, fix = undeclared(f"transition #{i + 1} sets", name)
                where = ctx.loaded.source.at(("transitions", i, "sets", name), key=True)
                yield ctx.finding("J223", message, fix, where)
        for k, name in enumerate(transition.asks):
            if name not in data:
                message, fix = undeclared(f"transition #{i + 1} asks for", name)
                yield ctx.finding("J223", message, fix, ctx.loaded.source.at(("transitions", i, "asks", k)))
        refund = transition.refund
        if refund is not None and refund != "all":
            money = [n for n, f in data.items() if f.type == "money"]
            field = data.get(refund)
            if field is None:
                message = f"transition #{i + 1} refunds `{refund}`, which is neither `all` nor a declared field"
                fix = _suggest(refund, [*money, "all"], "write `refund: all`, or name a `money` field of `data:`")
            elif field.type != "money":
                message = f"transition #{i + 1} refunds `{refund}`, a {field.type} field: a refund pays back money"
                fix = "write `refund: all`, or name a `money` field of `data:`" + (
                    f" ({_listing(money)})" if money else ""
                )
            else:
                continue
            yield ctx.finding("J223", message, fix, ctx.loaded.transition_at(i, "refund"))
        timed = [s for s in ctx.live_sources(transition) if ctx.states[s].on_timeout == transition.on]
        if transition.asks and timed:
            yield ctx.finding(
                "J223",
                f"transition #{i + 1} is the timeout of `{timed[0]}` and asks for "
                f"{_and([f'`{a}`' for a in transition.asks])}, but a timer gives no values: it would be "
                "refused, and the case would stay where it is",
                "leave `asks` off the timeout (people can record a move of their own that asks), "
                "or write a constant with `sets:`",
                ctx.loaded.source.at(("transitions", i, "asks"), key=True),
            )


def _recorders(ctx: _Context, indexes: list[int]) -> set[str]:
    """Who may record a transition of ``indexes`` that can fire (a defined target, a guard that can hold)."""
    moves = [ctx.journey.transitions[i] for i in indexes]
    return {who for t in moves if t.to in ctx.states and graph.can_hold(t.guard) for who in t.by}


def _events_unrecordable(ctx: _Context) -> Iterator[Diagnostic]:
    typos = {typo.written for typo in ctx.misspelt_events.values()}
    for (name, event), indexes in ctx.journey.index.items():
        state = ctx.states.get(name)
        if state is None or state.terminal or (ctx.reached and name not in ctx.reached) or event in typos:
            continue  # J101, J210, J201 and J102 speak for these
        if state.on_timeout is None or (name, state.on_timeout) not in ctx.journey.index:
            continue  # J203 or J102: the state's timer is missing, and its event is likely this one
        who = _recorders(ctx, indexes)
        info = ctx.journey.events.get(event)
        if not who or who != {"system"} or event == state.on_timeout or (info is not None and info.via):
            continue
        first = indexes[0]
        yield ctx.finding(
            "J224",
            f"nothing can record `{event}` in `{name}`: only `system` may, it isn't the timeout of `{name}`, "
            "and no integration reports it (`via`)",
            "say who records it in `by` (e.g. `team:<name>`, `carrier` or `customer`), make it the state's "
            f"`on_timeout`, or name the integration that reports it under `events:` "
            f"(`{event}: {{label: …, via: payments}}`)",
            ctx.from_at(first, ctx.journey.transitions[first].from_.index(name)),
        )


def _events_unlabelled(ctx: _Context) -> Iterator[Diagnostic]:
    first: dict[str, int] = {}
    people: dict[str, dict[str, None]] = {}
    for i, transition in enumerate(ctx.journey.transitions):
        if not ctx.live_sources(transition) or transition.to not in ctx.states or i in ctx.misspelt_events:
            continue  # a misspelt event (J102) needs correcting, not a label
        first.setdefault(transition.on, i)
        people.setdefault(transition.on, {}).update(dict.fromkeys(w for w in transition.by if w != "system"))
    for event, i in first.items():
        who = list(people[event])
        if not who or event in ctx.journey.events:
            continue
        customer = " (and `customer:` for the customer's button)" if "customer" in who else ""
        yield ctx.finding(
            "J225",
            f"`{event}` is recorded by {_and([f'`{w}`' for w in who])}, but has no `label` under `events:`, "
            f"so they would see “{ctx.journey.event_label(event)}”",
            f"add it under `events:` with the words on its button, e.g. `{event}: <what the button says>`{customer}",
            ctx.loaded.transition_at(i, "on"),
        )


def _events_label_unused(ctx: _Context) -> Iterator[Diagnostic]:
    taken = list(dict.fromkeys(t.on for t in ctx.journey.transitions))
    meant = {typo.meant for typo in ctx.misspelt_events.values()}  # J102 asks for these to be taken
    for event in ctx.journey.events:
        if event not in taken and event not in meant:
            yield ctx.finding(
                "J226",
                f"`events:` describes `{event}`, but no transition takes it",
                _suggest(event, taken, "remove it, or add the transition it belongs to"),
                ctx.loaded.source.at(("events", event), key=True),
            )


def _domains(ctx: _Context) -> dict[str, Domain]:
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


def _values_words(name: str, declared: DataField, domain: Domain) -> str:
    """What a field can be, and why: "`repaired` is only ever false (its `initial` value; …)"."""
    if domain.fits is not None:
        return f"`{name}` is {_type_words(declared)}"
    shown = _or([_show(v) for v in dict.fromkeys(domain.values)]) if domain.values else "missing"
    sources = []
    if declared.initial is not None:
        sources.append("its `initial` value")
    if len(domain.values) > (declared.initial is not None):
        sources.append("what moves `sets`")
    because = f" ({_and(sources)}; no move sets it otherwise)" if sources else ""
    return f"`{name}` is only ever {shown}{because}"


def _type_words(declared: DataField) -> str:
    """Any value of a declared type, in words: "one of `standard` or `gold`", "a whole number from 1 to 5"."""
    if declared.type == "choice":
        return "one of " + _or([f"`{c}`" for c in declared.choices or ()])
    if declared.type == "boolean":
        return "true or false"
    if declared.type in ("text", "address"):
        return "text" if declared.type == "text" else "an address"
    kind = {"integer": "a whole number", "money": "an amount"}.get(declared.type, "a number")
    low, high = (
        None if b is None else _show(int(b) if float(b).is_integer() else b) for b in (declared.min, declared.max)
    )
    if low is not None and high is not None:
        return f"{kind} from {low} to {high}"
    if low is not None or high is not None:
        return f"{kind} of at least {low}" if low is not None else f"{kind} of at most {high}"
    return kind


def _or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _guards_dead_for_data(ctx: _Context) -> Iterator[Diagnostic]:
    if not ctx.journey.data or not ctx.reached:
        return
    domains = ctx.domains
    for i, transition in enumerate(ctx.journey.transitions):
        guard = transition.guard
        if guard is None or i in ctx.unsettled or not graph.can_hold(guard):
            continue  # J220/J221 first; J211 already says a self-contradicting guard is dead
        if not any(s in ctx.reached for s in ctx.live_sources(transition)) or transition.to not in ctx.states:
            continue
        if holds_within(guard, domains):
            continue
        read = [n for n in field_offsets(guard) or sorted(guard_fields(guard)) if n in domains]
        # name the fields whose values alone rule it out (the guard could hold if they were free)
        culprits = [n for n in read if holds_within(guard, {k: d for k, d in domains.items() if k != n})]
        why = _and([_values_words(n, ctx.journey.data[n], domains[n]) for n in culprits or read])
        yield ctx.finding(
            "J227",
            f"the guard `{guard}` can never be true for the values its fields take"
            + (f": {why}" if why else "")
            + f"; transition #{i + 1} never fires",
            "set the field where it becomes known (`sets:` on the move that makes it so, or `asks:` for a "
            "value a person gives), or correct the guard",
            ctx.loaded.transition_at(i, "guard"),
        )


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
    _data_undeclared,
    _data_unset,
    _data_unused,
    _data_bad_writes,
    _events_unrecordable,
    _events_unlabelled,
    _events_label_unused,
    _guards_dead_for_data,
)
