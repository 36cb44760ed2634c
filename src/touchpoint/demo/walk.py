"""The routes the demo's cases take, chosen with the pure transition function by the journey's own
``sim`` weights, before anything is written.

Each step says who takes it (as the running shop would: the customer on their page, a team in the
console, the card page's events for a card payment, the worker for a wait limit that runs out) and
the values the move asks for (a quote total and the quote's lines, a rating), chosen so the engine
takes exactly the move the dice picked. A move the demo can't take the way the shop would (a step
only a carrier could report, or a card payment when the card page is off) is left out of the dice,
and a guarded twin is only offered when the case's data lets it happen: the walk never sets data
by hand to force a branch."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from touchpoint.demo.feedback import rating_order
from touchpoint.demo.quotes import FINDINGS, revised
from touchpoint.flows.quotes import LineInput
from touchpoint.journeys import Actor, Advanced, Journey, advance
from touchpoint.journeys.guards import witness
from touchpoint.journeys.model import Transition

PAY_BY_CARD = "card_submitted"
PAY_OFFLINE = "offline_payment_received"
PAYMENTS = "payments"  # the integration behind the events only the card provider reports
STOP_IN_TROUBLE = 0.6  # a troubled case waits in the exception it reached, more often than not
# The card page answers only a checkout that is open: the customer's card payment opens one, and
# its answer (paid, or declined and left) closes it.
CARD_ANSWERS = frozenset({"payment_succeeded", "payment_declined"})
SYSTEM_STEPS = 3  # steps a route may take past its length to leave a state only the card page moves


@dataclass(frozen=True)
class Step:
    event: str
    by: str  # the `by` entry it is taken under (customer, team:bench, role:lead, system), or "timer"
    seconds: float  # time spent in the state before it
    given: dict[str, Any] = field(default_factory=dict)  # the values the move asks for
    lines: tuple[LineInput, ...] = ()  # a diagnosis's or revised quote's lines (their total is quote_total)
    refund: bool = False  # the move gives money back
    to: str = ""  # the state the engine says it leads to


@dataclass(frozen=True)
class Route:
    steps: list[Step]
    end: str  # the state the last step leaves the case in


@dataclass(frozen=True)
class _Option:
    weight: float
    transition: Transition
    by: str
    given: dict[str, Any]
    lines: tuple[LineInput, ...]
    result: Advanced


def journey_actor(by: str) -> Actor:
    """How the engine sees whoever takes a step under the ``by`` entry ``by``."""
    if by in ("timer", "customer", "carrier", "system"):
        return Actor(by)  # type: ignore[arg-type]
    if by.startswith("team:"):
        return Actor("staff", role="agent", teams=frozenset({by[5:]}))
    return Actor("staff", role="lead" if by == "role:lead" else "admin")


def taker(journey: Journey, transition: Transition, *, cards: bool) -> str | None:
    """Who takes ``transition`` in the demo: the customer where they may, the card page's events for a
    card payment, else the first team or role it names; None when nothing in the shop would (a
    carrier's or system's step that only a wait limit reaches)."""
    by = transition.by
    if transition.on == PAY_BY_CARD and not cards:
        return None
    if "customer" in by:
        return "customer"
    info = journey.events.get(transition.on)
    if "system" in by and info is not None and info.via == PAYMENTS and cards:
        return "system"
    people = [b for b in by if b.startswith(("team:", "role:")) or b == "staff"]
    return people[0] if people else None


def _choices(
    transition: Transition, rng: random.Random, last_lines: tuple[LineInput, ...]
) -> list[tuple[dict[str, Any], tuple[LineInput, ...]]]:
    """Values to offer for what ``transition`` asks, most believable first (the engine picks the
    first that takes this very move)."""
    asked = transition.asks
    if not asked:
        return [({}, ())]
    if asked == ["quote_total"]:
        if transition.on == "quote_revised":
            lines = revised(last_lines) if last_lines else (rng.choice(FINDINGS),)
        else:
            lines = (rng.choice(FINDINGS),)
        total = sum((line.price for line in lines), Decimal("0"))
        return [({"quote_total": str(total)}, lines), ({"quote_total": "0"}, ())]
    if asked == ["rating"]:
        return [({"rating": csat}, ()) for csat in rating_order(rng)]
    hint = witness(transition.guard) or {}
    return [({name: hint.get(name, False) for name in asked}, ())]


def demo_route(
    journey: Journey,
    rng: random.Random,
    data: Mapping[str, Any],
    *,
    max_steps: int,
    troubled: bool,
    cards: bool,
) -> Route:
    """A believable route from the start for a case opened with ``data`` (its intake and initial
    values), of about ``max_steps`` steps. ``troubled``: where a team or a carrier has the case,
    every branch as likely, and the walk mostly stops in an exception it reaches (some customers
    have a worse week, and a living shop has people on it)."""
    steps: list[Step] = []
    state, known = journey.start, dict(data)
    last_lines: tuple[LineInput, ...] = ()
    checkout_open = False
    for n in range(max_steps + SYSTEM_STEPS):
        here = journey.states[state]
        if here.terminal or (troubled and here.exception and rng.random() < STOP_IN_TROUBLE):
            break
        if n >= max_steps and here.owner != "system":
            break  # a case never rests where only the card page's answer (seconds away) moves it
        options = _options(journey, state, known, rng, last_lines, cards=cards)
        if not checkout_open:
            options = [o for o in options if o.transition.on not in CARD_ANSWERS]
        # The wait limit takes the share of cases no move claims; a card payment is always answered.
        declared = sum(t.sim.weight for t in journey.transitions if state in t.from_ and t.sim is not None)
        left = 0.0 if here.owner == "system" and options else max(0.0, 1.0 - declared)
        if troubled and (here.team is not None or here.owner == "carrier"):  # people and parcels have bad weeks
            options = [_with_weight(o, 1.0) for o in options]
            left = 1.0 if here.on_timeout else 0.0
        if not options and not here.on_timeout:
            break
        roll = rng.random() * (sum(o.weight for o in options) + (left if here.on_timeout else 0.0))
        chosen = None
        for option in options:
            roll -= option.weight
            if roll < 0:
                chosen = option
                break
        if chosen is None:  # the wait limit ran out
            assert here.on_timeout is not None
            result = advance(journey, state=state, event=here.on_timeout, data=known, actor=Actor("timer"))
            if not isinstance(result, Advanced):
                break
            moved = journey.transitions[result.transition] if result.transition is not None else None
            refund = moved is not None and moved.refund is not None
            step = Step(here.on_timeout, "timer", float(here.wait_limit or 0), refund=refund, to=result.target)
        else:
            result = chosen.result
            sim = chosen.transition.sim
            typical = (sim.after or sim.median or 3600) if sim else 3600
            seconds = min(typical * rng.uniform(0.5, 1.5), 0.8 * (here.wait_limit or typical))
            step = Step(
                chosen.transition.on,
                chosen.by,
                seconds,
                chosen.given,
                chosen.lines,
                chosen.transition.refund is not None,
                result.target,
            )
            last_lines = chosen.lines or last_lines
            if chosen.transition.on in (PAY_BY_CARD, *CARD_ANSWERS):
                checkout_open = chosen.transition.on == PAY_BY_CARD
        known.update(result.data)
        steps.append(step)
        state = result.target
    return Route(steps, state)


def _options(
    journey: Journey,
    state: str,
    known: Mapping[str, Any],
    rng: random.Random,
    last_lines: tuple[LineInput, ...],
    *,
    cards: bool,
) -> list[_Option]:
    here = journey.states[state]
    options: list[_Option] = []
    by_card = 0.0  # without the card page, those who would pay by card pay by bank transfer
    for index, transition in enumerate(journey.transitions):
        if state not in transition.from_ or transition.sim is None or transition.sim.weight <= 0:
            continue
        if transition.on == here.on_timeout:
            continue
        by = taker(journey, transition, cards=cards)
        if by is None:
            by_card += transition.sim.weight if transition.on == PAY_BY_CARD else 0.0
            continue
        for given, lines in _choices(transition, rng, last_lines):
            result = advance(
                journey, state=state, event=transition.on, data=known, actor=journey_actor(by), given=given
            )
            if isinstance(result, Advanced) and result.transition == index:
                options.append(_Option(transition.sim.weight, transition, by, given, lines, result))
                break
    if by_card:
        options = [
            _Option(o.weight + by_card, o.transition, o.by, o.given, o.lines, o.result)
            if o.transition.on == PAY_OFFLINE
            else o
            for o in options
        ]
    return options


def _with_weight(option: _Option, weight: float) -> _Option:
    return _Option(weight, option.transition, option.by, option.given, option.lines, option.result)
