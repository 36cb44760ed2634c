"""Load the demo business: staff, teams, catalog, customers and ~50 cases spread over the journey.

Each case's history is walked through the pure transition function first (choosing branches by
the journey's own ``sim`` weights), then replayed through the real services at the times it
would have happened, so timelines, messages and timers are exactly what a real case leaves
behind, and each case's current wait timer is still running. Every write is keyed, so loading
twice changes nothing."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction

from touchpoint.cases.actors import CARRIER, CUSTOMER, SYSTEM, TIMER, CaseActor, staff_actor
from touchpoint.cases.journeys import journey_latest, journey_of, journeys_sync
from touchpoint.cases.models import Case, Timer, TimerStatus
from touchpoint.cases.services.advance import case_advance, case_open
from touchpoint.cases.services.handoffs import case_accept_handoff
from touchpoint.catalog.models import DeviceModel, Problem
from touchpoint.core import clock
from touchpoint.customers.models import Customer
from touchpoint.demo import business
from touchpoint.demo.feedback import demo_wall_and_themes, give_demo_feedback, rating_order
from touchpoint.demo.quotes import QUOTE_EVENTS, quote_step
from touchpoint.journeys import Actor, Advanced, Journey, advance
from touchpoint.journeys.guards import guard_holds, witness
from touchpoint.staff.models import StaffUser, Team

DEMO_JOURNEY = "mail-in-repair"


@dataclass(frozen=True)
class Step:
    event: str
    by: str  # a `by` entry, or "timer"
    seconds: float  # time spent in the state before it
    data: dict[str, Any]


@dataclass(frozen=True)
class DemoSummary:
    staff: list[str]
    password: str
    cases: int
    created: int


def demo_load(
    *,
    password: str,
    cases: int = 50,
    history: int = 60,
    seed: int = 7,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Create or refresh the demo business: ``cases`` open and recent cases, and ``history`` cases
    finished over the last two months (the ETA, insights, the wall and themes learn from those).
    Safe to run again: nothing is duplicated."""
    journeys_sync()
    with transaction.atomic():
        _catalog()
        staff = _staff(password)
        customers = _customers()
    version = journey_latest(DEMO_JOURNEY)
    journey = journey_of(version)
    created = 0
    for i in range(cases + history):
        if progress is not None:
            progress(i, cases + history)
        rng = random.Random(f"{seed}:{i}")  # noqa: S311 - a reproducible demo, not a secret
        customer = customers[i % len(customers)]
        if _replay_case(i, journey, customer, staff, rng, finished=i >= cases):
            created += 1
    demo_wall_and_themes(staff=staff)
    return DemoSummary(sorted(staff), password, cases, created)


def _catalog() -> None:
    for slug, name, kind, diagnosis in business.DEVICE_MODELS:
        DeviceModel.objects.update_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "diagnosis_price": business.price(diagnosis)}
        )
    for position, (slug, label, typical) in enumerate(business.PROBLEMS):
        Problem.objects.update_or_create(
            slug=slug, defaults={"label": label, "typical_price": business.price(typical), "position": position}
        )


def _staff(password: str) -> dict[str, StaffUser]:
    teams = {
        slug: Team.objects.update_or_create(slug=slug, defaults={"name": name})[0]
        for slug, name in business.TEAMS.items()
    }
    out = {}
    for username, first, last, role, team_slugs in business.STAFF:
        user, created = StaffUser.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "role": role,
                "email": f"{username}@repairshop.test",
                "is_staff": True,
                "is_superuser": role == "admin",
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        user.teams.set([teams[s] for s in team_slugs])
        out[username] = user
    return out


def _customers() -> list[Customer]:
    out = []
    for n, (name, town) in enumerate(business.CUSTOMERS):
        email = name.lower().replace(" ", ".").replace("'", "") + "@example.com"
        customer, _ = Customer.objects.get_or_create(
            email=email,
            defaults={
                "name": name,
                "tier": business.TIERS[n % len(business.TIERS)],
                "phone": f"07700 900{n:03d}",
                "plain_messages": n % 9 == 8,
                "address_line1": f"{10 + n} Station Road",
                "town": town,
                "postcode": f"AB{n + 1} 2CD",
            },
        )
        out.append(customer)
    return out


def _walk(journey: Journey, rng: random.Random, data: dict[str, Any], max_steps: int, troubled: bool) -> list[Step]:
    """Choose a believable route with the pure transition function, by the journey's sim weights."""
    steps: list[Step] = []
    state = journey.start
    for _ in range(max_steps):
        here = journey.states[state]
        if here.terminal or (troubled and here.exception):  # a troubled case waits in its exception
            break
        options: list[tuple[float, int]] = []
        for i, t in enumerate(journey.transitions):
            if state in t.from_ and t.sim is not None and t.sim.weight > 0 and t.on != here.on_timeout:
                options.append((t.sim.weight, i))
        left = max(0.0, 1.0 - sum(w for w, _ in options))
        if troubled:  # some customers have a worse week: every branch as likely, so exceptions show up
            options = [(1.0, i) for _, i in options]
            left = 1.0 if here.on_timeout else 0.0
        roll = rng.random() * (sum(w for w, _ in options) + left)
        chosen: int | None = None
        for weight, index in options:
            roll -= weight
            if roll < 0:
                chosen = index
                break
        if chosen is None:  # the wait limit ran out
            event, by, seconds = here.on_timeout or "", "timer", float(here.wait_limit or 0)
            extra: dict[str, Any] = {}
        else:
            t = journey.transitions[chosen]
            event, by = t.on, t.by[0]
            sim = t.sim
            typical = (sim.after or sim.median or 3600) if sim else 3600
            seconds = min(typical * rng.uniform(0.5, 1.5), 0.8 * (here.wait_limit or typical))
            extra = {} if guard_holds(t.guard, data) else (witness(t.guard) or {})
        result = advance(journey, state=state, event=event, data={**data, **extra}, actor=_journey_actor(by))
        if not isinstance(result, Advanced):
            break
        data.update(extra)
        steps.append(Step(event, by, seconds, extra))
        state = result.target
    return steps


