"""J230-J235: a carrier-owned state says what each of the carrier's canonical statuses does there
(``carrier:``), every status it names is canonical, every event it maps to is one the carrier may
trigger from that state, and its bad news reaches people. The watchdog every carrier-owned state
needs is J203's (its wait limit: the learnt watchdog in ``shipping`` warns earlier, this bounds it)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from touchpoint.journeys.carrier import CANONICAL_STATUSES, REQUIRED_STATUSES, STAY
from touchpoint.journeys.checker.context import Context
from touchpoint.journeys.checker.wording import and_words, suggest
from touchpoint.journeys.diagnostics import Diagnostic


def carrier_statuses(ctx: Context) -> Iterator[Diagnostic]:
    """J230: every key under `carrier:` is a canonical status."""
    for name, state in ctx.states.items():
        for status in state.carrier or {}:
            if status in CANONICAL_STATUSES:
                continue
            yield ctx.finding(
                "J230",
                f"state `{name}` maps `{status}`, which is not a canonical carrier status: "
                "the carrier's words are mapped to one of the ten before the journey hears them",
                suggest(status, list(CANONICAL_STATUSES), f"use one of: {', '.join(CANONICAL_STATUSES)}"),
                ctx.loaded.source.at(("states", name, "carrier", status), key=True),
            )


def carrier_misplaced(ctx: Context) -> Iterator[Diagnostic]:
    """J231: only a carrier-owned state hears the carrier."""
    for name, state in ctx.states.items():
        if state.carrier is None or state.owner_kind == "carrier":
            continue
        yield ctx.finding(
            "J231",
            f"state `{name}` is owned by `{state.owner}` but has a `carrier:` mapping: "
            "the carrier's scans move only a case the carrier owns",
            f"remove `carrier:` from `{name}`, or set `owner: carrier` if the parcel is in the post there",
            ctx.loaded.source.at(("states", name, "carrier"), key=True),
        )


def carrier_unmapped(ctx: Context) -> Iterator[Diagnostic]:
    """J232: a carrier-owned state says where delivered, exception, return_to_sender and expired go."""
    for name, state in ctx.states.items():
        if state.owner_kind != "carrier" or state.terminal:
            continue
        written = state.carrier or {}
        # a status misspelt under `carrier:` is J230's, with its "did you mean": not reported twice
        meant = {suggested for key in written if key not in CANONICAL_STATUSES for suggested in _close(key)}
        missing = [s for s in REQUIRED_STATUSES if s not in written and s not in meant]
        if missing:
            where = (
                ctx.loaded.source.at(("states", name, "carrier"), key=True)
                if state.carrier is not None
                else ctx.loaded.state_field_at(name, "owner")
            )
            shown = and_words([f"`{s}`" for s in missing])
            yield ctx.finding(
                "J232",
                f"carrier-owned state `{name}` doesn't say where {shown} "
                f"{'goes' if len(missing) == 1 else 'go'}: the carrier's news would be heard and nothing done",
                f"add under `{name}`: `carrier: {{ {', '.join(f'{s}: <event>' for s in missing)} }}` "
                "(an event a transition from it takes, with `carrier` in its `by`)",
                where,
            )
        for status in REQUIRED_STATUSES:
            if written.get(status) == STAY:
                yield ctx.finding(
                    "J232",
                    f"state `{name}` maps `{status}` to `stay`: a parcel {_meaning(status)} would leave the case "
                    "waiting for its watchdog",
                    f"map `{status}` to the event that handles it (e.g. the arrival, or the exception path)",
                    ctx.loaded.source.at(("states", name, "carrier", status)),
                )


def _close(status: str) -> list[str]:
    return difflib.get_close_matches(status, CANONICAL_STATUSES, n=1, cutoff=0.6)


def _meaning(status: str) -> str:
    return {
        "delivered": "the carrier has delivered",
        "exception": "the carrier reports in trouble",
        "return_to_sender": "going back to its sender",
        "expired": "the carrier has stopped tracking",
    }[status]


def carrier_events(ctx: Context) -> Iterator[Diagnostic]:
    """J233: a mapped event is one a transition takes from that state. J234: the carrier may trigger
    it (every transition from the state on it lists `carrier` in its `by`, so none refuses it)."""
    for name, state in ctx.states.items():
        if state.owner_kind != "carrier" or state.terminal:
            continue
        by_event: dict[str, list[str]] = {}
        for status, event in (state.carrier or {}).items():
            if event != STAY and status in CANONICAL_STATUSES:
                by_event.setdefault(event, []).append(status)
        for event, statuses in by_event.items():
            indexes = ctx.journey.index.get((name, event), [])
            mapped = and_words([f"`{s}`" for s in statuses])
            at = ctx.loaded.source.at(("states", name, "carrier", statuses[0]))
            if not indexes:
                yield ctx.finding(
                    "J233",
                    f"state `{name}` maps {mapped} to `{event}`, but no transition leaves `{name}` on `{event}`",
                    suggest(
                        event,
                        ctx.journey.events_from(name),
                        f"add a transition `from: {name}`, `on: {event}`, `by: carrier`, or map {mapped} "
                        "to an event that leaves it",
                    ),
                    at,
                )
                continue
            refusing = [i for i in indexes if "carrier" not in ctx.journey.transitions[i].by]
            if refusing:
                numbers = and_words([f"#{i + 1}" for i in refusing])
                yield ctx.finding(
                    "J234",
                    f"state `{name}` maps {mapped} to `{event}`, but transition {numbers} on `{event}` "
                    "doesn't let the carrier trigger it, so the carrier's news would be refused",
                    f"add `carrier` to the `by` of transition {numbers} (line "
                    f"{ctx.loaded.transition_at(refusing[0], 'by').line})",
                    at,
                )


BAD_NEWS: tuple[str, ...] = ("exception", "return_to_sender", "expired")


def carrier_bad_news(ctx: Context) -> Iterator[Diagnostic]:
    """J235: the carrier's bad news (a problem, sent back, no longer tracked) goes to people: it isn't
    mapped to the event the delivery fires (a parcel in trouble would count as arrived), and every
    move it makes from the state ends where a team owns the case (else nobody traces the parcel)."""
    for name, state in ctx.states.items():
        if state.owner_kind != "carrier" or state.terminal:
            continue
        written = state.carrier or {}
        arrival = written.get("delivered")
        by_event: dict[str, list[str]] = {}
        for status in BAD_NEWS:
            event = written.get(status)
            if event is not None and event != STAY:
                by_event.setdefault(event, []).append(status)
        for event, statuses in by_event.items():
            mapped = and_words([f"`{s}`" for s in statuses])
            at = ctx.loaded.source.at(("states", name, "carrier", statuses[0]))
            if event == arrival:
                yield ctx.finding(
                    "J235",
                    f"state `{name}` maps {mapped} to `{event}`, the event its delivery fires: "
                    "a parcel the carrier reports in trouble would count as arrived",
                    f"map {mapped} to the move that has a person trace the parcel",
                    at,
                )
                continue
            unattended = sorted(
                {
                    target
                    for i in ctx.journey.index.get((name, event), [])
                    if (target := ctx.journey.transitions[i].to) in ctx.states
                    and ctx.states[target].owner_kind != "team"
                }
            )
            if unattended:
                where = and_words([f"`{t}` (owned by `{ctx.states[t].owner}`)" for t in unattended])
                yield ctx.finding(
                    "J235",
                    f"state `{name}` maps {mapped} to `{event}`, which leads to {where}: nobody would trace the parcel",
                    f"send `{event}` to a state a team owns (e.g. `owner: team:shipping`, `exception: true`)",
                    at,
                )
