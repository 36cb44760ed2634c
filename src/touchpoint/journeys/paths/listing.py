"""The routes as a readable table, line by line (a long route shortened to its ends), and as
JSON-ready data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from touchpoint.journeys.durations import format_duration
from touchpoint.journeys.graph import graph_edges
from touchpoint.journeys.model import Journey
from touchpoint.journeys.paths.layout import PathLayout, route_steps


def _summary(journey: Journey, layout: PathLayout) -> str:
    outcomes = Counter(route.outcome for route in layout.routes)
    total = len(layout.routes)
    head = f"{journey.key}: {total:,} route{'s' if total != 1 else ''}"
    if total:
        head += f" ({outcomes['success']:,} success, {outcomes['failure']:,} failure)"
    return head


SHOWN_MOVES = 40  # a longer route is shown by its first and last moves, the count of the others between
SHOWN_TOUCHPOINTS = 20


def _shortened(parts: list[str], limit: int, what: str) -> list[str]:
    """``parts`` when there are at most ``limit`` of them; else the first and last ``limit // 2``
    with how many are left out between them, so one row stays readable however long the route."""
    if len(parts) <= limit:
        return parts
    half = limit // 2
    return [*parts[:half], f"… {len(parts) - 2 * half:,} more {what} …", *parts[-half:]]


def paths_text(journey: Journey, layout: PathLayout) -> str:
    """A readable table: number, outcome, worst-case duration, the states and the touch points."""
    return "".join(paths_lines(journey, layout))


def paths_lines(journey: Journey, layout: PathLayout) -> Iterator[str]:
    """:func:`paths_text` line by line (each ending in a newline), to be written as it comes. A
    route of more than :data:`SHOWN_MOVES` moves is shown shortened (JSON lists every move), so the
    text is at most a few lines per route listed."""
    yield _summary(journey, layout) + "\n"
    shortened = False
    if not layout.routes:
        yield f"no route leads from `{journey.start}` to an end state\n"
    else:
        header = ("#", "outcome", "worst case", ["route"], ["touch points"])
        rows = []
        for n, route in enumerate(layout.routes, 1):
            steps = route_steps(route)
            shortened = shortened or len(steps) - 1 > SHOWN_MOVES
            rows.append(
                (
                    str(n),
                    route.outcome,
                    "no limit" if route.worst_case_seconds is None else format_duration(route.worst_case_seconds),
                    [steps[0], *_shortened(steps[1:], SHOWN_MOVES, "moves")],
                    _shortened(list(route.touchpoints), SHOWN_TOUCHPOINTS, "messages") or ["(none)"],
                )
            )
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
        route_width = max(40, min(80, max(len(" ".join(row[3])) for row in [header, *rows])))
        for row in [header, *rows]:
            left = _wrap(row[3], route_width, " ")
            right = _wrap(row[4], 50, ", ")
            for k in range(max(len(left), len(right))):
                first = k == 0
                cells = [
                    row[0].rjust(widths[0]) if first else " " * widths[0],
                    row[1].ljust(widths[1]) if first else " " * widths[1],
                    row[2].ljust(widths[2]) if first else " " * widths[2],
                    (left[k] if k < len(left) else "").ljust(route_width),
                    right[k] if k < len(right) else "",
                ]
                yield "  ".join(cells).rstrip() + "\n"
    used = len(layout.edges_covered)
    total_edges = sum(len(edges) for edges in graph_edges(journey).values())
    yield f"moves used by some route: {used:,} of {total_edges:,}\n"
    if shortened:
        yield (
            f"routes of more than {SHOWN_MOVES} moves are shortened to their first and last {SHOWN_MOVES // 2} "
            "(--format json lists every move)\n"
        )
    if layout.bound:
        yield f"incomplete: {layout.bound}\n"


def _wrap(parts: list[str], width: int, joiner: str) -> list[str]:
    """Join ``parts`` into lines of about ``width``, breaking only between parts."""
    out: list[str] = []
    current = ""
    for part in parts:
        candidate = f"{current}{joiner}{part}" if current else part
        if current and len(candidate) > width:
            out.append(current + joiner.rstrip())
            current = "  " + part
        else:
            current = candidate
    out.append(current)
    return out


def paths_json(journey: Journey, layout: PathLayout) -> dict[str, Any]:
    """The layout as JSON-ready data."""
    edges = []
    for source, exits in graph_edges(journey).items():
        for edge in exits:
            transition = journey.transitions[edge.transition]
            edges.append(
                {
                    "from": source,
                    "to": transition.to,
                    "event": transition.on,
                    "transition": edge.transition,
                    "touchpoint": transition.touchpoint,
                    "routes": layout.edge_use.get(edge, 0),
                }
            )
    return {
        "journey": journey.key,
        "start_touchpoint": journey.start_touchpoint,
        "complete": layout.complete,
        "bound": layout.bound,
        "count": len(layout.routes),
        "covering": layout.covering,
        "routes": [{"number": n, **route.as_dict()} for n, route in enumerate(layout.routes, 1)],
        "edges": edges,
    }
