"""Owners, touch points and ends: J205-J208 (handoffs accepted in time, visible moves told,
exceptions owned by people, bad news told) and J210 (nothing leaves an end)."""

from __future__ import annotations

from collections.abc import Iterator

from touchpoint.journeys.checker.context import Context
from touchpoint.journeys.diagnostics import Diagnostic
from touchpoint.journeys.model import State, Transition


def _owner_name(state: State) -> str:
    return state.owner if state.team is None else f"team `{state.team}`"


def handoffs(ctx: Context) -> Iterator[Diagnostic]:
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


def _untold_failure(transition: Transition, ctx: Context) -> bool:
    target = ctx.states.get(transition.to)
    return (
        target is not None
        and target.outcome == "failure"
        and transition.touchpoint is None
        and bool(ctx.live_sources(transition))
    )


def untold_visible(ctx: Context) -> Iterator[Diagnostic]:
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


def exceptions(ctx: Context) -> Iterator[Diagnostic]:
    for name, state in ctx.states.items():
        if state.exception and state.team is None:
            yield ctx.finding(
                "J207",
                f"exception state `{name}` is owned by `{state.owner}`: something has gone wrong there, "
                "and only people can put it right",
                "set `owner: team:<name>` so a person owns it",
                ctx.loaded.state_field_at(name, "owner"),
            )


def untold_failures(ctx: Context) -> Iterator[Diagnostic]:
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


def exits_from_ends(ctx: Context) -> Iterator[Diagnostic]:
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
