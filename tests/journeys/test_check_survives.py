"""`touchpoint journey check` on a broken journey reports findings; it never fails with an internal
error. Each test runs the command as a person does (the top-level `touchpoint` entry point, which
also renders the touch point templates), on a shipped journey with a mistake made in it."""

from __future__ import annotations

import contextlib
import io
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from touchpoint.cli import main as touchpoint_main
from touchpoint.journeys.library import library_file

SHIPPED = ("mail-in-repair", "order-problem", "walk-in-warranty")
LOAD_ERROR = re.compile(r"^.+?(:\d+:\d+)?: error L\d{3} [a-z-]+: .+ — .+$")


def shipped_text(name: str) -> str:
    path = library_file(name)
    assert path is not None
    return path.read_text(encoding="utf-8")


def journey_check(text: str, name: str = "journey.yaml") -> tuple[int, str, str]:
    """`touchpoint journey check FILE` on ``text``: its exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_text(text, encoding="utf-8")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = touchpoint_main(["journey", "check", str(path)])
    return code, out.getvalue().replace(str(path), name), err.getvalue().replace(str(path), name)


def test_an_unknown_start_is_reported_with_its_suggestion_not_an_internal_error() -> None:
    # given order-problem whose `start:` names a state that doesn't exist (a typo)
    text = shipped_text("order-problem").replace("\nstart: reported\n", "\nstart: reportd\n")
    # when checked
    code, out, err = journey_check(text)
    # then the finding is printed with its did-you-mean, and the command exits 1 (findings), not 2
    assert (code, err) == (1, "")
    assert (
        "journey.yaml:32:8: error J101 unknown-state: unknown state `reportd`: `start` names a state that "
        "isn't under `states:` — did you mean `reported`?\n"
    ) in out
    assert out.endswith(
        "order-problem@4: 1 error, 0 warnings (19 states, 43 transitions, worst silence unbounded, 3d allowed)\n"
    )


def test_an_unknown_target_of_a_move_that_sends_a_message_is_reported_not_an_internal_error() -> None:
    # given order-problem whose first move (it sends `replacement_on_the_way`) goes to a misspelt state
    text = shipped_text("order-problem").replace(
        "    to: sent_to_warehouse\n    by: team:care\n", "    to: sent_to_warehose\n    by: team:care\n", 1
    )
    # when checked (the template check renders that message for the state it is sent into)
    code, out, err = journey_check(text)
    # then J101 says where and what was meant, and the templates are still checked (clean)
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        "journey.yaml:314:9: error J101 unknown-state: unknown state `sent_to_warehose`: transition #1 goes to "
        "a state that isn't under `states:` — did you mean `sent_to_warehouse`?",
        "order-problem@4: 1 error, 0 warnings (19 states, 43 transitions, worst silence 2d 12h of 3d allowed)",
    ]


def test_a_misspelt_timeout_event_on_its_transition_is_placed_on_the_transition() -> None:
    # given order-problem whose `not_acknowledged` move (the timeout of `sent_to_warehouse`) is misspelt
    text = shipped_text("order-problem").replace(
        "  - from: sent_to_warehouse\n    on: not_acknowledged\n",
        "  - from: sent_to_warehouse\n    on: not_acknowledgd\n",
    )
    code, out, err = journey_check(text)
    # then the one finding points at the typo and suggests the event the state fires, not the typo
    assert (code, err) == (1, "")
    assert out.splitlines()[0] == (
        "journey.yaml:346:9: error J102 unknown-event: unknown event `not_acknowledgd`: transition #6 leaves "
        "`sent_to_warehouse` on `not_acknowledgd`, but `sent_to_warehouse` fires `not_acknowledged` when its "
        "wait limit runs out, and no transition leaves `sent_to_warehouse` on `not_acknowledged` — "
        "did you mean `not_acknowledged`?"
    )
    assert len(out.splitlines()) == 2


# --- mistakes a person makes, generated ------------------------------------------------------


def _typo(draw: st.DrawFn, word: str) -> str:
    """``word`` with one character dropped, doubled or changed (never the same word)."""
    at = draw(st.integers(0, max(len(word) - 1, 0)))
    kind = draw(st.sampled_from(["drop", "double", "change"]))
    if kind == "drop" and len(word) > 1:
        out = word[:at] + word[at + 1 :]
    elif kind == "double":
        out = word[:at] + word[at] + word[at:]
    else:
        out = word[:at] + ("x" if word[at] != "x" else "y") + word[at + 1 :]
    return out if out != word else word + "x"


def _states(data: dict[str, Any]) -> dict[str, Any]:
    states = data.get("states")
    return states if isinstance(states, dict) else {}


def _moves(data: dict[str, Any]) -> list[dict[str, Any]]:
    moves = data.get("transitions")
    return [m for m in moves if isinstance(m, dict)] if isinstance(moves, list) else []


def _rename_state(draw: st.DrawFn, data: dict[str, Any]) -> None:
    states = _states(data)
    if states:
        old = draw(st.sampled_from(list(states)))
        data["states"] = {(_typo(draw, k) if k == old else k): v for k, v in states.items()}


def _delete_state(draw: st.DrawFn, data: dict[str, Any]) -> None:
    states = _states(data)
    if len(states) > 1:
        del states[draw(st.sampled_from(list(states)))]


def _misspell_reference(draw: st.DrawFn, data: dict[str, Any]) -> None:
    """A state or event named wrongly where it is used: `start`, a `to`, a `from`, an `on`, an `on_timeout`."""
    where = draw(st.sampled_from(["start", "to", "from", "on", "on_timeout", "touchpoint", "start_touchpoint"]))
    if where in ("start", "start_touchpoint"):
        if isinstance(data.get(where), str):
            data[where] = _typo(draw, data[where])
        return
    if where == "on_timeout":
        timed = [s for s in _states(data).values() if isinstance(s, dict) and s.get("on_timeout")]
        if timed:
            state = draw(st.sampled_from(timed))
            state["on_timeout"] = _typo(draw, state["on_timeout"])
        return
    moves = [m for m in _moves(data) if m.get(where)]
    if not moves:
        return
    move = draw(st.sampled_from(moves))
    if isinstance(move[where], list):
        k = draw(st.integers(0, len(move[where]) - 1))
        move[where][k] = _typo(draw, move[where][k])
    else:
        move[where] = _typo(draw, move[where])


def _misspell_event_everywhere(draw: st.DrawFn, data: dict[str, Any]) -> None:
    """An event misspelt on some of the moves that take it (maybe all of them)."""
    events = sorted({m["on"] for m in _moves(data) if isinstance(m.get("on"), str)})
    if not events:
        return
    old = draw(st.sampled_from(events))
    new = _typo(draw, old)
    for move in _moves(data):
        if move.get("on") == old and draw(st.booleans()):
            move["on"] = new


def _drop_key(draw: st.DrawFn, data: dict[str, Any]) -> None:
    where = draw(st.sampled_from(["journey", "state", "transition", "data", "event"]))
    choices: list[Any]
    if where == "journey":
        choices = [data]
    elif where == "state":
        choices = list(_states(data).values())
    elif where == "transition":
        choices = _moves(data)
    else:
        section = data.get("data" if where == "data" else "events")
        choices = list(section.values()) if isinstance(section, dict) else []
    holders = [h for h in choices if isinstance(h, dict) and h]
    if holders:
        holder = draw(st.sampled_from(holders))
        del holder[draw(st.sampled_from(sorted(holder)))]


class _Loader(yaml.SafeLoader):
    """YAML as the journey loader reads it: `on:` is a key named "on", not the boolean true."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))


MUTATIONS = [_rename_state, _delete_state, _misspell_reference, _misspell_event_everywhere, _drop_key]


@st.composite
def mutated_journeys(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(st.sampled_from(SHIPPED))
    data = yaml.load(shipped_text(name), Loader=_Loader)  # a safe loader, with YAML 1.2 booleans
    for mutate in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3)):
        mutate(draw, data)
    return name, yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_journeys())
def test_check_on_a_mutated_shipped_journey_reports_findings_and_never_fails_inside(journey: tuple[str, str]) -> None:
    # given a shipped journey with a state renamed or deleted, a name misspelt, or a key dropped
    name, text = journey
    # when `touchpoint journey check` runs on it (under its own name, so its templates are checked too)
    code, out, err = journey_check(text, f"{name}.yaml")
    # then it ends in findings or clean (0 or 1); exit 2 only when the file can't be loaded, each
    # load error on one located line
    assert "internal error" not in err and "Traceback" not in err, err
    if code == 2:
        assert out == ""
        assert err and all(LOAD_ERROR.match(line) for line in err.splitlines()), err
    else:
        assert (code, err) in ((0, ""), (1, "")), err
        assert out.splitlines()[-1].startswith(f"{name}@")
