"""The product's acceptance test: every route of the walker's path cover, walked for real.

For each shipped journey, ``touchpoint.journeys.walk.walk_cover`` plans few routes that together
take every transition, each with the values that make its guards hold; each route here is driven
through the product's own surfaces only (see ``walker.py`` and ``drivers.py``, and
docs/acceptance.md for how to read a failure)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.acceptance.walker import RouteWalker
from tests.support.report import report
from touchpoint.journeys.library import library_file
from touchpoint.journeys.loader import load_journey
from touchpoint.journeys.walk import PlannedRoute, walk_cover

JOURNEYS = ["mail-in-repair", "walk-in-warranty", "order-problem"]


def _routes() -> list[Any]:
    out = []
    for name in JOURNEYS:
        path = library_file(name)
        assert path is not None
        cover = walk_cover(load_journey(path).journey)
        for number, route in enumerate(cover.routes, 1):
            out.append(pytest.param(route, number, id=f"{name}-{number:02d}-{route.terminal}"))
    return out


ROUTES = _routes()


@pytest.mark.parametrize(("route", "number"), ROUTES)
def test_route(route: PlannedRoute, number: int, world: Any) -> None:
    shop, edge = world
    started, cpu = time.perf_counter(), time.process_time()
    walker = RouteWalker(route=route, number=number, shop=shop, edge=edge)
    try:
        walker.walk()
    finally:
        checked = ", ".join(f"{n} {what}" for what, n in sorted(walker.counts.items()))
        report(
            f"walked {route.journey} route {number} ({len(route.steps)} steps): "
            f"{time.perf_counter() - started:.1f}s, {time.process_time() - cpu:.1f}s CPU; checked {checked}"
        )


@pytest.mark.parametrize("name", JOURNEYS)
def test_the_routes_walked_take_every_transition(name: str) -> None:
    # The routes above are the cover of each journey: together they take every transition, or the
    # one no route can take is named here with why (the walker never skips a move silently).
    path = library_file(name)
    assert path is not None
    journey = load_journey(path).journey
    cover = walk_cover(journey)
    assert [u.describe() for u in cover.uncovered] == []
    assert cover.transitions_covered == frozenset(range(len(journey.transitions)))
    report(f"route walker plan: {cover.summary()}")
