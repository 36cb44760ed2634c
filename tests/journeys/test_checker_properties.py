"""Property tests: the checker against brute-force oracles written here, independently of it.

Journeys are random small graphs (1 to 12 states, random owners, ends, wait limits, transitions,
some naming states that don't exist, some with a guard that can never hold). The oracles are plain
depth-first searches over the data as written, knowing by construction which guard is dead.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpoint.journeys.checker import check, definitely_set, silence_bound
from touchpoint.journeys.guards import Domain, guard_holds, holds_within, may_overlap, satisfiable, witness_within
from touchpoint.journeys.loader import LoadedJourney, parse_journey

FAST = settings(max_examples=200, deadline=None)
SOME = settings(max_examples=100, deadline=None)  # journeys with data cost twice as much to draw
EVENTS = ["go", "back", "late"]
OWNERS = ["customer", "system", "carrier", "team:desk"]
WAITS = {"1h": 3600, "4h": 4 * 3600, "1d": 86400, "2d": 2 * 86400}
LIVE_GUARDS = [None, None, "flag", "not flag", "amount > 10"]
DEAD = "flag and not flag"  # can never hold: the engine never takes it, so neither may the oracle
GHOST = "ghost"


@st.composite
def journeys(draw: st.DrawFn, max_states: int = 12, max_transitions: int = 30) -> dict[str, Any]:
    names = [f"s{i}" for i in range(draw(st.integers(1, max_states)))]
    states: dict[str, Any] = {}
    for name in names:
        state: dict[str, Any] = {"owner": draw(st.sampled_from(OWNERS)), "label": draw(st.sampled_from("ABC"))}
        if draw(st.integers(0, 3)) == 0:
            state["outcome"] = draw(st.sampled_from(["success", "failure"]))
        elif draw(st.integers(0, 4)) > 0:
            state["wait_limit"] = draw(st.sampled_from(sorted(WAITS)))
            state["on_timeout"] = draw(st.sampled_from(EVENTS))
        states[name] = state
    targets = [*names, GHOST]
    transitions = []
    for _ in range(draw(st.integers(0, max_transitions))):
        transition: dict[str, Any] = {
            "from": draw(st.lists(st.sampled_from(targets), min_size=1, max_size=2)),
            "on": draw(st.sampled_from(EVENTS)),
            "to": draw(st.sampled_from(targets)),
            "by": "system",
        }
        guard = draw(st.sampled_from([*LIVE_GUARDS, DEAD]))
        if guard is not None:
            transition["guard"] = guard
        if draw(st.booleans()):
            transition["touchpoint"] = "hello"
        else:
            transition["silent"] = "internal"
        transitions.append(transition)
    return {
        "name": "generated",
        "version": 1,
        "max_silence": "1w",
        "start": draw(st.sampled_from(names)),
        "touchpoints": {"hello": "Hello."},
        "states": states,
        "transitions": transitions,
    }


def loaded(data: dict[str, Any]) -> LoadedJourney:
    return parse_journey(yaml.safe_dump(data, sort_keys=False), "generated.yaml")


# --- the oracle: plain searches over the data as written -------------------------------------


def moves(data: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(source, target, sends a message) for every move the engine could make."""
    states = data["states"]
    out = []
    for t in data["transitions"]:
        if t.get("guard") == DEAD or t["to"] not in states:
            continue
        for source in t["from"]:
            if source in states and "outcome" not in states[source]:
                out.append((source, t["to"], "touchpoint" in t))
    return out


