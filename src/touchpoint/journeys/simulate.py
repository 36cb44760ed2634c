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
* **Clocks.** Given opening hours (``hours``: whose hours a team keeps, as ``journey check
  --clocks`` takes them), a state on the business clock (``clock: business``, the default for a
  team's state) takes its drawn time in that team's open time: four hours of bench work started on
  Friday at 16:00 end on Monday at 12:00. Its wait limit counts in the clock the journey gives it
  (``wait_clock``), as the worker counts it, and the timeout fires at whichever comes first on the
  calendar. Every other state's time is calendar time. Each case then opens at a moment drawn
  evenly over a week (from its own generator, so the routes taken are those of the calendar run),
  and durations and silences are calendar time as the customer lives them. Without hours every hour
  counts, as before. The report says which.

Only ``random.Random(seed)`` is used, so a seed always gives the same report.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from touchpoint.hours import OpeningHours, business_add
from touchpoint.journeys.clocks import REFERENCE_MONDAY
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
    work_hours: OpeningHours | None = None  # the team's hours its drawn time counts in (business clock)
    wait_hours: OpeningHours | None = None  # the hours its wait limit counts in


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
    clock: str = "calendar time: every hour counts (no opening hours given)"  # which clock, in words
    business_states: tuple[str, ...] = ()  # the states whose time or wait limit counted a team's open hours

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
            "clock": self.clock,
            "business_states": list(self.business_states),
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
        lines.append(f"  clock             {self.clock}")
        if self.business_states:
            lines.append(f"  business clock    {', '.join(self.business_states)}")
        return "\n".join(lines) + "\n"


def _plan(journey: Journey, name: str, hours: Callable[[str | None], OpeningHours | None]) -> _Plan:
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
    work = hours(state.team) if state.limit_clock == "business" else None
    wait = hours(state.team) if state.wait_limit is not None and state.wait_clock_used == "business" else None
    return _Plan(tuple(weighted), total, state.wait_limit, timeout, work, wait)


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


def simulate(
    journey: Journey,
    *,
    runs: int,
    seed: int,
    max_steps_per_case: int = 500,
    hours: Callable[[str | None], OpeningHours | None] | None = None,
    opens_at: datetime | None = None,
) -> SimulationReport:
    """Run ``runs`` cases from ``start``; see the module docstring for the rules. ``hours`` gives the
    opening hours a team keeps (its slug; None: the shop's), None when it keeps none; ``opens_at``,
    when given, is the moment every case opens (else each opens at a moment drawn over a week)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible simulation, not security
    opened_rng = random.Random(f"opened:{seed}")  # noqa: S311 - its own, so the routes stay the calendar run's
    kept = hours or _every_hour
    plans = {name: _plan(journey, name, kept) for name, state in journey.states.items() if not state.terminal}
    counted = tuple(name for name, plan in plans.items() if plan.work_hours or plan.wait_hours)
    clocks = [h for plan in plans.values() for h in (plan.work_hours, plan.wait_hours) if h is not None]
    week = _week_start(kept(None) or (clocks[0] if clocks else None))
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
        # the calendar moment the case is at: only needed when some state counts open hours
        moment = week
        if counted:
            moment = opens_at if opens_at is not None else week + timedelta(seconds=opened_rng.random() * WEEK_SECONDS)
        for _step in range(max_steps_per_case):
            if here is None or journey.states[here].terminal:
                break
            plan = plans[here]
            if not plan.exits:
                break
            exit_ = _pick(plan, rng)
            limit = _until(moment, plan.wait_limit, plan.wait_hours) if plan.wait_limit is not None else None
            if exit_.at_limit:
                spent = limit if limit is not None else 0.0
            else:
                spent = _until(moment, _duration(journey.transitions[exit_.transition], rng), plan.work_hours)
                if limit is not None and plan.timeout is not None and spent > limit:
                    exit_ = _Exit(plan.timeout, journey.transitions[plan.timeout].to, 0.0, True)
                    spent = limit
            if counted:
                moment += timedelta(seconds=spent)
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
        clock=_clock_words(plans, counted, hours, opens_at),
        business_states=counted,
    )


WEEK_SECONDS = 7 * 24 * 3600


def _every_hour(team: str | None) -> OpeningHours | None:
    return None


def _week_start(hours: OpeningHours | None) -> datetime:
    """Monday 00:00 of the reference week, in the hours' zone (UTC without hours)."""
    zone = hours.zone if hours is not None else UTC
    return datetime.combine(REFERENCE_MONDAY, time(0, 0), tzinfo=zone)


def _until(moment: datetime, seconds: float, hours: OpeningHours | None) -> float:
    """Calendar seconds from ``moment`` until ``seconds`` of time have passed: open time of
    ``hours`` (a move that happens at once still does), else calendar time."""
    if hours is None or seconds <= 0:
        return float(seconds)
    return (business_add(moment, timedelta(seconds=seconds), hours) - moment).total_seconds()


def _clock_words(
    plans: Mapping[str, _Plan],
    counted: tuple[str, ...],
    hours: Callable[[str | None], OpeningHours | None] | None,
    opened: datetime | None,
) -> str:
    if not counted:
        if hours is None:
            return "calendar time: every hour counts (no opening hours given)"
        return "calendar time: no state counts a team's opening hours"
    described = sorted({h.describe() for p in plans.values() for h in (p.work_hours, p.wait_hours) if h is not None})
    when = (
        f"every case opens at {opened.isoformat()}" if opened is not None else "cases open at random moments of a week"
    )
    return (
        f"business time for the team states below, in {'; '.join(described)}; calendar time elsewhere "
        f"({when}; durations and silences are calendar time)"
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
