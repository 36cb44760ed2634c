"""`check` plus `paths` on a generated 200-state, 600-transition journey (issue 2).

    python bench/bench_journeys.py

Loads the journey from YAML text, runs the checker and the path layout, and prints the graph's
size and the best of 5 timings of each step beside the target: under 1 s for check plus paths on
this machine. Printed, not asserted.
"""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "src")]  # runs from a bare checkout too

from journey_gen import generate_journey  # noqa: E402

from touchpoint.journeys.graph import graph_edges  # noqa: E402
from touchpoint.journeys.loader import parse_journey  # noqa: E402
from touchpoint.journeys.paths import enumerate_paths  # noqa: E402

TARGET_SECONDS = 1.0
REPEAT = 5


def best_of(step: Callable[[], Any]) -> tuple[float, Any]:
    """The fastest of ``REPEAT`` runs, and the step's result."""
    best, result = float("inf"), None
    for _ in range(REPEAT):
        started = time.perf_counter()
        result = step()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> int:
    text = generate_journey(states=200, transitions=600)
    parse_s, loaded = best_of(lambda: parse_journey(text, "generated-large.yaml"))
    journey = loaded.journey
    terminals = sum(state.terminal for state in journey.states.values())
    print(
        f"journey: {journey.key}: {len(journey.states)} states ({terminals} end states), "
        f"{len(journey.transitions)} transitions, {len(text):,} bytes of YAML"
    )
    print(f"  {'step':<8}{'best of 5':>12}   result")
    print(f"  {'parse':<8}{parse_s * 1000:>9.1f} ms   loaded")

    try:
        checker = importlib.import_module("touchpoint.journeys.checker")
    except ModuleNotFoundError:
        check_s = None
        print(f"  {'check':<8}{'—':>12}   the checker (touchpoint.journeys.checker) isn't there yet")
    else:
        check_s, findings = best_of(lambda: checker.check(loaded))
        print(f"  {'check':<8}{check_s * 1000:>9.1f} ms   {len(findings)} findings")

    paths_s, layout = best_of(lambda: enumerate_paths(journey))
    moves = sum(len(route.transitions) for route in layout.routes)
    edges = sum(len(exits) for exits in graph_edges(journey).values())
    taken = f"{len(layout.edges_covered)} of {edges} distinct moves taken"
    if layout.covering and len(layout.edges_covered) == edges:
        taken += f", all of them by the first {layout.covering} routes"
    print(f"  {'paths':<8}{paths_s * 1000:>9.1f} ms   {len(layout.routes):,} routes ({moves:,} moves; {taken})")
    print(f"  {'':<8}{'':>12}   {layout.bound or 'complete'}")

    total = (check_s or 0.0) + paths_s
    what = "check + paths" if check_s is not None else "paths only (no checker yet)"
    verdict = "within" if total < TARGET_SECONDS else "OVER"
    print(f"  {'total':<8}{total * 1000:>9.1f} ms   {what}; target under {TARGET_SECONDS:g} s: {verdict} target")
    print(f"  (with parsing: {(total + parse_s) * 1000:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