def search(start: str, step: dict[str, set[str]]) -> set[str]:
    seen, stack = {start}, [start]
    while stack:
        for nxt in step[stack.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def oracle(data: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(unreachable states, trap states) by brute force: a search from each state."""
    states = data["states"]
    step: dict[str, set[str]] = {name: set() for name in states}
    for source, target, _ in moves(data):
        step[source].add(target)
    reached = search(data["start"], step)
    ends = {name for name, state in states.items() if "outcome" in state}
    traps = {name for name in reached if not search(name, step) & ends}
    return set(states) - reached, traps


def states_named(found: list[Any], code: str, journey: LoadedJourney) -> set[str]:
    at = {journey.state_at(name): name for name in journey.journey.states}
    return {at[d.location] for d in found if d.code == code}


@FAST
@given(journeys())
def test_unreachable_and_trap_findings_agree_with_brute_force(data: dict[str, Any]) -> None:
    journey = loaded(data)
    found = check(journey)
    unreachable, traps = oracle(data)
    assert states_named(found, "J201", journey) == unreachable
    assert states_named(found, "J202", journey) == traps
    # and, whatever the journey holds, every finding points into the file, in order
    assert all(d.location.line >= 1 and d.location.column >= 1 for d in found)
    keys = [(d.location.line, d.location.column, d.code) for d in found]
    assert keys == sorted(keys)


def worst_silence(data: dict[str, Any]) -> int | None:
    """Every silent stretch enumerated path by path; a state met twice on one path is a loop."""
    states = data["states"]
    all_moves = moves(data)
    step: dict[str, set[str]] = {name: set() for name in states}
    for source, target, _ in all_moves:
        step[source].add(target)
    reached = search(data["start"], step)
    live = {name for name in reached if "outcome" not in states[name]}
    if any("wait_limit" not in states[name] for name in live):
        return None
    silent: dict[str, set[str]] = {name: set() for name in live}
    entries = {data["start"]} & live
    for source, target, told in all_moves:
        if source in live and target in live:
            if told:
                entries.add(target)
            else:
                silent[source].add(target)

    def longest(state: str, path: tuple[str, ...]) -> int | None:
        if state in path:
            return None
        best = 0
        for nxt in silent[state]:
            rest = longest(nxt, (*path, state))
            if rest is None:
                return None
            best = max(best, rest)
        return WAITS[states[state]["wait_limit"]] + best

    results = [longest(entry, ()) for entry in entries]
    if any(r is None for r in results):
        return None
    return max((r for r in results if r is not None), default=0)


@FAST
@given(journeys(max_states=7, max_transitions=14))
def test_the_silence_bound_agrees_with_every_path_enumerated(data: dict[str, Any]) -> None:
    journey = loaded(data).journey
    bound = silence_bound(journey)
    assert bound.worst_seconds == worst_silence(data)
    if bound.worst_seconds is not None and bound.path:
        # the path it names is a real silent stretch adding up to the figure
        assert sum(WAITS[data["states"][s]["wait_limit"]] for s in bound.path) == bound.worst_seconds
        silent = {(s, t) for s, t, told in moves(data) if not told}
        assert all(pair in silent for pair in itertools.pairwise(bound.path))
    if bound.worst_seconds is None:
        assert bound.unbounded_reason


# --- guards: "can't overlap" must be true for every value ------------------------------------

FIELDS = ["a", "b", "c"]
CONSTANTS = st.sampled_from([-1, 0, 1, 2, "x", "y", True, False, None])
DOMAIN: list[Any] = [None, True, False, -2, -1, 0, 1, 2, 3, 0.5, 1.5, "x", "y", "", "xa", ()]
MISSING = object()


def _literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)


@st.composite
def atoms(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(FIELDS))
    op = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in", "not in", "truthy"]))
    if op == "truthy":
        return name
    if op in ("in", "not in"):
        items = draw(st.lists(CONSTANTS, min_size=1, max_size=3))
        return f"{name} {op} [{', '.join(_literal(i) for i in items)}]"
    return f"{name} {op} {_literal(draw(CONSTANTS))}"


def guards() -> st.SearchStrategy[str]:
    return st.recursive(
        atoms(),
        lambda inner: st.one_of(
            inner.map(lambda g: f"not ({g})"),
            st.tuples(inner, inner, st.sampled_from(["and", "or"])).map(lambda t: f"({t[0]}) {t[2]} ({t[1]})"),
        ),
        max_leaves=5,
    )


def every_case(*texts: str) -> list[dict[str, Any]]:
    """Every assignment of the domain (or nothing) to the fields the guards read."""
    used = [f for f in FIELDS if any(re.search(rf"\b{f}\b", t) for t in texts)]
    out = []
    for values in itertools.product([MISSING, *DOMAIN], repeat=len(used)):
        out.append({f: v for f, v in zip(used, values, strict=True) if v is not MISSING})
    return out


@FAST
@given(guards(), guards())
def test_may_overlap_is_sound(first: str, second: str) -> None:
    if may_overlap(first, second):
        return
    for data in every_case(first, second):
        assert not (guard_holds(first, data) and guard_holds(second, data)), data


@FAST
@given(guards())
def test_satisfiable_is_sound(guard: str) -> None:
    if not satisfiable(guard):
        assert not any(guard_holds(guard, data) for data in every_case(guard))


# --- definite assignment: the fixpoint against every simple route -----------------------------

FIELDS_SET = ["x", "y", "z"]


@st.composite
def data_journeys(draw: st.DrawFn, max_states: int = 7, max_transitions: int = 14) -> dict[str, Any]:
    """A random graph whose moves set or ask for fields, some fields set when the case opens."""
    data = journeys(max_states=max_states, max_transitions=max_transitions)
    journey = draw(data)
    opening = draw(st.sets(st.sampled_from(FIELDS_SET)))
    journey["data"] = {
        name: {"type": "boolean", "meaning": name, **({"intake": True} if name in opening else {})}
        for name in FIELDS_SET
    }
    for transition in journey["transitions"]:
        written = draw(st.lists(st.sampled_from(FIELDS_SET), unique=True, max_size=2))
        constant: bool = draw(st.booleans())
        if written and constant:
            transition["sets"] = {written[0]: draw(st.booleans())}
            written = written[1:]
        if written:
            transition["asks"] = written
    return journey


def assigned_oracle(data: dict[str, Any]) -> dict[str, frozenset[str]]:
    """For each state some route reaches: the fields set on every simple route from the start to it.
    Fields are never unset, so a walk sets at least what the simple route inside it sets: the
    simple routes are the only ones that matter."""
    states = data["states"]
    opening = frozenset(n for n, f in data["data"].items() if f.get("intake"))
    out: dict[str, frozenset[str]] = {}
    exits = [
        (source, t["to"], frozenset(t.get("sets", {})) | frozenset(t.get("asks", [])))
        for t in data["transitions"]
        if t.get("guard") != DEAD and t["to"] in states
        for source in t["from"]
        if source in states and "outcome" not in states[source]
    ]

    def walk(state: str, seen: frozenset[str], fields: frozenset[str]) -> None:
        out[state] = out[state] & fields if state in out else fields
        for source, target, written in exits:
            if source == state and target not in seen:
                walk(target, seen | {target}, fields | written)

    walk(data["start"], frozenset({data["start"]}), opening)
    return out


@SOME
@given(data_journeys())
def test_definite_assignment_agrees_with_every_simple_route(data: dict[str, Any]) -> None:
    assert definitely_set(loaded(data).journey) == assigned_oracle(data)


@SOME
@given(data_journeys())
def test_data_unset_reports_exactly_the_guards_that_may_read_an_unset_field(data: dict[str, Any]) -> None:
    # given guards that read the fields (the shared generator's guards read `flag` and `amount`)
    for transition in data["transitions"]:
        if "guard" in transition and transition["guard"] != DEAD:
            transition["guard"] = transition["guard"].replace("flag", "x").replace("amount > 10", "y")
    states = data["states"]
    reached = assigned_oracle(data)
    # then J221 is reported for (transition, field) exactly when, from some state a case reaches,
    # the guard reads a field not set on every route there and the move doesn't ask for it
    expected = set()
    for i, t in enumerate(data["transitions"]):
        guard = t.get("guard")
        if guard in (None, DEAD) or t["to"] not in states:
            continue
        for name in {"x", "y"} & set(re.findall(r"\w+", guard)):
            sources = [s for s in t["from"] if s in reached and "outcome" not in states[s]]
            if name not in t.get("asks", []) and any(name not in reached[s] for s in sources):
                expected.add((i + 1, name))
    found = [d for d in check(loaded(data)) if d.code == "J221"]
    named = {(int(m[2]), m[1]) for d in found if (m := re.search(r"reads `(\w)`.*transition #(\d+)", d.message))}
    assert named == {(n, f) for n, f in expected} and len(found) == len(named)
    # and each names a route of real moves from the start on which nothing writes the field
    for d in found:
        read = re.search(r"reads `(\w)`", d.message)
        assert read is not None and d.path[0] == data["start"]
        name = read[1]
        for source, target in itertools.pairwise(d.path):
            assert any(
                source in t["from"]
                and t["to"] == target
                and t.get("guard") != DEAD
                and name not in t.get("sets", {})
                and name not in t.get("asks", [])
                for t in data["transitions"]
            )
        assert name not in reached[d.path[-1]]


# --- guards over declared values: never "can't hold" when some allowed value makes it hold -------

BOOLEAN = Domain(fits=lambda v: isinstance(v, bool))
STARS = Domain(
    fits=lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer() and 1 <= v <= 5,
    extra=(1, 5),
)
TIER = Domain(fits=lambda v: v in ("x", "y"), extra=("x", "y"))
FIXED = Domain(values=(0, "x"))
DOMAINS: dict[str, tuple[Domain, list[Any]]] = {
    "boolean": (BOOLEAN, [True, False]),
    "stars": (STARS, [1, 2, 3, 4, 5]),
    "tier": (TIER, ["x", "y"]),
    "fixed": (FIXED, [0, "x"]),
}


@FAST
@given(guards(), st.lists(st.sampled_from(sorted(DOMAINS)), min_size=3, max_size=3))
def test_holds_within_is_exact_on_finite_domains(guard: str, kinds: list[str]) -> None:
    # given each of a, b, c taking the values of a small domain (enumerable, so an oracle exists)
    domains = {name: DOMAINS[kind][0] for name, kind in zip(FIELDS, kinds, strict=True)}
    every = [
        dict(zip(FIELDS, values, strict=True)) for values in itertools.product(*(DOMAINS[kind][1] for kind in kinds))
    ]
    # then it can hold exactly when some assignment makes it hold, and its witness is one of them
    holds = any(guard_holds(guard, data) for data in every)
    assert holds_within(guard, domains) == holds
    found = witness_within(guard, domains)
    if holds:
        assert found is not None
        full = {**every[0], **found}
        assert guard_holds(guard, full)
        assert all(full[f] in DOMAINS[k][1] for f, k in zip(FIELDS, kinds, strict=True))
    else:
        assert found is None


# --- J204: the example is data that makes both guards hold ------------------------------------

SCORES = range(0, 7)  # `score` is an integer from 0 to 6; `vip` a boolean; `colour` a choice
COLOURS = ("red", "green", "blue")
TWO_GUARDS_DATA = (
    "data: {score: {type: integer, meaning: A score, intake: true, min: 0, max: 6},"
    " vip: {type: boolean, meaning: A flag, intake: true},"
    " colour: {type: choice, choices: [red, green, blue], meaning: A colour, intake: true}}"
)


@st.composite
def typed_guards(draw: st.DrawFn, depth: int = 0) -> str:
    if depth < 2 and draw(st.integers(0, 2)) == 0:
        op = draw(st.sampled_from(["and", "or", "not"]))
        if op == "not":
            return f"not ({draw(typed_guards(depth + 1))})"
        return f"({draw(typed_guards(depth + 1))}) {op} ({draw(typed_guards(depth + 1))})"
    kind = draw(st.sampled_from(["score", "vip", "colour"]))
    if kind == "score":
        bound = draw(st.sampled_from([-1, 0, 1, 2.5, 3, 5, 6, 7]))
        return f"score {draw(st.sampled_from(['<', '<=', '>', '>=', '==', '!=']))} {bound}"
    if kind == "vip":
        return draw(st.sampled_from(["vip", "not vip", "vip == true", "vip != false"]))
    return draw(st.sampled_from(['colour == "red"', 'colour in ["red", "green"]', 'colour != "blue"']))


def _example(message: str) -> dict[str, Any]:
    """The data of "… (e.g. when colour is 'red' and score is 3)", as values."""
    words = re.search(r"e\.g\. when (.*)\)$", message)
    assert words is not None, message
    out: dict[str, Any] = {}
    for part in re.split(r", | and (?=\w+ is )", words.group(1)):
        name, _, shown = part.partition(" is ")
        out[name] = (
            {"true": True, "false": False, "missing": None}.get(shown)
            if shown in ("true", "false", "missing")
            else (shown.strip("'") if shown.startswith("'") else float(shown))
        )
    return out


@SOME
@given(typed_guards(), typed_guards())
def test_j204_reports_two_guards_exactly_when_some_case_satisfies_both_and_shows_one(first: str, second: str) -> None:
    # given two moves on one event, guarded over intake fields of declared types and ranges
    text = (
        "name: two\nversion: 1\nmax_silence: 3d\nstart: waiting\ntouchpoints: {a: A, b: B}\n"
        f"{TWO_GUARDS_DATA}\nevents: {{reply: Reply}}\n"
        "states:\n  waiting: {owner: customer, label: W, wait_limit: 1d, on_timeout: reply}\n"
        "  done: {owner: system, label: D, outcome: success}\n"
        "transitions:\n"
        f"  - {{from: waiting, on: reply, to: done, by: customer, guard: '{first}', touchpoint: a}}\n"
        f"  - {{from: waiting, on: reply, to: done, by: customer, guard: '{second}', touchpoint: b}}\n"
    )
    found = [d for d in check(parse_journey(text, "two.yaml")) if d.code == "J204"]
    # then (oracle: every case the declarations allow) J204 names #1 and #2 exactly when one case
    # satisfies both, and the case it shows does
    cases = [{"score": s, "vip": v, "colour": c} for s in SCORES for v in (True, False) for c in COLOURS]
    overlap = any(guard_holds(first, case) and guard_holds(second, case) for case in cases)
    assert len(found) == overlap
    for finding in found:
        example = _example(finding.message)
        case = {**cases[0], **example}
        assert guard_holds(first, case) and guard_holds(second, case), (finding.message, case)
        assert set(example) <= {"score", "vip", "colour"}
