"""Load the demo business: staff, teams, catalog, customers and ~50 cases spread over the journey.

Each case's route is chosen with the pure transition function first (by the journey's own ``sim``
weights, :mod:`touchpoint.demo.walk`), then taken through the product's own services at the times
it would have happened, the way people and the worker take it: the order placed as on the order
page, payments by card on the demo card page or by bank transfer on the payments panel, parcels
through the scan station, diagnoses and answers through the quote panel, feedback through the
feedback form, balances waived through the remedies panel, wait limits fired by the worker's timer
call, every other step as the console or the customer's page records it. So timelines, messages,
timers, payments and refunds are exactly what a real case leaves behind, and each case's current
wait timer is still running. Every case is keyed by its order form's nonce: loading twice changes
nothing."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django_otp.oath import totp

from touchpoint.cases.actors import CARRIER, CUSTOMER, CaseActor, staff_actor
from touchpoint.cases.eta import eta_figures_work
from touchpoint.cases.journeys import journey_latest, journey_of, journeys_sync
from touchpoint.cases.models import Case, TimelineEntry, Timer, TimerStatus
from touchpoint.cases.services.handoffs import case_accept_handoff
from touchpoint.catalog.models import DeviceModel, Problem
from touchpoint.core import clock
from touchpoint.customers.models import Customer
from touchpoint.customers.services import Contact
from touchpoint.demo import business
from touchpoint.demo.feedback import demo_wall_and_themes, give_demo_feedback
from touchpoint.demo.payments import (
    balance_waive,
    bank_transfer,
    card_checkout,
    card_declined,
    card_pays,
    cards_on,
    refunds_settle,
)
from touchpoint.demo.quotes import QUOTE_EVENTS, quote_step
from touchpoint.demo.walk import Step, demo_route
from touchpoint.devmail.phone import SWITCHED_OFF
from touchpoint.flows.advance import case_advance
from touchpoint.flows.intake import Order, order_place
from touchpoint.flows.timers import TimerOutcome, timer_fire
from touchpoint.journeys import Journey
from touchpoint.shipping.services import scan_record
from touchpoint.staff.models import StaffUser, Team
from touchpoint.staff.two_factor import (
    app_device,
    recovery_codes_issue,
    secret_for_typing,
    totp_device_confirm,
    totp_device_pending,
    two_factor_required,
)

DEMO_JOURNEY = "mail-in-repair"
# Parcels go through the scan station: these events are what a scan records.
SCANNED_IN = frozenset({"device_arrived"})
SCANNED_OUT = frozenset({"box_dispatched", "box_resent", "return_shipped", "replacement_sent"})


class DemoError(Exception):
    """A demo case didn't go where its route said: the product refused a step the journey allows."""


@dataclass(frozen=True)
class DemoTwoFactor:
    """How a lead or the admin gets past the code step: the key to add to an authenticator app, or
    one of these recovery codes (each works once; every load prints fresh ones)."""

    key: str
    recovery_codes: list[str]


@dataclass(frozen=True)
class DemoSummary:
    staff: list[str]
    password: str
    cases: int
    created: int
    roles: dict[str, str] = field(default_factory=dict)  # username -> role
    two_factor: dict[str, DemoTwoFactor] = field(default_factory=dict)  # for those who need a code


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
        two_factor = _two_factor(staff)
        customers = _customers()
    journey = journey_of(journey_latest(DEMO_JOURNEY))
    cards = cards_on()
    created = 0
    for i in range(cases + history):
        if progress is not None:
            progress(i, cases + history)
        rng = random.Random(f"{seed}:{i}")  # noqa: S311 - a reproducible demo, not a secret
        customer = customers[i % len(customers)]
        if _replay_case(i, journey, customer, staff, rng, finished=i >= cases, cards=cards):
            created += 1
    demo_wall_and_themes(staff=staff)
    # The worker's ETA job, as its next pass would run it: the finished cases' figures for the case pages.
    eta_figures_work(worker_id="demo-loader", batch=20, lease_seconds=60)
    roles = {username: user.role for username, user in staff.items()}
    return DemoSummary(sorted(staff), password, cases, created, roles, two_factor)


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


