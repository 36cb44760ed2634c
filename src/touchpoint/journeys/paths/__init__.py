"""Every customer path: the distinct routes a case can take from the start to an end.

Seed 000 asks to "map the end-to-end process and every possible route through it". A route is a
walk from ``start`` to a terminal state (one with an ``outcome``) along transitions whose target
exists, in which each state appears at most twice — so each loop is taken at most once. Guards are
not evaluated: every branch a file declares is a route a customer may take. A route's touch points
begin with the journey's ``start_touchpoint``, the message every case gets when it opens.

The count can explode (``mail-in-repair`` has millions of routes, and a long journey's routes are
thousands of moves each), so routes are found lazily and the listing stops at ``max_paths`` routes
or ``max_steps`` steps of work (a move tried or a move listed), saying so in a plain sentence
(``PathLayout.bound``) instead of hanging or filling the memory. A listing cut short opens with
routes chosen to take moves no earlier one takes (:func:`covering_routes`): a small set of them
takes every move, when ``max_paths`` leaves room for it. The text output is made line by line
(:func:`paths_lines`), a long route shortened to its ends.

The rooms: ``search`` (the covering routes and the depth-first search, within one budget of work),
``layout`` (:func:`enumerate_paths`, :class:`Route`, :class:`PathLayout`), ``listing`` (the text
table and the JSON) and ``mermaid``. This package's public surface is what it exports here.
"""

from __future__ import annotations

from touchpoint.journeys.paths.layout import PathLayout, Route, enumerate_paths, route_steps
from touchpoint.journeys.paths.listing import paths_json, paths_lines, paths_text
from touchpoint.journeys.paths.mermaid import mermaid_text, paths_mermaid, paths_mermaid_lines
from touchpoint.journeys.paths.search import MAX_VISITS, can_finish, covering_routes

__all__ = [
    "MAX_VISITS",
    "PathLayout",
    "Route",
    "can_finish",
    "covering_routes",
    "enumerate_paths",
    "mermaid_text",
    "paths_json",
    "paths_lines",
    "paths_mermaid",
    "paths_mermaid_lines",
    "paths_text",
    "route_steps",
]
