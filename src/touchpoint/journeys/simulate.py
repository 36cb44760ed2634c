"""Simulation: run many cases through a journey with a seed, and see how long they take and how
often customers hear from us.

The journey declares what simulation assumes (``sim:`` on transitions: a weight and a duration);
later these can be measured from history. The rules, state by state:

* The exits that have ``sim`` are chosen by weight. If their weights add up to less than 1, the rest
  of the chance goes to the state's timeout (its ``on_timeout`` transition), which fires exactly at
  the wait limit. If they add up to more than 1, or the state has no timeout, they are normalised.
* A timeout transition always fires at the wait limit, whether or not it has a ``sim``. With one,
  its weight is its share (plus the rest of the chance, as above); a time it gives (``after``,
  ``median``/``p90``) is ignored, and the checker warns about it (J213).
* A state whose exits have no ``sim`` at all takes its timeout; with no timeout, its first exit.
* Time in a state is the chosen exit's ``after``, or a log-normal draw with the given ``median``
  and ``p90`` (sigma = ln(p90 / median) / 1.2816). An exit with no duration happens at once. If the
  time drawn passes the wait limit, the timeout fires instead, at the wait limit.
* **Guards are ignored**: the weights already say how often each branch is taken.
* Silence is the time since the customer last heard from us; it starts at 0 when the case opens
  and resets on every transition with a touch point.
* Touches count every message: the opening one (``start_touchpoint``), if any, and one per
  transition with a touch point.

Only ``random.Random(seed)`` is used, so a seed always gives the same report.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from touchpoint.journeys.durations import format_duration
from touchpoint.journeys.model import Journey, Transition

Z90 = 1.2816  # the 90th percentile of the standard normal distribution


@dataclass(frozen=True)
class _Exit:
    transition: int
    target: str
    weight: float
    at_limit: bool  # fires exactly at the wait limit (the timeout's share)


@dataclass(frozen=True)
class _Plan:
    """How a case leaves one state, worked out once per simulation."""

    exits: tuple[_Exit, ...]
    total: float
    wait_limit: int | None
    timeout: int | None  # the transition the timer fires, if there is one


@dataclass(frozen=True)
class SimulationReport:
    journey: str
    runs: int
    seed: int
    max_steps_per_case: int
    finished: int  # cases that reached a terminal state
    unfinished: int  # cases still going after max_steps_per_case moves
    stuck: int  # cases in a state with no way out (a trap)
    duration_p50: float | None  # seconds, over finished cases
    duration_p90: float | None
    touches_mean: float | None  # touch points per finished case
    touches_p50: float | None
    touches_p90: float | None
    outcome_shares: Mapping[str, float] = field(hash=False)  # over all runs; "unfinished" when any didn't end
    terminal_shares: Mapping[str, float] = field(hash=False)
    silence_worst: float | None  # the longest any case went without a message (seconds)
    silence_p90: float | None  # p90 over cases of each case's longest silence
    max_silence: int  # the journey's bound, for comparison
    over_max_silence: float  # share of cases whose longest silence passes max_silence

    def as_dict(self) -> dict[str, Any]:
        return {
            "journey": self.journey,
            "runs": self.runs,
            "seed": self.seed,
            "max_steps_per_case": self.max_steps_per_case,
            "finished": self.finished,
            "unfinished": self.unfinished,
            "stuck": self.stuck,
            "duration_seconds": {"p50": self.duration_p50, "p90": self.duration_p90},
            "touches_per_case": {"mean": self.touches_mean, "p50": self.touches_p50, "p90": self.touches_p90},
            "outcome_shares": dict(self.outcome_shares),
            "terminal_shares": dict(self.terminal_shares),
            "silence_seconds": {"worst": self.silence_worst, "p90": self.silence_p90},
            "max_silence_seconds": self.max_silence,
            "over_max_silence": self.over_max_silence,
            "guards": "ignored: the declared weights say how often each branch is taken",
        }

    def to_text(self) -> str:
        def dur(value: float | None) -> str:
            return "—" if value is None else format_duration(value)

        def num(value: float | None) -> str:
            return "—" if value is None else f"{value:g}"

        def shares(table: Mapping[str, float]) -> str:
            return "   ".join(f"{key} {value:.1%}" for key, value in table.items()) or "—"

        lines = [
            f"{self.journey}: {self.runs:,} simulated cases (seed {self.seed})",
            f"  total duration    p50 {dur(self.duration_p50)}   p90 {dur(self.duration_p90)}",
            f"  touches per case  mean {num(self.touches_mean)}   p50 {num(self.touches_p50)}"
            f"   p90 {num(self.touches_p90)}",
            f"  outcomes          {shares(self.outcome_shares)}",
            f"  end states        {shares(self.terminal_shares)}",
            f"  silence           worst {dur(self.silence_worst)}   p90 {dur(self.silence_p90)}"
            f"   (max_silence {format_duration(self.max_silence)}: {self.over_max_silence:.1%} of cases go longer)",
        ]
        not_done = self.unfinished + self.stuck
        if not_done:
            lines.append(
                f"  not finished      {not_done:,} of {self.runs:,} cases: {self.unfinished:,} still going after"
                f" {self.max_steps_per_case:,} moves, {self.stuck:,} stuck in a state with no way out"
            )
        else:
            lines.append(f"  not finished      none (every case ended within {self.max_steps_per_case:,} moves)")
        lines.append("  guards are ignored: the declared weights say how often each branch is taken")
        return "\n".join(lines) + "\n"


def _plan(journey: Journey, name: str) -> _Plan:
    state = journey.states[name]
    exits = [i for i, t in enumerate(journey.transitions) if name in t.from_ and t.to in journey.states]
    timeout = next(
        (
            i
            for i in journey.index.get((name, state.on_timeout or ""), [])
            if journey.transitions[i].to in journey.states
        ),
        None,
    )
    # A move on the state's timeout event is the timer firing: whatever its `sim` says about time,
    # it happens when the wait limit runs out (its weight still counts as its share).
    weighted = [
        _Exit(i, t.to, t.sim.weight, t.on == state.on_timeout) for i in exits if (t := journey.transitions[i]).sim
    ]
    total = sum(e.weight for e in weighted)
    if timeout is not None and state.wait_limit is not None and total < 1:
        weighted.append(_Exit(timeout, journey.transitions[timeout].to, 1 - total, True))
        total = 1.0
    if total <= 0:  # nothing to weigh: the timer, else the first exit
        fallback = timeout if timeout is not None else (exits[0] if exits else None)
        weighted = (
            [] if fallback is None else [_Exit(fallback, journey.transitions[fallback].to, 1.0, timeout is not None)]
        )
        total = 1.0
    return _Plan(tuple(weighted), total, state.wait_limit, timeout)


def _duration(transition: Transition, rng: random.Random) -> float:
    sim = transition.sim
    if sim is None:
        return 0.0
    if sim.after is not None:
        return float(sim.after)
    if sim.median is not None and sim.p90 is not None:
        sigma = math.log(sim.p90 / sim.median) / Z90
        return sim.median if sigma <= 0 else rng.lognormvariate(math.log(sim.median), sigma)
    return 0.0


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (a value that occurred); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def simulate(journey: Journey, *, runs: int, seed: int, max_steps_per_case: int = 500) -> SimulationReport:
    """Run ``runs`` cases from ``start``; see the module docstring for the rules."""
    rng = random.Random(seed)  # noqa: S311 - reproducible simulation, not security
    plans = {name: _plan(journey, name) for name, state in journey.states.items() if not state.terminal}
    durations: list[float] = []
    touches: list[float] = []
    silences: list[float] = []
    outcomes: Counter[str] = Counter()
    terminals: Counter[str] = Counter()
    unfinished = stuck = 0
    start = journey.start if journey.start in journey.states else None
    opened = 1 if journey.start_touchpoint else 0  # the opening message is a touch too
    for _ in range(runs):
        here, clock, silence, worst, touched = start, 0.0, 0.0, 0.0, opened
        for _step in range(max_steps_per_case):
            if here is None or journey.states[here].terminal:
                break
            plan = plans[here]
            if not plan.exits:
                break
            exit_ = _pick(plan, rng)
            if exit_.at_limit:
                spent = float(plan.wait_limit or 0)
            else:
                spent = _duration(journey.transitions[exit_.transition], rng)
                if plan.wait_limit is not None and plan.timeout is not None and spent > plan.wait_limit:
                    exit_ = _Exit(plan.timeout, journey.transitions[plan.timeout].to, 0.0, True)
                    spent = float(plan.wait_limit)
            clock += spent
            silence += spent
            worst = max(worst, silence)
            if journey.transitions[exit_.transition].touchpoint is not None:
                touched += 1
                silence = 0.0
            here = exit_.target
        if here is not None and journey.states[here].terminal:
            outcome = journey.states[here].outcome
            assert outcome is not None
            outcomes[outcome] += 1
            terminals[here] += 1
            durations.append(clock)
            touches.append(touched)
            silences.append(worst)
        elif here is None or not plans[here].exits:
            stuck += 1
        else:
            unfinished += 1
    if unfinished or stuck:
        outcomes["unfinished"] = unfinished + stuck
        terminals["unfinished"] = unfinished + stuck
    return SimulationReport(
        journey=journey.key,
        runs=runs,
        seed=seed,
        max_steps_per_case=max_steps_per_case,
        finished=len(durations),
        unfinished=unfinished,
        stuck=stuck,
        duration_p50=_round(percentile(durations, 50)),
        duration_p90=_round(percentile(durations, 90)),
        touches_mean=round(sum(touches) / len(touches), 2) if touches else None,
        touches_p50=percentile(touches, 50),
        touches_p90=percentile(touches, 90),
        outcome_shares={k: outcomes[k] / runs for k in ("success", "failure", "unfinished") if outcomes[k]},
        terminal_shares={k: terminals[k] / runs for k in [*journey.states, "unfinished"] if terminals[k]},
        silence_worst=_round(max(silences)) if silences else None,
        silence_p90=_round(percentile(silences, 90)),
        max_silence=journey.max_silence,
        over_max_silence=(sum(s > journey.max_silence for s in silences) / len(silences)) if silences else 0.0,
    )


def _pick(plan: _Plan, rng: random.Random) -> _Exit:
    roll = rng.random() * plan.total
    for exit_ in plan.exits:
        roll -= exit_.weight
        if roll < 0:
            return exit_
    return plan.exits[-1]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
