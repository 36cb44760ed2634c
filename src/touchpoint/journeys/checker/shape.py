"""The shape of the graph: J201-J204 (reachable, no traps, wait limits, one move per event) and
J211-J213 (guards that never hold, timers that may be refused, a timeout's sim time)."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from touchpoint.journeys import graph
from touchpoint.journeys.checker.context import Context
from touchpoint.journeys.checker.wording import and_words, show
from touchpoint.journeys.diagnostics import Diagnostic
from touchpoint.journeys.durations import format_duration
from touchpoint.journeys.guards import (
    Domain,
    GuardError,
    Or,
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


def unreachable(ctx: Context) -> Iterator[Diagnostic]:
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


def traps(ctx: Context) -> Iterator[Diagnostic]:
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


def wait_limits(ctx: Context) -> Iterator[Diagnostic]:
    for name, state in ctx.states.items():
        if not state.terminal and state.wait_limit is None:
            # the carrier's state needs its watchdog most: a parcel can simply stop being scanned
            gap = (
                "a parcel the carrier stops scanning would wait there forever, unnoticed"
                if state.owner_kind == "carrier"
                else "a case could wait there forever and fall through the gaps"
            )
            yield ctx.finding(
                "J203",
                f"state `{name}` has no `wait_limit`: {gap}",
                "add `wait_limit: <how long, e.g. 2d>` and `on_timeout: <event>`, with a transition on that event",
                ctx.loaded.state_at(name),
            )


def nondeterminism(ctx: Context) -> Iterator[Diagnostic]:
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


def _both_hold(ctx: Context, source: str, first_index: int, later_index: int) -> str | None:
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
    return f"can both hold ({unguarded}e.g. when {and_words([f'{k} is {show(v)}' for k, v in sorted(found.items())])})"


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


def dead_guards(ctx: Context) -> Iterator[Diagnostic]:
    for i, transition in enumerate(ctx.journey.transitions):
        if transition.guard is not None and not graph.can_hold(transition.guard):
            yield ctx.finding(
                "J211",
                f"the guard `{transition.guard}` can never be true, so transition #{i + 1} never fires",
                "correct the condition (it contradicts itself), or remove the transition",
                ctx.loaded.transition_at(i, "guard"),
            )


_MAX_GUARD = 2000  # what parse_guard accepts


def refusable_timeouts(ctx: Context) -> Iterator[Diagnostic]:
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


def timed_timeout_sims(ctx: Context) -> Iterator[Diagnostic]:
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
            f"transition #{i + 1} is the timeout of {and_words([f'`{s}`' for s in timed_out])}, so in simulation it "
            f"always fires when {when}, and the time its `sim` gives ({given}) is ignored",
            "keep only `weight` in this `sim`; if people may also make this move before the wait runs out, "
            "give them an event of their own, with its own `sim`",
            ctx.loaded.source.at(("transitions", i, "sim", "after" if sim.after is not None else "median"), key=True),
        )


def _example(none_hold: str, guards: list[str | None]) -> str:
    """A case for which no guard holds, in words: missing data first, as that is the usual gap."""
    fields = sorted(set().union(*(fields_of(parse_guard(g)) for g in guards if g is not None)))
    if fields and not any(guard_holds(g, {}) for g in guards):
        return f" (e.g. when {and_words(fields)} {'is' if len(fields) == 1 else 'are'} missing)"
    found = witness(none_hold) if len(none_hold) <= _MAX_GUARD else None
    if not found:
        return ""
    return " (e.g. when " + and_words([f"{k} is {show(v)}" for k, v in sorted(found.items())]) + ")"


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
    return " (e.g. when " + and_words([f"{k} is {show(v)}" for k, v in sorted(found.items())]) + ")"
