"""Where a case is on its way: the journey's milestones (the route most cases take, from the start
to a successful end) and a state's place among them, as "Step 3 of 6: In surgery".

Pure and framework-free. The milestones are worked out once per journey (cached by the journey
object), so a message asks only a dictionary look-up of its state.

**The milestones** follow, from ``start``, the move most cases take (the highest ``sim`` weight; a
move without one weighs nothing) that doesn't lead into an exception, a failed end, a state already
on the route, or out by the state's own timeout, until a successful end. Neighbouring states with
the same label are one milestone: the customer sees one step on their page.

**A state off that route** (a quote waiting for an answer, a reminder) is shown at the milestone it
comes after: its next milestone is the nearest one it can reach. An exception (a lost parcel, a
complaint: entered from many steps, so no one place on the way) and a state from which no milestone
can be reached (a failed end) have no progress: a bar there would only mislead.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from touchpoint.journeys.graph import edges
from touchpoint.journeys.model import Journey

DONE, NOW, NEXT, LATER = "done", "now", "next", "later"


@dataclass(frozen=True)
class Milestone:
    label: str
    status: str  # DONE, NOW, NEXT or LATER


@dataclass(frozen=True)
class Progress:
    number: int  # 1-based: the step the case is at
    count: int
    label: str  # what the customer sees for where the case is now (its state's label)
    next_label: str  # the milestone after it, "" at the last one
    steps: tuple[Milestone, ...]

    @property
    def finished(self) -> bool:
        return self.number == self.count

    @property
    def line(self) -> str:
        """``Step 3 of 6: In surgery``."""
        return f"Step {self.number} of {self.count}: {self.label}"


@dataclass(frozen=True)
class _Map:
    labels: tuple[str, ...]  # one per milestone
    at: dict[str, int]  # state → the index of the milestone it shows (absent: no progress)


_MAPS: dict[str, tuple[Journey, _Map]] = {}


def _main_route(journey: Journey) -> list[str]:
    route = [journey.start]
    state = journey.start
    while state in journey.states and not journey.states[state].terminal:
        best: tuple[float, str] | None = None
        for transition in journey.transitions:
            if state not in transition.from_ or transition.to in route or transition.to not in journey.states:
                continue
            target = journey.states[transition.to]
            if target.exception or target.outcome == "failure" or transition.on == journey.states[state].on_timeout:
                continue
            weight = transition.sim.weight if transition.sim is not None else 0.0
            if best is None or weight > best[0]:
                best = (weight, transition.to)
        if best is None:
            break
        state = best[1]
        route.append(state)
    return route


def _build(journey: Journey) -> _Map:
    route = _main_route(journey)
    labels: list[str] = []
    at: dict[str, int] = {}
    for state in route:
        label = journey.states[state].label
        if not labels or labels[-1] != label:
            labels.append(label)
        at[state] = len(labels) - 1
    # Off the route: the milestone before the nearest one the state can reach, going forward.
    following: dict[str, list[str]] = {name: [] for name in journey.states}
    for edge in edges(journey):
        following[edge.source].append(edge.target)
    for name, found in journey.states.items():
        if name in at or found.outcome == "failure" or found.exception:
            continue
        seen, queue = {name}, deque(following[name])
        while queue:
            nxt = queue.popleft()
            if nxt in seen:
                continue
            seen.add(nxt)
            if nxt in at:
                at[name] = max(at[nxt] - 1, 0)
                break
            queue.extend(following[nxt])
    return _Map(tuple(labels), at)


def milestones(journey: Journey) -> _Map:
    """The journey's milestones and where each state shows, worked out once per journey object."""
    cached = _MAPS.get(journey.key)
    if cached is None or cached[0] is not journey:
        cached = (journey, _build(journey))
        _MAPS[journey.key] = cached
    return cached[1]


def case_progress(journey: Journey, state: str) -> Progress | None:
    """Where a case in ``state`` is on its way; None when its state leads to no milestone (or the
    journey has fewer than two: one step is no way to show)."""
    found = milestones(journey)
    index = found.at.get(state)
    if index is None or len(found.labels) < 2:
        return None
    count = len(found.labels)
    if journey.states[state].terminal:  # a successful end: every step done
        index = count - 1

    def status(i: int) -> str:
        if i < index or (i == index and i == count - 1 and journey.states[state].terminal):
            return DONE
        return NOW if i == index else NEXT if i == index + 1 else LATER

    steps = tuple(Milestone(label, status(i)) for i, label in enumerate(found.labels))
    return Progress(
        number=index + 1,
        count=count,
        label=journey.states[state].label,
        next_label=found.labels[index + 1] if index + 1 < count else "",
        steps=steps,
    )