def _two_factor(staff: dict[str, StaffUser]) -> dict[str, DemoTwoFactor]:
    """The lead and the admin can't work without two-factor, in the demo as anywhere: their app is set
    up once as a person does it (typing the code the app shows for the key), and each load gives them
    fresh recovery codes, printed with the logins, so a newcomer signs in without a phone."""
    out = {}
    for username, user in staff.items():
        if not two_factor_required(user):
            continue
        device = app_device(user=user)
        if device is None:
            device = totp_device_pending(user=user)
            app_shows = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
            if not totp_device_confirm(device=device, code=f"{app_shows:06d}"):
                raise DemoError(f"{username}'s authenticator app was refused its own code")
        out[username] = DemoTwoFactor(secret_for_typing(device), recovery_codes_issue(user=user))
    return out


PHONE_OFF = 7  # Lena Vogel, who chose texts


def _customers() -> list[Customer]:
    out = []
    for n, (name, town) in enumerate(business.CUSTOMERS):
        email = name.lower().replace(" ", ".").replace("'", "") + "@example.com"
        customer, _ = Customer.objects.get_or_create(
            email=email,
            defaults={
                "name": name,
                "tier": business.TIERS[n % len(business.TIERS)],
                # as the order form keeps it: E.164 (Ofcom's range for drama); one texts customer's phone is
                # switched off, so her texts come back undelivered and reach her by email (devmail/phone.py)
                "phone": SWITCHED_OFF if n == PHONE_OFF else f"+447700900{n:03d}",
                "preferred_channel": "sms" if n % 4 == 3 else "email",  # a quarter chose texts (dev mailbox)
                "plain_messages": n % 9 == 8,
                "address_line1": f"{10 + n} Station Road",
                "town": town,
                "postcode": f"AB{n + 1} 2CD",
            },
        )
        out.append(customer)
    return out


def _contact(customer: Customer) -> Contact:
    """What the customer types on the order form: the details we hold for them."""
    return Contact(
        name=customer.name,
        email=customer.email,
        phone=customer.phone,
        address_line1=customer.address_line1,
        town=customer.town,
        postcode=customer.postcode,
        country=customer.country or "GB",
        preferred_channel=customer.preferred_channel,
        plain_messages=customer.plain_messages,
    )


def _member(team: str, staff: dict[str, StaffUser]) -> StaffUser:
    """The demo's person in ``team`` (agents first, so leads are left for what only they may do)."""
    for username in ("alex", "sam", "jo", "priya", "admin"):
        user = staff[username]
        if team in {t.slug for t in user.teams.all()}:
            return user
    return staff["admin"]


def _case_actor(by: str, staff: dict[str, StaffUser]) -> CaseActor:
    if by == "customer":
        return CUSTOMER
    if by == "carrier":
        return CARRIER
    if by.startswith("team:"):
        return staff_actor(_member(by[5:], staff))
    return staff_actor(staff["priya"] if by == "role:lead" else staff["admin"])


