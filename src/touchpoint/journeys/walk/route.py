"""A route asked for by name: the events in order, each taken by whoever may, refused with where
and why when the engine would not take it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from touchpoint.journeys.engine import Advanced, advance, open_case
from touchpoint.journeys.graph import Edge
from touchpoint.journeys.model import Journey
from touchpoint.journeys.walk.plan import PlannedRoute, RouteError, replay_plan
from touchpoint.journeys.walk.values import intake_variants
from touchpoint.journeys.walk.who import Who, takers

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
    return replay_plan(journey, full, opened, chosen)


def _wanted(item: Wanted) -> tuple[str, Mapping[str, Any], str | None]:
    if isinstance(item, str):
        return item, {}, None
    if len(item) == 2:
        return item[0], item[1], None
    return item[0], item[1], item[2]
