"""The silence bound on the calendar, with the shop's real opening hours and closed days.

A wait a team keeps in business time lasts longer on the calendar across a night, a weekend or a
bank holiday, and how much longer depends on when it starts. Taking each business wait at its own
worst (starting at a closing time) counts a weekend once per wait, although waits in a row share
one weekend; leaving out closed days misses the bank-holiday Monday that stretches a weekend's
silence past the bound. So the silence is counted on the calendar itself, from every start.

With ``end_v(t)`` the moment a case entering ``v`` at ``t`` reaches its wait limit (``t + limit``
in calendar time, or ``limit`` of open time after ``t`` in its team's hours), the latest a silence
entering ``v`` at ``t`` can last to is::

    F(v, t) = max(end_v(t), max F(w, end_v(t)) over silent moves v → w)

Each ``end_v`` is non-decreasing in ``t``, so leaving a state at its limit is the worst case (an
earlier move only starts the next wait sooner), and ``F(e, ·)`` is non-decreasing too. The silence
``F(e, t) − t`` grows only where ``F`` jumps: where some business wait along the way ends exactly at
a closing time (a moment later it ends after the next opening); between jumps it holds or shrinks.
So the worst over every start in the window is found at the window's start and just after each jump,
and the jumps are found by walking back from every closing time (the latest start whose wait still
ends by it) along the silent moves to where silences begin. Exact, not sampled; the work grows with
the closings in the window times the silent routes into each business wait (capped: past
:data:`MAX_POINTS` it answers with each business wait at its own worst, which is safe).

Framework-free: the hours are passed in (``touchpoint.hours``), as the console keeps them."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from touchpoint.hours import HoursInvalid, OpeningHours, business_add
from touchpoint.journeys import graph
from touchpoint.journeys.checker.silence import SilenceBound, silence_bound, silent_graph
from touchpoint.journeys.model import Journey

# Points (state, moment) walked back from closing times before the answer falls back to each wait
# at its own worst: far more than any journey the shop writes needs.
MAX_POINTS = 200_000
# Closings this long after the window still decide silences that start inside it.
OVERHANG_DAYS = 30
# How far past its window a timeline is built at first, and extended by when a wait runs past it.
BUILD_STEP_DAYS = 60
HORIZON_DAYS = 800  # further than this without the open time a wait needs: closed for good

TeamClock = Callable[[str | None], OpeningHours | None]

# The run-time guard (``flows.silence_guard``): a case silent for ``max_silence`` less the margin
# gets this touch point when its journey has it (else a person gets a task), so the bound holds at
# run time over a closed stretch the journey's own messages don't cover.
GUARD_TOUCHPOINT = "still_on_it"
GUARD_MARGIN_SECONDS = 2 * 3600  # the worker passes every few seconds; two hours is room to spare


def guard_after(journey: Journey) -> int:
    """After how many seconds of silence the run-time guard speaks: ``max_silence`` less the
    margin (a quarter of it for a bound under eight hours)."""
    return journey.max_silence - min(GUARD_MARGIN_SECONDS, journey.max_silence // 4)


@dataclass(frozen=True)
class ShopHours:
    """The hours a journey's silence is counted with: ``clock_of(team)`` is a team's opening hours
    (its slug; None for the shop's), closed days included, or None when none are set (then that
    team's waits count every hour). Silences starting from ``since`` for ``days`` are counted: a year
    ahead covers every bank holiday and closed date the shop has said."""

    clock_of: TeamClock
    since: datetime
    days: int = 366
    source: str = "the shop's opening hours"


@dataclass(frozen=True)
class CalendarSilence:
    """The worst silence on the calendar: its length (None when unbounded), the states of the
    stretch, when it starts (None when the hours change nothing), and whether it is exact (False:
    too many routes, each business wait counted at its own worst)."""

    worst_seconds: int | None
    path: tuple[str, ...]
    starts: datetime | None
    unbounded_reason: str | None
    exact: bool = True
    zone: ZoneInfo | None = None  # the first business clock's, to say ``starts`` in

    def starts_words(self) -> str:
        if self.starts is None:
            return ""
        local = self.starts.astimezone(self.zone or UTC)
        return f"{local:%a} {local.day} {local:%b %Y %H:%M} ({self.zone or 'UTC'})"


class Timeline:
    """A clock's open stretches as epoch seconds, with the open time up to each stretch's end: adding
    open time and finding the latest start of a wait are binary searches (``business_add`` walks the
    days). Agrees with :mod:`touchpoint.hours.clock` (``tests/journeys/test_silence_hours.py``)."""

    def __init__(self, hours: OpeningHours, since: datetime, days: int) -> None:
        self.hours = hours
        self.opens: list[int] = []
        self.closes: list[int] = []
        self.ends: list[int] = []  # open seconds from the first day to the end of stretch i
        self.first = since.astimezone(hours.zone).date() - timedelta(days=2)
        self.last = self.first - timedelta(days=1)
        self._build(self.first + timedelta(days=days + BUILD_STEP_DAYS))

    def _build(self, until: date) -> None:
        day = self.last + timedelta(days=1)
        while day <= until:
            for opens, closes in self.hours.intervals_on(day):
                a, b = int(opens.timestamp()), int(closes.timestamp())
                if self.closes and a <= self.closes[-1]:  # 24:00 then 00:00: one stretch
                    self.ends[-1] += max(self.closes[-1], b) - self.closes[-1]
                    self.closes[-1] = max(self.closes[-1], b)
                    continue
                self.ends.append((self.ends[-1] if self.ends else 0) + b - a)
                self.opens.append(a)
                self.closes.append(b)
            day += timedelta(days=1)
        self.last = until

    def _more(self) -> None:
        if (self.last - self.first).days > HORIZON_DAYS:
            raise HoursInvalid(f"closed for more than {HORIZON_DAYS} days: check the closed dates")
        self._build(self.last + timedelta(days=BUILD_STEP_DAYS))

    def _reach(self, t: int) -> None:
        while not self.closes or t >= self.closes[-1]:
            self._more()

    def _open_before(self, t: int) -> int:
        """Open seconds from the timeline's first day to ``t``."""
        self._reach(t)
        i = bisect_right(self.opens, t) - 1
        return 0 if i < 0 else self.ends[i] - self.closes[i] + min(t, self.closes[i])

    def add(self, t: int, seconds: int) -> int:
        """``business_add``: the moment ``seconds`` of open time after ``t``."""
        if seconds == 0:
            return self.next_open(t)
        target = self._open_before(t) + seconds
        while self.ends[-1] < target:
            self._more()
        i = bisect_left(self.ends, target)
        return self.closes[i] - (self.ends[i] - target)

    def next_open(self, t: int) -> int:
        self._reach(t)
        i = bisect_right(self.closes, t)  # the first stretch closing after t
        return max(t, self.opens[i])

    def latest_start(self, s: int, seconds: int) -> int | None:
        """The latest moment a wait of ``seconds`` open time can start and still end by ``s`` (the
        supremum when it isn't reached), or None when that is before the timeline begins."""
        if seconds == 0:  # ends at the next opening: by ``s`` when ``s`` is open, else up to the last close
            self._reach(s)
            i = bisect_right(self.opens, s) - 1
            return None if i < 0 else min(s, self.closes[i])
        target = self._open_before(s) - seconds
        if target < 0:
            return None
        i = bisect_right(self.ends, target)  # the first stretch whose end is past the target
        return self.opens[i] + target - (self.ends[i] - self.closes[i] + self.opens[i])

    def closings(self, first: int, last: int) -> list[int]:
        """The closing times in ``[first, last]`` (each followed by closed time)."""
        self._reach(last)
        return self.closes[bisect_left(self.closes, first) : bisect_right(self.closes, last)]


def silence_on_calendar(journey: Journey, hours: ShopHours) -> CalendarSilence:
    """The worst silence a customer meets on the calendar, over every start from ``hours.since``
    for ``hours.days``, each business wait counted in its team's hours (closed days included)."""
    plain = silence_bound(journey)
    if plain.worst_seconds is None:
        return CalendarSilence(None, plain.path, None, plain.unbounded_reason)
    moves = graph.edges(journey)
    reached = graph.reachable(graph.successors(journey, moves), [journey.start])
    adjacency, entries = silent_graph(journey, moves, reached)
    states = journey.states
    clocks: dict[str, Timeline] = {}
    timelines: dict[int, Timeline] = {}
    since = hours.since.astimezone(UTC)
    for name in adjacency:
        state = states[name]
        if state.wait_limit and state.wait_clock_used == "business":
            clock = hours.clock_of(state.team)
            if clock is not None:
                key = id(clock)
                if key not in timelines:
                    timelines[key] = Timeline(clock, since, hours.days)
                clocks[name] = timelines[key]
    if not clocks:  # every wait counts calendar time with these hours: the plain bound is the answer
        return CalendarSilence(plain.worst_seconds, plain.path, None, None)
    try:
        return _exact(journey, adjacency, entries, clocks, hours)
    except _TooMany:
        return _pessimistic(journey, clocks, plain)


class _TooMany(Exception):
    pass


def _exact(
    journey: Journey,
    adjacency: dict[str, list[str]],
    entries: list[str],
    clocks: dict[str, Timeline],
    hours: ShopHours,
) -> CalendarSilence:
    states = journey.states
    begin = int(hours.since.timestamp())
    end = begin + hours.days * 86400

    def wait(name: str) -> int:
        return states[name].wait_limit or 0

    def ends(name: str, t: int) -> int:
        clock = clocks.get(name)
        return clock.add(t, wait(name)) if clock is not None else t + wait(name)

    def latest(name: str, s: int) -> int | None:
        clock = clocks.get(name)
        return clock.latest_start(s, wait(name)) if clock is not None else s - wait(name)

    # Walk back from every closing time to where silences begin: the moments just after which the
    # silence jumps.
    back = graph.reversed_adjacency(adjacency)
    starting = set(entries)
    stack: list[tuple[str, int]] = []
    for name, clock in clocks.items():
        for close in clock.closings(begin, end + OVERHANG_DAYS * 86400):
            if (s := clock.latest_start(close, wait(name))) is not None and s >= begin:
                stack.append((name, s))
    seen: set[tuple[str, int]] = set()
    candidates: set[tuple[str, int]] = {(e, begin) for e in entries}
    while stack:
        point = stack.pop()
        if point in seen:
            continue
        seen.add(point)
        if len(seen) > MAX_POINTS:
            raise _TooMany
        name, s = point
        if name in starting and s <= end:
            candidates.update({(name, s), (name, s + 1)})  # the jump, and just after it
        for earlier in back.get(name, []):
            if (t := latest(earlier, s)) is not None and t >= begin:
                stack.append((earlier, t))

    # Forward: the latest each silence lasts to, remembered per (state, moment).
    latest_end: dict[tuple[str, int], tuple[int, str | None]] = {}

    def last(name: str, t: int) -> int:
        key = (name, t)
        if key not in latest_end:
            done = ends(name, t)
            best: tuple[int, str | None] = (done, None)
            for nxt in adjacency[name]:
                reach = last(nxt, done)
                if reach > best[0]:
                    best = (reach, nxt)
            latest_end[key] = best
        return latest_end[key][0]

    worst = max(((last(e, t) - t, -t, e) for e, t in candidates if t <= end), default=None)
    assert worst is not None  # the window's start is always a candidate
    seconds, minus_t, entry = worst
    t = -minus_t
    path = [entry]
    at = t
    while True:
        _, nxt = latest_end[(path[-1], at)]
        if nxt is None:
            break
        at = ends(path[-1], at)
        path.append(nxt)
    zone = next((clocks[n].hours.zone for n in path if n in clocks), None)
    return CalendarSilence(seconds, tuple(path), datetime.fromtimestamp(t, UTC), None, zone=zone)


def _pessimistic(journey: Journey, clocks: dict[str, Timeline], plain: SilenceBound) -> CalendarSilence:
    """Each business wait at its longest on the calendar (starting at the worst closing of the window):
    safe, but a weekend is counted once per wait."""
    spans: dict[str, int] = {}
    for name, clock in clocks.items():
        duration = timedelta(seconds=journey.states[name].wait_limit or 0)
        closes = clock.closings(clock.opens[0], clock.closes[-1])
        spans[name] = max(
            int((business_add(datetime.fromtimestamp(c, UTC), duration, clock.hours).timestamp()) - c) for c in closes
        )
    bound = silence_bound(journey, wait=lambda n: spans.get(n, journey.states[n].wait_limit or 0))
    return CalendarSilence(bound.worst_seconds, bound.path, None, bound.unbounded_reason, exact=False)
