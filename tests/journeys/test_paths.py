"""Every customer path: exact routes on hand-made journeys, the stated bound, and properties on
generated graphs checked against a brute-force oracle."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections import deque
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from tests.journeys.conftest import long_journey
from tests.journeys.strategies import journeys

from touchpoint.journeys.graph import Edge, graph_edges
from touchpoint.journeys.library import library_file
from touchpoint.journeys.loader import load_journey, parse_journey
from touchpoint.journeys.model import Journey
from touchpoint.journeys.paths import enumerate_paths, paths_json, paths_mermaid, paths_text

DIAMOND = """
name: diamond
version: 1
max_silence: 1d
start: a
touchpoints: {hello: Hello, done: Done, sorry: Sorry, retry: Try again}
states:
  a: {owner: customer, label: Start here, wait_limit: 1h, on_timeout: alt}
  b: {owner: team:ops, label: Left, wait_limit: 2h, on_timeout: fail}
  c: {owner: system, label: Right, wait_limit: 3h, on_timeout: go}
  d: {owner: system, label: Done, outcome: success}
  e: {owner: system, label: Failed, outcome: failure}
transitions:
  - {from: a, on: go, to: b, by: customer, touchpoint: hello}
  - {from: a, on: alt, to: c, by: system, silent: nothing to say yet}
  - {from: b, on: go, to: d, by: staff, touchpoint: done}
  - {from: c, on: go, to: d, by: system, touchpoint: done}
  - {from: b, on: fail, to: e, by: staff, touchpoint: sorry}
  - {from: c, on: back, to: a, by: system, touchpoint: retry}
"""


def load(text: str) -> Journey:
    return parse_journey(text, "test.yaml").journey


def test_diamond_with_a_loop_has_exactly_these_routes() -> None:
    # given a diamond a→{b,c}→d, a failure exit from b, and a loop c→a
    journey = load(DIAMOND)
    # when its paths are laid out
    layout = enumerate_paths(journey)
    # then every route is there, the loop taken at most once, successes first, in file order
    assert layout.complete is True
    assert layout.bound is None
    assert [(r.states, r.transitions) for r in layout.routes] == [
        (("a", "b", "d"), (0, 2)),
        (("a", "c", "d"), (1, 3)),
        (("a", "c", "a", "b", "d"), (1, 5, 0, 2)),
        (("a", "c", "a", "c", "d"), (1, 5, 1, 3)),
        (("a", "b", "e"), (0, 4)),
        (("a", "c", "a", "b", "e"), (1, 5, 0, 4)),
    ]
    assert [r.touchpoints for r in layout.routes] == [
        ("hello", "done"),
        ("done",),
        ("retry", "hello", "done"),
        ("retry", "done"),
        ("hello", "sorry"),
        ("retry", "hello", "sorry"),
    ]
    assert [r.worst_case_seconds for r in layout.routes] == [10800, 14400, 25200, 28800, 10800, 25200]
    assert [r.outcome for r in layout.routes] == ["success"] * 4 + ["failure"] * 2
    assert [r.terminal for r in layout.routes] == ["d", "d", "d", "d", "e", "e"]
    assert layout.routes[2].events == ("alt", "back", "go", "go")


def test_the_opening_touchpoint_is_the_first_of_every_route() -> None:
    # given the diamond opening with `hello`
    journey = load(DIAMOND.replace("start: a\n", "start: a\nstart_touchpoint: hello\n"))
    # when laid out
    layout = enumerate_paths(journey)
    # then every route's touch points begin with it, then the moves' own, in order
    assert [r.touchpoints for r in layout.routes] == [
        ("hello", "hello", "done"),
        ("hello", "done"),
        ("hello", "retry", "hello", "done"),
        ("hello", "retry", "done"),
        ("hello", "hello", "sorry"),
        ("hello", "retry", "hello", "sorry"),
    ]
    assert paths_json(journey, layout)["start_touchpoint"] == "hello"
    assert paths_json(journey, layout)["routes"][1]["touchpoints"] == ["hello", "done"]
    assert paths_text(journey, layout).splitlines()[3] == (
        "2  success  4h          a ─alt→ c ─go→ d                          hello, done"
    )
    assert 's0["Start here<br/><small>a</small><br/>opens with ✉ hello"]' in paths_mermaid(journey, layout)


def test_a_journey_that_opens_at_its_end_still_says_hello() -> None:
    journey = load(
        "name: x\nversion: 1\nmax_silence: 1d\nstart: d\nstart_touchpoint: hi\ntouchpoints: {hi: Hi}\n"
        "states:\n  d: {owner: system, label: D, outcome: success}\n"
    )
    assert [r.touchpoints for r in enumerate_paths(journey).routes] == [("hi",)]


def test_edge_use_counts_routes_per_move() -> None:
    # given the diamond
    layout = enumerate_paths(load(DIAMOND))
    # then each move is counted once per route that takes it
    assert layout.edge_use == {
        Edge("a", 0, "b"): 4,
        Edge("a", 1, "c"): 4,
        Edge("b", 2, "d"): 2,
        Edge("c", 3, "d"): 2,
        Edge("b", 4, "e"): 2,
        Edge("c", 5, "a"): 3,
    }
    assert layout.edges_covered == frozenset(layout.edge_use)


def test_a_state_without_wait_limit_makes_the_worst_case_unknown() -> None:
    # given the diamond where c has no wait limit
    journey = load(DIAMOND.replace("label: Right, wait_limit: 3h, on_timeout: go", "label: Right"))
    # when laid out
    worst = {r.transitions: r.worst_case_seconds for r in enumerate_paths(journey).routes}
    # then routes through c have no bound, the others keep theirs
    assert worst == {(0, 2): 10800, (1, 3): None, (1, 5, 0, 2): None, (1, 5, 1, 3): None, (0, 4): 10800,
                     (1, 5, 0, 4): None}  # fmt: skip


def test_transitions_to_undefined_states_and_traps_are_not_routes() -> None:
    # given a journey with a move to a state that doesn't exist and a trap (t never ends)
    journey = load(
        """
