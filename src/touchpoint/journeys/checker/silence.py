"""J209 and the silence bound: the longest a customer can go without hearing from us."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from touchpoint.journeys import graph
from touchpoint.journeys.checker.context import Context
from touchpoint.journeys.checker.wording import arrows
from touchpoint.journeys.diagnostics import Diagnostic, Severity
from touchpoint.journeys.durations import format_duration
from touchpoint.journeys.model import Journey


@dataclass(frozen=True)
class SilenceBound:
    """The worst silence a customer can meet: ``worst_seconds`` (None when unbounded), the states
    of that stretch in order, and, when unbounded, why."""

    worst_seconds: int | None
    path: tuple[str, ...]
    unbounded_reason: str | None


def silence_within_bound(ctx: Context) -> Iterator[Diagnostic]:
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
    elif ctx.hours is not None:
        yield from _with_hours(ctx)


def _with_hours(ctx: Context) -> Iterator[Diagnostic]:
    """J209 on the calendar the shop's hours make: over a weekend or a bank holiday a business wait
    lasts longer than its limit. Where the run-time guard's touch point keeps the bound (the journey
    declares it), a warning: the customer hears only a holding message; else an error."""
    from touchpoint.journeys.checker.silence_hours import GUARD_TOUCHPOINT, guard_after, silence_on_calendar

    assert ctx.hours is not None
    journey = ctx.journey
    found = silence_on_calendar(journey, ctx.hours)
    if found.worst_seconds is None or found.worst_seconds <= journey.max_silence:
        return
    where = ctx.loaded.source.at(("max_silence",))
    stretch = " → ".join(f"`{s}`" for s in found.path)
    said = (
        f"with {ctx.hours.source}, a customer can go {format_duration(found.worst_seconds)} without hearing from "
        f"us, more than `max_silence` ({format_duration(journey.max_silence)}): {stretch}, starting "
        f"{found.starts_words()}"
    )
    if not found.exact:
        said += " (each business wait at its longest: too many routes to follow on the calendar)"
    finding = ctx.finding(
        "J209",
        said,
        "send a touch point along this stretch, or let its waits count calendar time (`wait_clock: calendar`)",
        where,
        found.path,
    )
    if GUARD_TOUCHPOINT in journey.touchpoints:
        kept = f"; the silence guard sends `{GUARD_TOUCHPOINT}` after {format_duration(guard_after(journey))}"
        finding = replace(finding, severity=Severity.WARNING, message=finding.message + kept)
    yield finding


def _unbounded_fix(journey: Journey, path: tuple[str, ...]) -> str:
    last = path[-1] if path else journey.start
    if journey.states[last].wait_limit is None:
        return f"give `{last}` a `wait_limit` and an `on_timeout` transition (see J203)"
    return "send a touch point on one of the moves in the loop, or lead the loop out to a person"


def silence_bound(journey: Journey, *, wait: Callable[[str], int] | None = None) -> SilenceBound:
    """The longest a customer can go without a message, over every route from ``start``.

    Time in a state is at most its wait limit; a transition with a touch point resets the silence;
    an end stops it; the clock starts when the case opens in ``start``. With ``S(v)`` the worst
    silence from entering ``v`` until the next message or the end::

        S(v) = wait(v) + max(0, max S(w) over silent moves v → w, w not an end)

    A state without a wait limit, or a loop of silent moves, makes it unbounded. ``wait`` gives a
    state's wait in calendar seconds when it isn't its limit (a business-time limit's longest span on
    the calendar); by default each wait is its limit.
    """
    if journey.start not in journey.states:
        return SilenceBound(None, (), f"the start state `{journey.start}` isn't defined (J101)")
    moves = graph.edges(journey)
    reached = graph.reachable(graph.successors(journey, moves), [journey.start])
    return _silence_bound(journey, moves, reached, wait)


def _silence_bound(
    journey: Journey, moves: list[graph.Edge], reached: list[str], wait_of: Callable[[str], int] | None = None
) -> SilenceBound:
    states = journey.states
    adjacency, entries = silent_graph(journey, moves, reached)
    if not adjacency:
        return SilenceBound(0, (), None)
    components = graph.strongly_connected(adjacency)
    looping = {n for c in components if len(c) > 1 or c[0] in adjacency[c[0]] for n in c}
    culprits = [n for n in adjacency if n in looping or states[n].wait_limit is None]
    if culprits:
        return _unbounded(journey, adjacency, entries, set(culprits), looping)
    worst: dict[str, int] = {}
    after: dict[str, str | None] = {}
    for component in components:  # sinks first, so every successor is already known
        (name,) = component
        best = max(adjacency[name], key=lambda w: worst[w], default=None)
        wait = wait_of(name) if wait_of is not None else states[name].wait_limit or 0
        worst[name] = wait + (worst[best] if best is not None else 0)
        after[name] = best
    entry = max(entries, key=lambda e: worst[e])  # the first of equals: start wins ties
    path = [entry]
    while (nxt := after[path[-1]]) is not None:
        path.append(nxt)
    return SilenceBound(worst[entry], tuple(path), None)


def silent_graph(
    journey: Journey, moves: list[graph.Edge], reached: list[str]
) -> tuple[dict[str, list[str]], list[str]]:
    """The silent moves between live states (reached, not an end), as adjacency, and where a silence
    begins: ``start`` (first), and every state a move with a touch point enters."""
    states = journey.states
    live = {name: None for name in reached if not states[name].terminal}
    silent: dict[str, dict[str, None]] = {name: {} for name in live}
    entries: dict[str, None] = {journey.start: None} if live else {}
    for move in moves:
        if move.source not in live or move.target not in live:
            continue
        if journey.transitions[move.transition].touchpoint is None:
            silent[move.source][move.target] = None
        else:
            entries[move.target] = None
    return {name: list(targets) for name, targets in silent.items()}, list(entries)


def _unbounded(
    journey: Journey, adjacency: dict[str, list[str]], entries: list[str], culprits: set[str], looping: set[str]
) -> SilenceBound:
    """Name the nearest culprit: a state without a wait limit, or a loop of silent moves."""
    order = graph.reachable(adjacency, entries)  # breadth-first from where silences begin
    culprit = next(n for n in order if n in culprits)
    path = graph.route(adjacency, entries, culprit) or [culprit]
    reached = f" (reached by {arrows(path)})" if len(path) > 1 else ""
    if journey.states[culprit].wait_limit is None:
        reason = f"`{culprit}` has no `wait_limit` (J203), so a case can wait there forever without a message"
        return SilenceBound(None, tuple(path), reason + reached)
    back = min(
        (r for r in (graph.route(adjacency, [w], culprit) for w in adjacency[culprit] if w in looping) if r),
        key=len,
    )
    reason = f"the moves {arrows([culprit, *back])} send no message and go round forever"
    return SilenceBound(None, (*path, *back), reason + reached)
