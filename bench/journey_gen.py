"""A deterministic, realistic large journey for benchmarks: by default 200 states, 600 transitions.

Shape: a long main line of steps grouped in stages (consecutive steps of a stage share the label
the customer sees), exception states owned by people that steps escalate to when their wait limit
runs out and that resume the main line, forward skips, a few loops back to redo a step, early
cancellations, and end states. Every state has an owner and every non-terminal state a wait limit
with its timeout; handoffs to a team or a carrier are accepted within a limit; most moves send a
touch point, and the silent ones stay inside a stage. Connected from the start, and every state
reaches an end. The same arguments always give the same text.

    python bench/journey_gen.py > /tmp/big.yaml
"""

from __future__ import annotations

import random
import sys

OWNERS = ["customer", "team:bench", "carrier", "system", "team:qa"]
WAIT = {"customer": "3d", "team:bench": "1d", "carrier": "4d", "system": "1h", "team:qa": "1d"}
STAGE = 4  # main steps per stage (one label the customer sees)


def generate_journey(states: int = 200, transitions: int = 600, *, seed: int = 2024) -> str:
    """The journey as YAML text, ready for ``parse_journey``."""
    rng = random.Random(seed)
    successes, failures = 4, 6
    exceptions = max(2, (states - successes - failures) // 7)
    main = states - successes - failures - exceptions
    steps = [f"step_{i:03d}" for i in range(main)]
    troubles = [f"trouble_{j:02d}" for j in range(exceptions)]
    wins = [f"done_{k}" for k in range(successes)]
    losses = [f"failed_{k}" for k in range(failures)]

    lines = [
        "name: generated-large",
        "version: 1",
        f"title: Generated journey ({states} states, {transitions} transitions)",
        "max_silence: 10d",
        f"start: {steps[0]}",
        "touchpoints:",
        *(f"  tp_{i:03d}: Message number {i}" for i in range(60)),
        "states:",
    ]
    for i, name in enumerate(steps):
        owner = OWNERS[i % len(OWNERS)]
        accept = ", accept_within: 2h" if owner.startswith("team:") or owner == "carrier" else ""
        lines.append(
            f"  {name}: {{owner: '{owner}', label: 'Stage {i // STAGE}', wait_limit: {WAIT[owner]},"
            f" on_timeout: late{accept}}}"
        )
    for name in troubles:
        lines.append(
            f"  {name}: {{owner: 'team:care', label: 'A person is on it', exception: true, wait_limit: 1d,"
            f" on_timeout: give_up, accept_within: 1h}}"
        )
    lines += [f"  {name}: {{owner: system, label: 'All done ({name})', outcome: success}}" for name in wins]
    lines += [f"  {name}: {{owner: system, label: 'Closed ({name})', outcome: failure}}" for name in losses]

    moves: list[str] = []
    used: set[tuple[str, str]] = set()  # (state, event): one move each, so nothing is ambiguous

    def move(source: str, event: str, target: str, by: str, *, silent: bool = False) -> None:
        used.add((source, event))
        say = "silent: 'same stage, nothing new to tell'" if silent else f"touchpoint: tp_{rng.randrange(60):03d}"
        moves.append(f"  - {{from: {source}, on: {event}, to: {target}, by: '{by}', {say}}}")

    def stage(i: int) -> int:
        return i // STAGE

    for i, name in enumerate(steps):  # the main line
        target = steps[i + 1] if i + 1 < main else wins[0]
        silent = i + 1 < main and stage(i) == stage(i + 1) and rng.random() < 0.4
        move(name, "next", target, OWNERS[i % len(OWNERS)], silent=silent)
    for i, name in enumerate(steps):  # every wait limit escalates to a person
        move(name, "late", troubles[min(i * exceptions // main, exceptions - 1)], "system")
    for j, name in enumerate(troubles):  # people resume the case, or it closes
        resume = steps[min((j * main) // exceptions + rng.randrange(1, 6), main - 1)]
        move(name, "resume", resume, "role:agent")
        move(name, "give_up", losses[j % failures], "system")
    for k in range(1, successes):  # other good endings, late in the line
        move(steps[main - 1 - 7 * k], "finish_early", wins[k], "staff")
    extra = transitions - len(moves)
    kinds = rng.choices(["skip", "redo", "cancel", "alt_end"], weights=[66, 18, 12, 4], k=max(0, extra))
    attempts = 0
    while len(moves) < transitions and attempts < transitions * 50:
        attempts += 1
        kind = kinds[len(moves) % len(kinds)] if kinds else "skip"
        i = rng.randrange(main)
        source = steps[i]
        if kind == "skip" and i + 2 < main:
            j = min(main - 1, i + rng.randrange(2, 7))
            event, target = f"skip_to_{j:03d}", steps[j]
        elif kind == "redo" and i >= 1:
            j = max(0, i - rng.randrange(1, 5))
            event, target = f"redo_{j:03d}", steps[j]
        elif kind == "cancel":
            event, target = "cancel", losses[rng.randrange(failures)]
        elif kind == "alt_end" and i > main // 2:
            event, target = "finish_early", wins[rng.randrange(1, successes)]
        else:
            continue
        if (source, event) in used:
            continue
        move(source, event, target, "staff")
    if len(moves) < transitions:
        raise ValueError(f"could only place {len(moves)} of {transitions} transitions; give more states")
    # Every event labelled for people, as a real journey does; the system's own steps say who reports them.
    events = sorted({event for _, event in used})
    labels = [f"  {e}: {{label: '{e.replace('_', ' ').capitalize()}', via: bench}}" for e in events]
    at = lines.index("states:")
    return "\n".join([*lines[:at], "events:", *labels, *lines[at:], "transitions:", *moves]) + "\n"


if __name__ == "__main__":
    sys.stdout.write(generate_journey())