name: broken
version: 1
max_silence: 1d
start: a
states:
  a: {owner: customer, label: A, wait_limit: 1h, on_timeout: go}
  t: {owner: customer, label: Trap}
  d: {owner: system, label: D, outcome: success}
transitions:
  - {from: a, on: go, to: d, by: customer, silent: x}
  - {from: a, on: lost, to: nowhere, by: customer, silent: x}
  - {from: a, on: stuck, to: t, by: customer, silent: x}
  - {from: t, on: loop, to: t, by: customer, silent: x}
"""
    )
    # when laid out
    layout = enumerate_paths(journey)
    # then only the real route remains, and the search never wandered into the trap: the work is
    # the route's one move listed as a covering route, then tried and listed again by the search
    assert [r.states for r in layout.routes] == [("a", "d")]
    assert layout.complete
    assert layout.steps == 3


def test_start_that_is_terminal_is_one_empty_route() -> None:
    journey = load(
        "name: x\nversion: 1\nmax_silence: 1d\nstart: d\nstates:\n  d: {owner: system, label: D, outcome: failure}\n"
    )
    layout = enumerate_paths(journey)
    assert [(r.states, r.transitions, r.worst_case_seconds, r.outcome) for r in layout.routes] == [
        (("d",), (), 0, "failure")
    ]


def test_no_route_when_start_cannot_finish() -> None:
    journey = load(
        "name: x\nversion: 1\nmax_silence: 1d\nstart: a\nstates:\n  a: {owner: system, label: A}\n"
        "  d: {owner: system, label: D, outcome: success}\n"
    )
    layout = enumerate_paths(journey)
    assert layout.routes == ()
    assert layout.complete
    assert "no route leads from `a` to an end state" in paths_text(journey, layout)


def dense(states: int) -> Journey:
    """Every state can move to every other: the number of routes explodes."""
    names = [f"s{i}" for i in range(states)]
    lines = [
        "name: dense",
        "version: 1",
        "max_silence: 1d",
        "start: s0",
        "states:",
        *(f"  {n}: {{owner: customer, label: {n}, wait_limit: 1h, on_timeout: to_{n}}}" for n in names),
        "  end: {owner: system, label: End, outcome: success}",
        "transitions:",
        *(f"  - {{from: {a}, on: to_{b}, to: {b}, by: customer, silent: x}}" for a in names for b in names if a != b),
        *(f"  - {{from: {a}, on: finish, to: end, by: customer, touchpoint: bye}}" for a in names),
    ]
    return load("\n".join(lines))


def test_dense_graph_stops_at_max_paths_and_says_so_quickly() -> None:
    # given a complete graph on 12 states (billions of routes)
    journey = dense(12)
    # when laid out with the default bounds
    started = time.perf_counter()
    layout = enumerate_paths(journey)
    elapsed = time.perf_counter() - started
    # then it lists 5,000 routes, every one of the 144 moves among them, says so in a sentence,
    # and doesn't take long
    assert len(layout.routes) == 5000
    assert layout.complete is False
    assert layout.covering == 121  # s0 → si → sj → end for each of the 11 × 11 moves si → sj
    assert len(layout.edges_covered) == 144 == sum(len(exits) for exits in graph_edges(journey).values())
    assert layout.bound == (
        "showing 5,000 routes of more than 5,000; stopped at --max-paths 5,000 (the first 121 take every move "
        "between them, then the others in file order); raise --max-paths to see more"
    )
    assert elapsed < 2.0
    assert paths_text(journey, layout).endswith(
        "moves used by some route: 144 of 144\n"
        "incomplete: showing 5,000 routes of more than 5,000; stopped at --max-paths 5,000 (the first 121 take "
        "every move between them, then the others in file order); raise --max-paths to see more\n"
    )
    assert paths_json(journey, layout)["bound"] == layout.bound
    assert paths_json(journey, layout)["covering"] == 121


def test_step_bound_is_stated_too() -> None:
    # given a layout allowed only 1,000 steps of work (the 121 covering routes cost 363 of them)
    layout = enumerate_paths(dense(12), max_paths=10**9, max_steps=1000)
    # then the covering routes come first, then the 15 the search found with the rest, and the sentence says so
    assert layout.complete is False
    assert layout.steps == 1000
    assert (layout.covering, len(layout.routes), len(layout.edges_covered)) == (121, 136, 144)
    assert layout.bound == (
        "showing 136 routes, all found in 1,000 steps of work; stopped at --max-steps 1,000 (the first 121 take "
        "every move between them, then the others in file order); raise --max-steps to search further"
    )


def test_exactly_max_paths_routes_is_complete() -> None:
    # given a journey with exactly 6 routes, and max_paths 6
    layout = enumerate_paths(load(DIAMOND), max_paths=6)
    # then nothing is missing, so nothing is stated, and no covering set is needed
    assert (len(layout.routes), layout.complete, layout.bound, layout.covering) == (6, True, None, 0)


def test_a_cut_short_listing_opens_with_routes_that_take_every_move() -> None:
    # given the diamond (6 routes, 6 moves) listed with room for only 5
    layout = enumerate_paths(load(DIAMOND), max_paths=5)
    # then 3 shortest routes, one through each move not yet taken, come first (successes first),
    # then the depth-first routes not among them fill up to 5
    assert [r.transitions for r in layout.routes] == [(1, 3), (1, 5, 0, 2), (0, 4), (0, 2), (1, 5, 0, 4)]
    assert layout.covering == 3
    assert {e for r in layout.routes[:3] for e in r.edges} == layout.edges_covered == oracle_edges(load(DIAMOND))
    assert layout.bound == (
        "showing 5 routes of more than 5; stopped at --max-paths 5 (the first 3 take every move between them, "
        "then the others in file order); raise --max-paths to see more"
    )


@pytest.mark.parametrize(
    ("max_paths", "routes", "moves", "bound"),
    [
        (1, [(1, 5, 0, 2)], 4,
         "showing 1 route of more than 1; stopped at --max-paths 1 (it was chosen to take a move no earlier one "
         "takes, but not every move is shown); raise --max-paths to see more"),
        (3, [(1, 3), (1, 5, 0, 2), (0, 4)], 6,
         "showing 3 routes of more than 3; stopped at --max-paths 3 (the first 3 take every move between them); "
         "raise --max-paths to see more"),
    ],
)  # fmt: skip
def test_the_listing_stops_at_max_paths_even_before_every_move_is_shown(
    max_paths: int, routes: list[tuple[int, ...]], moves: int, bound: str
) -> None:
    # given room for fewer routes than it takes to show every move, or exactly as many
    layout = enumerate_paths(load(DIAMOND), max_paths=max_paths)
    # then no more than max_paths routes are listed, the longest covering ones first, and the
    # sentence says whether every move is among them ("moves used by some route" says how many)
    assert [r.transitions for r in layout.routes] == routes
    assert len(layout.edges_covered) == moves
    assert layout.bound == bound


def test_the_shipped_journeys_show_every_move_at_the_default_bound() -> None:
    # given mail-in-repair (millions of routes) and order-problem (over a million), laid out as the CLI does
    for name, covering in (("mail-in-repair", 66), ("order-problem", 24)):
        journey = load_journey(library_file(name) or Path()).journey
        layout = enumerate_paths(journey)
        # then 5,000 routes are listed, the first few of them taking every move of the journey
        edges = {e for exits in graph_edges(journey).values() for e in exits}
        assert (len(layout.routes), layout.covering) == (5000, covering), name
        assert {e for r in layout.routes[:covering] for e in r.edges} == edges == layout.edges_covered, name
        assert len({r.transitions for r in layout.routes}) == 5000, name
        # and they don't all start the same way
        assert len({r.events[:2] for r in layout.routes[:covering]}) > 1, name


# The peak is this address space's high-water mark (VmHWM, in KiB), not ru_maxrss: Linux keeps
# ru_maxrss across exec, so a child of a big test process would report its parent's size.
_PEAK = (
    "import re, sys\n"
    "from touchpoint.journeys.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "hwm = re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read()).group(1)\n"
    "sys.stderr.write(f'peak {hwm}\\n')\n"
    "sys.exit(code)\n"
)


def test_paths_of_a_journey_of_5000_states_keeps_to_max_paths_in_output_and_memory(tmp_path: Path) -> None:
    # given a valid journey of 5,000 states (it loads, and it is clean) with routes thousands of moves long
    path = tmp_path / "long.yaml"
    path.write_text(long_journey(5000), encoding="utf-8")
    # when `touchpoint journey paths long.yaml --max-paths 10` runs, in a process of its own that
    # reports its peak memory (VmHWM, in KiB)
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, "paths", str(path), "--max-paths", "10"],
        capture_output=True,
        check=False,
    )
    # then it lists 10 routes, each shortened to a few lines, and says why it stopped
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    assert out.startswith("long@1: 10 routes (")
    assert len(done.stdout) < 100_000
    assert out.endswith(
        "incomplete: showing 10 routes of more than 10; stopped at --max-paths 10 (the first 10 were chosen to "
        "take a move no earlier one takes, but not every move is shown); raise --max-paths to see more\n"
    )
    assert "routes of more than 40 moves are shortened to their first and last 20" in out
    # and its memory stays far below what listing every move took (1.6 GB before)
    peak = re.search(rb"peak (\d+)", done.stderr)
    assert peak is not None, done.stderr
    assert int(peak.group(1)) < 300 * 1024


def test_the_default_bound_on_work_keeps_a_layout_small_however_long_the_routes() -> None:
    # given a journey of 2,000 states whose routes are about 1,000 to 2,000 moves long
    journey = load(long_journey(2000))
    # when laid out with the default bounds (5,000 routes, 200,000 steps of work)
    layout = enumerate_paths(journey)
    # then the moves listed stay within the work allowed (and one route more), and so does the text
    listed = sum(len(r.transitions) for r in layout.routes)
    assert listed <= 200_000 + 2 * len(journey.states)
    assert layout.steps <= 200_000 + 2 * len(journey.states)
    assert layout.bound is not None and "stopped at --max-steps 200,000" in layout.bound
    assert len(paths_text(journey, layout).encode()) < 200_000


def test_paths_text_is_a_table() -> None:
    journey = load(DIAMOND)
    text = paths_text(journey, enumerate_paths(journey))
    assert text.splitlines()[:4] == [
        "diamond@1: 6 routes (4 success, 2 failure)",
        "#  outcome  worst case  route                                     touch points",
        "1  success  3h          a ─go→ b ─go→ d                           hello, done",
        "2  success  4h          a ─alt→ c ─go→ d                          done",
    ]
    assert text.splitlines()[-1] == "moves used by some route: 6 of 6"


def test_paths_json_round_trips() -> None:
    journey = load(DIAMOND)
    data = paths_json(journey, enumerate_paths(journey))
    assert json.loads(json.dumps(data)) == data
    assert data["count"] == 6
    assert data["routes"][0] == {
        "number": 1,
        "outcome": "success",
        "terminal": "d",
        "worst_case_seconds": 10800,
        "worst_case": "3h",
        "states": ["a", "b", "d"],
        "events": ["go", "go"],
        "transitions": [0, 2],
        "touchpoints": ["hello", "done"],
    }
    assert data["edges"][0] == {
        "from": "a",
        "to": "b",
        "event": "go",
        "transition": 0,
        "touchpoint": "hello",
        "routes": 4,
    }


MERMAID_NODE = re.compile(r'^    s\d+(\["[^"#]*"\]|\(\["[^"#]*"\]\))$')
MERMAID_EDGE = re.compile(r'^    s\d+ (-->|-\.->)\|"[^"#]*"\| s\d+$')
MERMAID_OTHER = re.compile(r"^    (linkStyle \d+ stroke-width:\d+px|classDef \w+ [\w#:,-]+|class s\d+(,s\d+)* \w+)$")


def mermaid_problems(text: str) -> list[str]:
    lines = text.splitlines()
    problems = [] if lines[0] == "flowchart LR" else ["first line"]
    edges = 0
    for line in lines[1:]:
        if MERMAID_EDGE.match(line):
            edges += 1
        elif not (MERMAID_NODE.match(line) or MERMAID_OTHER.match(line)):
            problems.append(line)
    for index in re.findall(r"linkStyle (\d+)", text):
        if int(index) >= edges:
            problems.append(f"linkStyle {index} of {edges} edges")
    return problems


def test_mermaid_is_well_formed_and_escapes_labels() -> None:
    # given a journey whose labels hold quotes, brackets and pipes, and a state named `end`
    journey = load(DIAMOND.replace("label: Start here", "label: 'Say \"hi\" <now> | [x] & #1;'").replace(" d", " end"))
    # when drawn as Mermaid
    text = paths_mermaid(journey, enumerate_paths(journey))
    # then every line has a known shape, and the awkward characters are HTML entities
    assert mermaid_problems(text) == []
    assert 's0["Say &quot;hi&quot; &lt;now&gt; | [x] &amp; &num;1;<br/><small>a</small>"]' in text
    assert '    s0 -->|"go<br/>✉ hello<br/>4 routes"| s1' in text
    assert "    s3([" in text  # `end` gets an id, never the keyword
    assert "    class s3 success" in text
    assert "    class s0 entry" in text


def test_unused_edges_are_dotted_in_mermaid() -> None:
    journey = load(DIAMOND + "  - {from: e, on: reopen, to: a, by: staff, silent: x}\n")
    text = paths_mermaid(journey, enumerate_paths(journey))
    assert '    s4 -.->|"reopen<br/>0 routes"| s0' in text
    assert mermaid_problems(text) == []


# --- properties on generated graphs -----------------------------------------------------------


def oracle_edges(journey: Journey) -> set[Edge]:
    """Edges out of a non-terminal state reachable from start (through non-terminals) whose target
    can reach a terminal — by plain breadth-first search, independent of ``paths``."""
    outs: dict[str, list[Edge]] = {name: [] for name in journey.states}
    for i, t in enumerate(journey.transitions):
        for source in t.from_:
            if source in outs and t.to in journey.states and Edge(source, i, t.to) not in outs[source]:
                outs[source].append(Edge(source, i, t.to))
    ends = {n for n, s in journey.states.items() if s.terminal}

    def finishes(name: str) -> bool:
        seen, queue = {name}, deque([name])
        while queue:
            here = queue.popleft()
            if here in ends:
                return True
            for e in outs[here]:
                there = journey.transitions[e.transition].to
                if there not in seen:
                    seen.add(there)
                    queue.append(there)
        return False

    reached: set[str] = set()
    if journey.start in journey.states and journey.start not in ends:
        reached, queue = {journey.start}, deque([journey.start])
        while queue:
            here = queue.popleft()
            for e in outs[here]:
                there = journey.transitions[e.transition].to
                if there not in reached and there not in ends:
                    reached.add(there)
                    queue.append(there)
    return {e for name in reached for e in outs[name] if finishes(journey.transitions[e.transition].to)}


def brute_force_routes(journey: Journey, limit: int = 20000) -> set[tuple[int, ...]] | None:
    """Every walk start→terminal with each state at most twice, by unpruned recursion (None if too many)."""
    found: set[tuple[int, ...]] = set()
    budget = [limit]

    def walk(path: list[str], moves: list[int]) -> None:
        budget[0] -= 1
        if budget[0] < 0:
            return
        here = path[-1]
        if journey.states[here].terminal:
            found.add(tuple(moves))
            return
        for i, t in enumerate(journey.transitions):
            if here in t.from_ and t.to in journey.states and path.count(t.to) < 2:
                walk([*path, t.to], [*moves, i])

    if journey.start in journey.states:
        walk([journey.start], [])
    return found if budget[0] >= 0 else None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journeys())
def test_complete_layout_covers_exactly_the_live_reachable_edges(journey: Journey) -> None:
    layout = enumerate_paths(journey)
    assert layout.edges_covered == oracle_edges(journey)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journeys(max_states=8, max_transitions=20), st.integers(1, 5), st.sampled_from([None, 1, 10, 50]))
def test_a_cut_short_layout_keeps_to_its_bounds_and_leads_with_new_moves(
    journey: Journey, max_paths: int, max_steps: int | None
) -> None:
    # given room for only 1-5 routes, and maybe only a few steps of work
    layout = enumerate_paths(journey, max_paths=max_paths, max_steps=max_steps or 200_000)
    expected = oracle_edges(journey)
    # then the routes are distinct real routes, never more than max_paths of them, and the work
    # stays within max_steps but for the one route being listed when it ran out
    assert len({r.transitions for r in layout.routes}) == len(layout.routes)
    assert len(layout.routes) <= max_paths
    assert layout.steps <= (max_steps or 200_000) + 2 * len(journey.states) + 1
    assert layout.edges_covered <= expected
    assert layout.complete == (layout.covering == 0) == (layout.bound is None)
    if layout.complete:
        assert layout.edges_covered == expected
        return
    # and the covering routes, listed first, were each chosen for a move no route chosen before it
    # takes: so there are no more of them than the moves they take between them
    seen = {e for r in layout.routes[: layout.covering] for e in r.edges}
    assert layout.covering <= len(seen)
    # and the sentence says whether they take every move, truly
    assert layout.bound is not None
    assert (" every move between them" in layout.bound) == (seen == expected)
    if max_steps is None:
        assert len(layout.routes) == max_paths  # there were more than max_paths: room is filled
        assert "--max-paths" in layout.bound
    expected_routes = brute_force_routes(journey)
    if expected_routes is not None:
        assert {r.transitions for r in layout.routes} <= expected_routes


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journeys(max_states=5, max_transitions=9))
def test_routes_agree_with_brute_force(journey: Journey) -> None:
    expected = brute_force_routes(journey)
    assume(expected is not None)
    layout = enumerate_paths(journey, max_paths=100_000, max_steps=10**7)
    assert layout.complete
    assert {r.transitions for r in layout.routes} == expected


@settings(max_examples=200, deadline=None)
@given(journeys())
def test_every_route_is_a_real_walk(journey: Journey) -> None:
    layout = enumerate_paths(journey, max_paths=300)
    for route in layout.routes:
        assert route.states[0] == journey.start
        assert journey.states[route.terminal].outcome == route.outcome
        assert all(not journey.states[s].terminal for s in route.states[:-1])
        assert all(route.states.count(s) <= 2 for s in route.states)
        for (source, target), index in zip(zip(route.states, route.states[1:], strict=False), route.transitions,
                                           strict=True):  # fmt: skip
            transition = journey.transitions[index]
            assert source in transition.from_ and transition.to == target
        opening = (journey.start_touchpoint,) if journey.start_touchpoint else ()
        told = tuple(t for i in route.transitions if (t := journey.transitions[i].touchpoint) is not None)
        assert route.touchpoints == opening + told
        limits = [journey.states[s].wait_limit for s in route.states[:-1]]
        assert route.worst_case_seconds == (None if None in limits else sum(x or 0 for x in limits))
    assert len({r.transitions for r in layout.routes}) == len(layout.routes)
    assert mermaid_problems(paths_mermaid(journey, layout)) == []
    assert sum(len(v) for v in graph_edges(journey).values()) == len(paths_json(journey, layout)["edges"])
