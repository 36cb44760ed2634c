"""Hypothesis strategies shared by the journey tests: small random journeys, case data and actors.

Generated journeys are valid as far as the model goes (they load), but not necessarily clean
under the checker: they may have unreachable states, traps, transitions to undefined states,
nondeterminism and missing wait limits — exactly what the pure functions must survive.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from touchpoint.journeys.engine import Actor
from touchpoint.journeys.model import Journey

STATE_NAMES = [f"s{i}" for i in range(10)]
EVENTS = ["go", "back", "fail", "timeout", "approve"]
TOUCHPOINTS = ["hello", "update", "sorry"]
OWNERS = ["customer", "system", "carrier", "team:ops", "team:bench"]
BY = ["customer", "staff", "system", "carrier", "team:ops", "team:bench", "role:agent", "role:lead", "role:admin"]
GUARDS = [None, None, "amount > 10", "flag", "not flag", 'tier == "gold"', "amount <= 10 and flag"]
LABELS = ["Waiting", "In the post", "On the bench", 'Fix <now> & "then"', "Ünïcode — ✓", "Almost done"]
DURATIONS = ["30m", "1h", "4h", "1d", "2d", "3d"]
GHOST = "ghost"  # a state no journey defines: transitions to it must be survived


@st.composite
def sims(draw: st.DrawFn) -> dict[str, Any]:
    sim: dict[str, Any] = {"weight": draw(st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.9, 1.0]))}
    shape = draw(st.sampled_from(["none", "after", "lognormal"]))
    if shape == "after":
        sim["after"] = draw(st.sampled_from(DURATIONS))
    elif shape == "lognormal":
        median = draw(st.sampled_from(DURATIONS[:4]))
        sim["median"] = median
        sim["p90"] = draw(st.sampled_from([d for d in DURATIONS if _seconds(d) >= _seconds(median)]))
    return sim


def _seconds(text: str) -> int:
    return int(text[:-1]) * {"m": 60, "h": 3600, "d": 86400}[text[-1]]


@st.composite
def journey_data(
    draw: st.DrawFn,
    *,
    max_states: int = 7,
    max_transitions: int = 14,
    with_sims: bool = False,
    ghosts: bool = True,
    all_wait: bool = False,
) -> dict[str, Any]:
    """A journey as the mapping a YAML file would hold."""
    count = draw(st.integers(2, max_states))
    names = STATE_NAMES[:count]
    terminals = draw(st.sets(st.sampled_from(names[1:]), min_size=1, max_size=max(1, count // 2)))
    states: dict[str, Any] = {}
    for name in names:
        state: dict[str, Any] = {"label": draw(st.sampled_from(LABELS))}
        if name in terminals:
            state |= {"owner": "system", "outcome": draw(st.sampled_from(["success", "failure"]))}
        else:
            owner = draw(st.sampled_from(OWNERS))
            state["owner"] = owner
            if all_wait or draw(st.booleans()):
                state["wait_limit"] = draw(st.sampled_from(DURATIONS))
                state["on_timeout"] = draw(st.sampled_from(EVENTS))
                if owner != "customer" and owner != "system" and draw(st.booleans()):
                    state["accept_within"] = "30m"
            if owner.startswith("team:") and draw(st.booleans()):
                state["exception"] = True
        states[name] = state
    targets = names + ([GHOST] if ghosts else [])
    transitions = []
    for _ in range(draw(st.integers(1, max_transitions))):
        transition: dict[str, Any] = {
            "from": draw(st.lists(st.sampled_from(names), min_size=1, max_size=2)),
            "on": draw(st.sampled_from(EVENTS)),
            "to": draw(st.sampled_from(targets)),
            "by": draw(st.lists(st.sampled_from(BY), min_size=1, max_size=2)),
        }
        if draw(st.booleans()):
            transition["touchpoint"] = draw(st.sampled_from(TOUCHPOINTS))
        else:
            transition["silent"] = "nothing to tell"
        guard = draw(st.sampled_from(GUARDS))
        if guard is not None:
            transition["guard"] = guard
        if with_sims and draw(st.integers(0, 3)) > 0:
            transition["sim"] = draw(sims())
        transitions.append(transition)
    opening = {"start_touchpoint": draw(st.sampled_from(TOUCHPOINTS))} if draw(st.booleans()) else {}
    return {
        "name": "generated",
        "version": 1,
        "max_silence": "3d",
        "start": "s0",
        **opening,
        "touchpoints": {key: f"the {key} message" for key in TOUCHPOINTS},
        "states": states,
        "transitions": transitions,
    }


def journeys(**options: Any) -> st.SearchStrategy[Journey]:
    return journey_data(**options).map(Journey.model_validate)


actors = st.builds(
    Actor,
    kind=st.sampled_from(["customer", "staff", "system", "carrier", "timer"]),
    role=st.sampled_from([None, "agent", "lead", "admin"]),
    teams=st.frozensets(st.sampled_from(["ops", "bench", "care"]), max_size=2),
)

case_data = st.dictionaries(
    st.sampled_from(["amount", "flag", "tier", "other"]),
    st.one_of(st.none(), st.booleans(), st.integers(-5, 50), st.floats(allow_nan=True), st.text(max_size=5)),
    max_size=4,
)
