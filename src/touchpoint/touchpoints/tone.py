"""The tone rule: playful when things go well, sober the moment they don't.

"If you do things well, then humour makes you stand out. If you regularly get things wrong, the
humour makes you seem like a clown" (seed 000). So every message is sober when the case is in an
exception, heading to a failure outcome, under an open complaint, when the customer's latest
message reads as negative, or when the customer asked for plain messages; playful otherwise.

:func:`tone_decide` is pure (no database); :func:`tone_for_case` gathers its inputs.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Literal

from touchpoint.cases.models import Case, Task, TaskKind, TaskStatus
from touchpoint.journeys import Journey

Tone = Literal["playful", "sober"]
TONES: tuple[Tone, ...] = ("playful", "sober")
NEGATIVE_SENTIMENT = -0.3  # VADER compound score at or below this reads as negative


@dataclass(frozen=True)
class ToneDecision:
    tone: Tone
    reason: str


# id(journey) → (a weak reference to it, its doomed states). Journeys aren't hashable; the weak
# reference tells a journey from a newer one that took the id of a collected one.
_FAILURE_AHEAD: dict[int, tuple[weakref.ref[Journey], frozenset[str]]] = {}


def _failure_ahead_states(journey: Journey) -> frozenset[str]:
    """Every state whose reachable terminals are all failures (worked out once per journey)."""
    onward: dict[str, set[str]] = {}
    for (source, _event), indexes in journey.index.items():
        onward.setdefault(source, set()).update(journey.transitions[i].to for i in indexes)
    doomed = set()
    for start in journey.states:
        seen, stack, outcomes = {start}, [start], set()
        while stack:
            current = stack.pop()
            here = journey.states.get(current)
            if here is not None and here.outcome is not None:
                outcomes.add(here.outcome)
                continue
            for target in onward.get(current, ()):
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        if outcomes == {"failure"}:
            doomed.add(start)
    return frozenset(doomed)


def failure_ahead(journey: Journey, state: str) -> bool:
    """True when ``state`` is a failure terminal, or every terminal reachable from it is a failure."""
    cached = _FAILURE_AHEAD.get(id(journey))
    if cached is None or cached[0]() is not journey:
        if len(_FAILURE_AHEAD) > 1024:
            _FAILURE_AHEAD.clear()
        cached = _FAILURE_AHEAD[id(journey)] = (weakref.ref(journey), _failure_ahead_states(journey))
    return state in cached[1]


def _says_complaint(name: str, label: str) -> bool:
    return "complaint" in name.lower() or "complaint" in label.lower()


def tone_decide(
    *,
    journey: Journey,
    state: str,
    complaint_task_open: bool,
    sentiment: float | None,
    plain_messages: bool,
) -> ToneDecision:
    """The tone for a message sent by a case now in ``state``, and why. The first trigger wins."""
    if plain_messages:
        return ToneDecision("sober", "the customer asked for plain messages")
    here = journey.states.get(state)
    label = here.label if here is not None else state
    if here is not None and here.exception:
        return ToneDecision("sober", f"exception: the case is in “{label}”")
    if failure_ahead(journey, state):
        if here is not None and here.outcome == "failure":
            return ToneDecision("sober", f"failure: the case ended in “{label}”")
        return ToneDecision("sober", f"failure ahead: every way on from “{label}” ends in failure")
    if _says_complaint(state, label):
        return ToneDecision("sober", f"complaint open: the case is in “{label}”")
    if complaint_task_open:
        return ToneDecision("sober", "complaint open: an urgent customer message is waiting for a person")
    if sentiment is not None and sentiment <= NEGATIVE_SENTIMENT:
        return ToneDecision("sober", f"negative sentiment: the customer's latest message scored {sentiment:+.2f}")
    return ToneDecision("playful", "all going well")


def tone_for_case(*, case: Case, journey: Journey, opened: bool = False) -> ToneDecision:
    """The tone for ``case``'s next message (one SELECT: is an urgent customer message open?; none
    when the case was ``opened`` by the caller's transaction: no customer message can wait on it yet)."""
    urgent = (
        not opened
        and Task.objects.filter(
            case_id=case.pk, kind=TaskKind.CUSTOMER_MESSAGE, status=TaskStatus.OPEN, priority=1
        ).exists()
    )
    return tone_decide(
        journey=journey,
        state=case.state,
        complaint_task_open=urgent,
        sentiment=case.customer_sentiment,
        plain_messages=case.customer.plain_messages,
    )