def _replay_case(
    i: int,
    journey: Journey,
    customer: Customer,
    staff: dict[str, StaffUser],
    rng: random.Random,
    *,
    finished: bool,
    cards: bool,
) -> bool:
    nonce = f"demo-{i}"
    if TimelineEntry.objects.filter(idempotency_key=f"intake:{nonce}").exists():
        return False  # loaded before
    models = list(DeviceModel.objects.filter(active=True).values_list("slug", flat=True))
    problems = [slug for slug, _, _ in business.PROBLEMS]
    order = Order(
        model=rng.choice(models),
        problem=rng.choice(problems),
        prepaid_box=rng.random() < 0.6,
        contact=_contact(customer),
        description=rng.choice(business.DESCRIPTIONS),
    )
    known = {**journey.initial_data(), "model": order.model, "problem": order.problem, "prepaid_box": order.prepaid_box}
    if finished:  # walked to its end, some weeks ago
        route = demo_route(journey, rng, known, max_steps=80, troubled=False, cards=cards)
        ended = rng.uniform(1, 60) * 86400
    else:
        steps = rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 14, 16, 20])
        route = demo_route(journey, rng, known, max_steps=steps, troubled=i % 3 == 0, cards=cards)
        # Lay the history down so that the current state was entered a little while ago, well inside its limit.
        ended = rng.uniform(0.05, 0.6) * (journey.states[route.end].wait_limit or 86400)
    moment = clock.now() - timedelta(seconds=sum(s.seconds for s in route.steps) + ended)
    with clock.at(moment):
        case = order_place(order=order, nonce=nonce)
    for n, step in enumerate(route.steps):
        moment += timedelta(seconds=step.seconds)
        with clock.at(moment):
            case = _take(case, step, staff, rng, key=f"demo:{i}:{n}")
        if case.state != step.to:
            raise DemoError(f"demo case {i} ({case.reference}): {step.event} left it in {case.state}, not {step.to}")
        if step.refund:  # the refunds job sends the card refunds; intake pays the rest back, mostly at once
            with clock.at(moment + timedelta(minutes=1)):
                refunds_settle(case=case, staff=staff["alex"], pay_back=finished or rng.random() < 0.5)
            case = Case.objects.select_related("journey", "customer").get(pk=case.pk)
    _maybe_accept(case, journey, staff, rng)
    return True


def _take(case: Case, step: Step, staff: dict[str, StaffUser], rng: random.Random, *, key: str) -> Case:
    """Take ``step`` the way the shop takes it (see the module's docstring)."""
    event, name = step.event, case.customer.name
    if step.by == "timer":
        timer = Timer.objects.get(case=case, purpose="wait", status=TimerStatus.PENDING)
        outcome = timer_fire(timer_id=timer.pk, worker_id="demo-loader")
        if outcome != TimerOutcome.FIRED:
            raise DemoError(f"{case.reference}: the {timer.event} timer {outcome}")
    elif event == "card_submitted":
        card_checkout(case=case)
    elif event == "payment_succeeded":
        return card_pays(case=case, customer_name=name)
    elif event == "payment_declined":
        return card_declined(case=case, customer_name=name)
    elif event == "offline_payment_received" or (event == "balance_paid" and step.by != "system"):
        return bank_transfer(case=case, staff=_member("intake", staff))
    elif event == "balance_paid":
        card_checkout(case=case)
        return card_pays(case=case, customer_name=name)
    elif event == "balance_waived":  # by a lead: the whole balance is over an agent's own limit
        reason = "A goodwill gesture: the repair took longer than we said."
        return balance_waive(case=case, staff=staff["priya"], reason=reason)
    elif event in QUOTE_EVENTS:
        return quote_step(case=case, event=event, lines=step.lines, by=_case_actor(step.by, staff), bench=staff["sam"])
    elif event == "feedback_given":  # through the feedback form, with a comment
        return give_demo_feedback(case=case, csat=int(step.given["rating"]), rng=rng)
    elif event in SCANNED_IN or event in SCANNED_OUT:
        user = _case_actor(step.by, staff).user or staff["alex"]
        dispatched = event in SCANNED_OUT
        result = scan_record(
            code=case.reference,
            action="dispatched" if dispatched else "arrived",
            user=user,
            carrier="Royal Mail" if dispatched else "",
            tracking_number=f"RM{rng.randint(10**8, 10**9 - 1)}GB" if dispatched else "",
        )
        if result.outcome != "recorded":
            raise DemoError(f"{case.reference}: the scan station said {result.message}")
    else:  # the console's buttons, or the customer's on their page
        case_advance(
            case=case, event=event, actor=_case_actor(step.by, staff), given=step.given or None, idempotency_key=key
        )
    return Case.objects.select_related("journey", "customer").get(pk=case.pk)


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