def _journey_actor(by: str) -> Actor:
    simple: dict[str, Actor] = {k: Actor(k) for k in ("timer", "customer", "carrier", "system")}
    if by in simple:
        return simple[by]
    if by.startswith("team:"):
        return Actor("staff", role="agent", teams=frozenset({by[5:]}))
    return Actor("staff", role="admin")


def _case_actor(by: str, staff: dict[str, StaffUser]) -> CaseActor:
    simple = {"timer": TIMER, "customer": CUSTOMER, "carrier": CARRIER, "system": SYSTEM}
    if by in simple:
        return simple[by]
    if by.startswith("team:"):
        member = next((u for u in staff.values() if by[5:] in {t.slug for t in u.teams.all()}), staff["admin"])
        return staff_actor(member)
    return staff_actor(staff["priya"] if by == "role:lead" else staff["admin"])


def _replay_case(
    i: int, journey: Journey, customer: Customer, staff: dict[str, StaffUser], rng: random.Random, *, finished: bool
) -> bool:
    models = list(DeviceModel.objects.values_list("slug", flat=True))
    problems = list(Problem.objects.values_list("slug", flat=True))
    data: dict[str, Any] = {
        "model": rng.choice(models),
        "problem": rng.choice(problems),
        "prepaid_box": rng.random() < 0.6,
    }
    opening = dict(data)
    if finished:  # walked to its end, some weeks ago
        steps = _walk(journey, rng, data, troubled=False, max_steps=80)
        ended = rng.uniform(1, 60) * 86400
    else:
        steps = _walk(
            journey, rng, data, troubled=i % 3 == 0, max_steps=rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 14, 16, 20])
        )
        # Lay the history down so that the current state was entered a little while ago, well inside its limit.
        final_state = _state_after(journey, steps, opening)
        ended = rng.uniform(0.05, 0.6) * (journey.states[final_state].wait_limit or 86400)
    started = clock.now() - timedelta(seconds=sum(s.seconds for s in steps) + ended)
    moment = started
    with clock.at(moment):
        result = case_open(
            journey=journey.name, customer=customer, actor=CUSTOMER, data=opening, idempotency_key=f"demo:{i}:open"
        )
    if result.replayed:
        return False
    case: Case = result.case
    for n, step in enumerate(steps):
        moment += timedelta(seconds=step.seconds)
        if step.event == "feedback_given":  # through the feedback service, with a comment, as the portal does
            with clock.at(moment):
                csat = _rating_like_the_walk(journey, case, step, rng)
                case = give_demo_feedback(case=case, csat=csat, rng=rng)
            continue
        if step.event in QUOTE_EVENTS:  # through the quote services, so there is a quote to read and answer
            with clock.at(moment):
                case = quote_step(case=case, event=step.event, data=step.data, by=_case_actor(step.by, staff), rng=rng)
            continue
        with clock.at(moment):
            case = case_advance(
                case=case,
                event=step.event,
                actor=_case_actor(step.by, staff),
                data=step.data,
                idempotency_key=f"demo:{i}:{n}",
            ).case
    _maybe_accept(case, journey, staff, rng)
    return True


def _rating_like_the_walk(journey: Journey, case: Case, step: Step, rng: random.Random) -> int:
    """A rating that takes the case where the walk went (a compliment to the end, a low one to a complaint)."""
    facts = {**case.data, **step.data}
    expected = advance(journey, state=case.state, event=step.event, data=facts, actor=Actor("customer"))
    for csat in rating_order(rng):
        tried = advance(
            journey, state=case.state, event=step.event, data={**facts, "rating": csat}, actor=Actor("customer")
        )
        if isinstance(tried, Advanced) and isinstance(expected, Advanced) and tried.target == expected.target:
            return csat
    return 5


def _maybe_accept(case: Case, journey: Journey, staff: dict[str, StaffUser], rng: random.Random) -> None:
    """Most handoffs are accepted promptly; leave a few waiting so the console has some to show."""
    state = journey.states[case.state]
    if state.accept_within is None or rng.random() < 0.2:
        return
    if not Timer.objects.filter(case=case, purpose="accept", status=TimerStatus.PENDING).exists():
        return
    actor = CARRIER if state.owner == "carrier" else _case_actor(state.owner, staff)
    with clock.at(case.state_entered_at + timedelta(seconds=state.accept_within * rng.uniform(0.1, 0.6))):
        case_accept_handoff(case=case, actor=actor)


def _state_after(journey: Journey, steps: list[Step], data: dict[str, Any]) -> str:
    state, facts = journey.start, dict(data)
    for step in steps:
        facts.update(step.data)
        result = advance(journey, state=state, event=step.event, data=facts, actor=_journey_actor(step.by))
        if isinstance(result, Advanced):
            state = result.target
    return state
