"""Real cases of the shipped journeys walked to each of their touch points, the way people move them.

:func:`plan` asks the journey engine itself (no database) for the shortest way from a new case to
every touch point: who takes each step (the customer, a member of staff, the wait limit, the carrier
or an integration) and the values they give. :func:`drive` then takes those steps on a real case:
orders through the order and report forms' services, payments on the payments panel, the diagnosis
and the customer's answer through the quote panels, a waived balance on the remedies panel,
feedback through the feedback form's service,
wait limits fired by the worker's own call, a carrier's step recorded by hand by a lead with a
reason, and everything else through ``case_advance`` as the console's and the case page's buttons
call it. Each message a step writes is handed to ``seen`` with the case as that step left it.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import count
from typing import Any

from tests.quotes.repair import answer_quote, crew, diagnose, pay_offline
from tests.support.factories import CustomerFactory, StaffFactory
from tests.support.orders import contact_of, place_repair_order, register_library
from tests.support.timers import time_runs_out
from touchpoint.cases.actors import CUSTOMER, SYSTEM, recorded_by_hand, staff_actor
from touchpoint.cases.models import Case
from touchpoint.feedback.services import feedback_give
from touchpoint.flows.advance import case_advance, case_open
from touchpoint.flows.quotes import LineInput, quote_propose
from touchpoint.inbox.reports import Report, report_place
from touchpoint.journeys import Actor, Advanced, Journey, advance
from touchpoint.outbox.models import OutboxMessage
from touchpoint.payments.selectors import case_money
from touchpoint.remedies.services.remedies import remedy_apply
from touchpoint.staff.models import Role, StaffUser

EXTRA_WORK = Decimal("25.00")  # what the bench quotes for extra work when a route needs some
ORDER_TOTAL = Decimal("49.99")  # what an order-problem customer paid for their order
_keys = count(1)


@dataclass(frozen=True)
class Move:
    event: str
    who: str  # customer | staff | timer | carrier | system
    given: Mapping[str, Any]
    touchpoint: str | None


@dataclass(frozen=True)
class Route:
    intake: Mapping[str, Any]  # the values the case opens with that decide its routes
    moves: tuple[Move, ...]


# Values a route may open with (only those guards read): each journey's cases differ by these.
INTAKES: dict[str, list[dict[str, Any]]] = {
    "mail-in-repair": [{"prepaid_box": False}, {"prepaid_box": True}],
    "order-problem": [
        {"what_happened": "wrong_item", "return_needed": True},
        {"what_happened": "damaged", "return_needed": False},
    ],
    "walk-in-warranty": [
        {"in_warranty": True, "tier": "standard"},
        {"in_warranty": False, "tier": "standard"},
    ],
}
# The order a step's taker is tried in: a person where the journey lets one, then the clock.
WHO = ("customer", "staff", "timer", "carrier", "system")


def _planning_actor(journey: Journey, who: str) -> Actor:
    if who == "staff":
        teams = frozenset(b[5:] for t in journey.transitions for b in t.by if b.startswith("team:"))
        return Actor("staff", role="lead", teams=teams)
    return Actor(who)  # type: ignore[arg-type]


def _candidates(journey: Journey, name: str) -> list[Any]:
    declared = journey.data[name]
    if declared.type == "boolean":
        return [True, False]
    if declared.type == "money":
        return [str(EXTRA_WORK), "0"]
    if declared.type == "integer":
        return [declared.max or 5, declared.min or 1]
    return [declared.choices[0]] if declared.choices else ["x"]


def _givens(journey: Journey, state: str, event: str) -> list[dict[str, Any]]:
    asked = sorted({name for i in journey.index[(state, event)] for name in journey.transitions[i].asks})
    combos: list[dict[str, Any]] = [{}]
    for name in asked:
        combos = [{**c, name: value} for c in combos for value in _candidates(journey, name)]
    return combos


def plan(journey: Journey) -> dict[str, Route]:
    """The shortest route from a new case to each touch point ``journey`` sends (breadth first over
    the engine's own moves: states and the case data its guards read)."""
    found: dict[str, Route] = {}
    for intake in INTAKES[journey.name]:
        data = {**journey.initial_data(), **intake}
        start = (journey.start, json.dumps(data, sort_keys=True))
        queue: deque[tuple[str, dict[str, Any], tuple[Move, ...]]] = deque([(journey.start, data, ())])
        seen = {start}
        if journey.start_touchpoint and journey.start_touchpoint not in found:
            found[journey.start_touchpoint] = Route(intake, ())
        while queue:
            state, data, moves = queue.popleft()
            for event in journey.events_from(state):
                for given in _givens(journey, state, event):
                    for who in WHO:
                        result = advance(
                            journey,
                            state=state,
                            event=event,
                            data=data,
                            actor=_planning_actor(journey, who),
                            given=given,
                        )
                        if not isinstance(result, Advanced):
                            continue
                        tp = result.touchpoints[0] if result.touchpoints else None
                        route = (*moves, Move(event, who, given, tp))
                        if tp is not None and tp not in found:
                            found[tp] = Route(intake, route)
                        after = {**data, **result.data}
                        node = (result.target, json.dumps(after, sort_keys=True))
                        if node not in seen:
                            seen.add(node)
                            queue.append((result.target, after, route))
                        break  # one taker per move is enough
    return found


# --- driving a route on a real case -------------------------------------------------------------


@dataclass
class Walked:
    case: Case
    messages: list[tuple[OutboxMessage, Case]] = field(default_factory=list)


def lead() -> StaffUser:
    existing = StaffUser.objects.filter(username="walk-lead").first()
    every_team = ["intake", "bench", "shipping", "care", "warehouse", "counter", "workshop"]
    return existing or StaffFactory(username="walk-lead", role=Role.LEAD, teams=every_team)


def open_case(journey: str, intake: Mapping[str, Any]) -> Case:
    """A new case as its customer (or the counter) opens it."""
    customer = CustomerFactory(name="Ian Kearns")
    if journey == "mail-in-repair":
        return place_repair_order(customer, prepaid_box=bool(intake["prepaid_box"]))
    if journey == "order-problem":
        register_library(journey)
        report = Report(
            order_number="100234",
            what_happened=str(intake["what_happened"]),
            order_total=ORDER_TOTAL,
            contact=contact_of(customer),
            words="It came in pieces.",
        )
        return report_place(report=report, photos=[], nonce=f"walk-report-{next(_keys)}")
    register_library(journey)
    data = {
        "device": "Pulse headphones",
        "serial": "PH-20391",
        "problem_notes": "The left side is silent.",
        "has_receipt": False,
        **intake,
    }
    # The counter's walk-in form opens the case with what the agent sees and the customer says.
    return case_open(journey=journey, customer=customer, actor=staff_actor(lead()), data=data).case


def _fresh(case: Case) -> Case:
    return Case.objects.select_related("journey", "customer").get(pk=case.pk)


def take(case: Case, move: Move) -> Case:
    """Take one planned step on ``case`` through the surface its taker uses."""
    event, who, given = move.event, move.who, dict(move.given)
    key = f"walk:{case.pk}:{case.version}"
    if who == "timer":
        return time_runs_out(case)
    if event in ("offline_payment_received", "balance_paid") and who in ("staff", "system"):
        return pay_offline(case)
    if event in ("diagnosed", "quote_revised"):
        total = Decimal(str(given["quote_total"]))
        if event == "diagnosed":
            return _fresh(diagnose(case, [("A new battery", str(total))] if total > 0 else None))
        lines = [LineInput("A new battery", "At the price we agreed on the phone.", total)]
        return _fresh(quote_propose(case=case, version=case.version, by=crew(), lines=lines).case)
    if event in ("quote_approved", "quote_declined"):
        return _fresh(answer_quote(case, approve=event == "quote_approved"))
    if event == "balance_waived":
        # A lead waives what is left of the balance on the remedies panel (a fee waiver, audited there).
        due = case_money(case=case).balance_due
        remedy_apply(
            case=case,
            user=lead(),
            kind="fee_waiver",
            amount=due,
            reason="The repair took a week longer than we said.",
            expected_version=case.version,
            idempotency_key=key,
        )
        return _fresh(case)
    if event == "feedback_given":
        rating = int(given["rating"])
        return _fresh(feedback_give(case=case, version=case.version, csat=rating, comment="Thanks.").case)
    if who == "customer":
        return _fresh(case_advance(case=case, event=event, actor=CUSTOMER, given=given, idempotency_key=key).case)
    if who == "staff":
        moved = case_advance(case=case, event=event, actor=staff_actor(lead()), given=given, idempotency_key=key)
        return _fresh(moved.case)
    if who == "system" and event in ("payment_succeeded", "payment_declined"):
        # The card provider's webhook, as the payments service applies it.
        return _fresh(case_advance(case=case, event=event, actor=SYSTEM, idempotency_key=key).case)
    kind = "carrier" if who == "carrier" else "system"
    moved = case_advance(
        case=case,
        event=event,
        actor=recorded_by_hand(kind, recorder=lead()),  # type: ignore[arg-type]
        given=given,
        idempotency_key=key,
        manual_reason="the customer told us on the phone",
    )
    return _fresh(moved.case)


def drive(journey: str, route: Route, seen: Callable[[OutboxMessage, Case], None]) -> Case:
    """Open a case and take ``route``'s steps, handing each new message to ``seen`` with the case as
    the step left it."""
    case = _fresh(open_case(journey, route.intake))
    latest = 0

    def collect(case: Case) -> None:
        nonlocal latest
        for message in OutboxMessage.objects.filter(case=case, id__gt=latest).exclude(touchpoint="").order_by("id"):
            latest = message.pk
            seen(message, case)

    collect(case)
    for move in route.moves:
        case = take(case, move)
        collect(case)
    return case
