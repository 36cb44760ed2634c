"""A data-aware path cover: routes from ``start`` to an end that together take every move, each one
a case could really take, with the values that make it so.

``journey paths`` lists routes without evaluating guards; a route it lists may need data no case
can have (a repaired device coming home unrepaired). The route walker needs routes it can *drive*:
for each step, who takes it (the customer, a team, the carrier, the timer, an integration), the
values they give (a quote total, a rating) and the intake values the case opened with, chosen so
that every guard on the way holds when its move is taken. :func:`walk_cover` plans them by
stepping the engine itself (:func:`~touchpoint.journeys.engine.open_case`, then
:func:`~touchpoint.journeys.engine.advance`), so a plan is exactly what the engine will do.

How: case data matters to routing only through the guards' atoms (``quote_total > 0``), so two
values that make every atom on a field agree are the same to the journey. The search runs over
(state, that agreement of every field guards read): a small finite graph, with candidate values
taken from the guards' constants and their neighbours, checked against each field's declaration.
A greedy walk then strings the moves together, nearest untaken move first, into few routes of
bounded length, each ending in an end state. A move no route can take is reported with the reason
(an undefined target, a state no case reaches, a guard no data reaching it satisfies, a move
another always takes first, no end after it), never silently dropped.

The rooms: ``values`` (candidate values and intakes), ``who`` (who may take a step), ``search``
(the graph the engine's steps make), ``cover`` (:func:`walk_cover`), ``route`` (:func:`walk_route`,
a route asked for by name) and ``plan`` (what a planned route holds, and :func:`replay`). This
package's public surface is what it exports here. Framework-free, like the rest of the package.
"""

from __future__ import annotations

from touchpoint.journeys.walk.cover import MAX_ROUTE_STEPS, walk_cover
from touchpoint.journeys.walk.plan import Cover, PlannedRoute, RouteError, Step, Uncovered, replay
from touchpoint.journeys.walk.route import Wanted, walk_route
from touchpoint.journeys.walk.values import candidates, guard_atoms, intake_fields, intake_variants, sample_value
from touchpoint.journeys.walk.who import Who, WhoKind, staff_actor_for, takers

__all__ = [
    "MAX_ROUTE_STEPS",
    "Cover",
    "PlannedRoute",
    "RouteError",
    "Step",
    "Uncovered",
    "Wanted",
    "Who",
    "WhoKind",
    "candidates",
    "guard_atoms",
    "intake_fields",
    "intake_variants",
    "replay",
    "sample_value",
    "staff_actor_for",
    "takers",
    "walk_cover",
    "walk_route",
]
