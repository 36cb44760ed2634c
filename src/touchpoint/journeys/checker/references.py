"""J101-J104: every name a journey refers to (states, events, touch points) is one it defines."""

from __future__ import annotations

from collections.abc import Iterator

from touchpoint.journeys.checker.context import Context
from touchpoint.journeys.checker.wording import listing, suggest
from touchpoint.journeys.diagnostics import Diagnostic


def unknown_states(ctx: Context) -> Iterator[Diagnostic]:
    known = list(ctx.states)
    otherwise = f"add it under `states:`, or use one of {listing(known)}"
    start = ctx.journey.start
    if start not in ctx.states:
        yield ctx.finding(
            "J101",
            f"unknown state `{start}`: `start` names a state that isn't under `states:`",
            suggest(start, known, otherwise),
            ctx.loaded.source.at(("start",)),
        )
    for i, transition in enumerate(ctx.journey.transitions):
        for k, source in enumerate(transition.from_):
            if source not in ctx.states:
                yield ctx.finding(
                    "J101",
                    f"unknown state `{source}`: transition #{i + 1} leaves from a state that isn't under `states:`",
                    suggest(source, known, otherwise),
                    ctx.from_at(i, k),
                )
        if transition.to not in ctx.states:
            yield ctx.finding(
                "J101",
                f"unknown state `{transition.to}`: transition #{i + 1} goes to a state that isn't under `states:`",
                suggest(transition.to, known, otherwise),
                ctx.loaded.transition_at(i, "to"),
            )


def unknown_events(ctx: Context) -> Iterator[Diagnostic]:
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
            suggest(
                event,
                ctx.journey.events_from(name),
                f"add a transition `from: {name}`, `on: {event}` (often to a state a person owns)",
            ),
            ctx.loaded.state_field_at(name, "on_timeout"),
        )


def touchpoint_references(ctx: Context) -> Iterator[Diagnostic]:
    declared = ctx.journey.touchpoints
    sent: set[str] = set()
    opening = ctx.journey.start_touchpoint
    if opening is not None:
        sent.add(opening)
        if opening not in declared:
            yield ctx.finding(
                "J103",
                f"unknown touch point `{opening}`: `start_touchpoint` names a message that isn't under `touchpoints:`",
                suggest(
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
                suggest(key, list(declared), f"declare it under `touchpoints:` as `{key}: <what the message says>`"),
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
