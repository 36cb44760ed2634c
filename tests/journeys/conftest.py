"""Helpers for the journey tests: journeys are written inline as YAML, exactly as a person would.

Line 1 of a journey is the first line after the opening triple quote, so the lines and columns
the tests assert can be counted by eye.
"""

from __future__ import annotations

import textwrap

from touchpoint.journeys.checker import check
from touchpoint.journeys.diagnostics import Diagnostic, JourneyLoadError
from touchpoint.journeys.loader import LoadedJourney, parse_journey

FILE = "journey.yaml"


def source(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def load(text: str) -> LoadedJourney:
    return parse_journey(source(text), FILE)


def findings(text: str) -> list[Diagnostic]:
    return check(load(text))


def where(diagnostics: list[Diagnostic]) -> list[tuple[str, int, int]]:
    """Each finding as (code, line, column): what a person needs to find it."""
    return [(d.code, d.location.line, d.location.column) for d in diagnostics]


def load_errors(text: str | bytes) -> list[Diagnostic]:
    """The diagnostics of a file that must not load (fails the test if it loads)."""
    try:
        parse_journey(source(text) if isinstance(text, str) else text, FILE)
    except JourneyLoadError as exc:
        return exc.diagnostics
    raise AssertionError("the journey loaded, but it should have been refused")


CLEAN = source(
    """
    name: tiny
    version: 1
    max_silence: 3d
    start: waiting
    touchpoints:
      thanks: Thanks, all done.
      sorry: We closed your request.
    data: {request: {type: text, meaning: What the customer asked for, intake: true}}
    events: {reply: Send my reply}
    states:
      waiting:
        owner: customer
        label: Waiting for you
        wait_limit: 2d
        on_timeout: expired
      done:
        owner: system
        label: Done
        outcome: success
      closed:
        owner: system
        label: Closed
        outcome: failure
    transitions:
      - from: waiting
        on: reply
        to: done
        by: customer
        touchpoint: thanks
      - from: waiting
        on: expired
        to: closed
        by: system
        touchpoint: sorry
    """
)
"""A minimal clean journey of 34 lines: `waiting` at line 11, its transitions at lines 25 and 30.
Tests edit a copy (the lines stay put) or append transitions with :func:`more_transitions`; they
declare the fields their guards read with :func:`declared` (line 8) and label the events people
record with :func:`labelled` (line 9), so every line stays where it is."""

DATA_LINE = "data: {request: {type: text, meaning: What the customer asked for, intake: true}}"
EVENTS_LINE = "events: {reply: Send my reply}"


def labelled(text: str, **labels: str) -> str:
    """``text`` (:data:`CLEAN`, edited) with more events labelled on line 9: `paid="Paid"`."""
    more = "".join(f", {event}: {label}" for event, label in labels.items())
    assert EVENTS_LINE in text
    return text.replace(EVENTS_LINE, EVENTS_LINE[:-1] + more + "}")


def declared(text: str, **fields: str) -> str:
    """``text`` (:data:`CLEAN`, edited) with more fields declared on line 8, each written as the
    inside of its mapping: `flag="type: boolean, meaning: A flag, intake: true"`."""
    more = "".join(f", {name}: {{{spec}}}" for name, spec in fields.items())
    assert DATA_LINE in text
    return text.replace(DATA_LINE, DATA_LINE[:-1] + more + "}")


def intake(kind: str = "boolean") -> str:
    """A field gathered at intake, for :func:`declared`: guards may read it anywhere."""
    return f"type: {kind}, meaning: Given at intake, intake: true"


def more_transitions(text: str) -> str:
    """Transitions to append to :data:`CLEAN` (they start at line 35), written at any indentation."""
    return textwrap.indent(source(text), "  ")


def long_journey(states: int) -> str:
    """A valid journey of ``states`` states: a chain of steps, each of which moves on by one
    (`n`, its timeout) or skips one (`k`), or gives up from anywhere (one transition). Its routes
    run the length of the chain, and their number grows like the Fibonacci numbers. It loads, and
    `journey check` finds it clean."""
    steps = [f"s{i}" for i in range(states - 2)]
    after = [*steps[1:], "done", "done"]
    lines = [
        "name: long",
        "version: 1",
        "max_silence: 3d",
        "start: s0",
        "touchpoints: {m: Moved on, sorry: Closed}",
        "events: {n: Next step, k: Skip a step, give_up: Give up}",
        "states:",
        *(f"  {s}: {{owner: system, label: W, wait_limit: 1h, on_timeout: n}}" for s in steps),
        "  done: {owner: system, label: Done, outcome: success}",
        "  closed: {owner: system, label: Closed, outcome: failure}",
        "transitions:",
    ]
    for i, step in enumerate(steps):
        lines.append(f"  - {{from: {step}, on: n, to: {after[i]}, by: system, touchpoint: m}}")
        lines.append(f"  - {{from: {step}, on: k, to: {after[i + 1]}, by: staff, touchpoint: m}}")
    lines.append(f"  - {{from: [{', '.join(steps)}], on: give_up, to: closed, by: staff, touchpoint: sorry}}")
    return "\n".join(lines) + "\n"
