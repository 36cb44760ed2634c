"""Regression tests for the failures that stopped the product's own story (issue 12), each a route
walked through the product's surfaces by the route walker (order form, case page, console, scan
station, signed webhooks, the worker), which checks every message, link, anchor, money and time
promise on the way; each test then asserts what that failure got wrong.

The other failures have their own tests where their surface lives: the demo's own card page
(tests/demopay/, tests/ops/test_run.py), links on another port (tests/ops/test_run.py), and time
promises from the enforcing task (tests/promises/)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.acceptance.walker import RouteWalker
from touchpoint.cases.journeys import journey_latest, journey_of
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.journeys.walk import PlannedRoute, walk_route
from touchpoint.payments.models import Payment, PaymentStatus, Refund
from touchpoint.payments.selectors import case_money
from touchpoint.remedies.services.policies import policy_active

JOURNEY = "mail-in-repair"
PAID = [("card_submitted", {}, "customer"), ("payment_succeeded", {}, "system")]
IN_BY_POST = [("device_posted", {}, "customer"), ("device_arrived", {}, "staff"), ("surgery_started", {}, "staff")]
HOME = [("return_shipped", {}, "staff"), ("return_delivered", {}, "customer"), ("feedback_given", {"rating": 5})]


def _walk(world: Any, events: list[Any], *, prepaid_box: bool = False, number: int = 1) -> tuple[Case, RouteWalker]:
    shop, edge = world
    journey = journey_of(journey_latest(JOURNEY))
    route: PlannedRoute = walk_route(journey, intake={"prepaid_box": prepaid_box}, events=events)
    walker = RouteWalker(route=route, number=number, shop=shop, edge=edge)
    walker.walk()  # raises with the route, the step and what differed if any promise is broken
    assert walker.case is not None
    return Case.objects.get(pk=walker.case.pk), walker


def _touchpoints(walker: RouteWalker) -> list[str]:
    return [email.touchpoint for email in walker.inbox if email.touchpoint]


def test_1_a_repaired_device_is_told_it_is_home_repaired_asked_for_feedback_and_nothing_is_refunded(
    world: Any,
) -> None:
    # A successful repair used to end "delivered back to you, unrepaired. The repair has been refunded."
    case, walker = _walk(
        world,
        [*PAID, *IN_BY_POST, ("diagnosed", {"quote_total": 0}), ("repair_done", {}), ("qc_passed", {}), *HOME],
    )
    assert (case.state, case.outcome, case.data["repaired"]) == ("completed", "success", True)
    told = _touchpoints(walker)
    assert told[-3:] == ["on_the_way_home", "home_safe", "thanks_for_feedback"]
    assert "back_home_unrepaired" not in told
    assert not Refund.objects.filter(case=case).exists()
    assert not any("unrepaired" in email.text or "refund" in email.text.lower() for email in walker.inbox[-3:])


def test_2_a_carriers_steps_are_recorded_by_hand_by_the_team_that_handed_over_or_by_the_customer(
    world: Any,
) -> None:
    # Nobody could record "the kit reached the customer" or "the parcel reached home": every
    # prepaid-box case stalled. Shipping records the kit's delivery by hand, with why; the customer
    # says the device is home from their page.
    case, _ = _walk(
        world,
        [
            *PAID,
            ("box_dispatched", {}, "staff"),
            ("box_delivered", {}, "carrier"),
            *IN_BY_POST,
            ("diagnosed", {"quote_total": 0}),
            ("repair_done", {}),
            ("qc_passed", {}),
            *HOME,
        ],
        prepaid_box=True,
    )
    assert (case.state, case.outcome) == ("completed", "success")
    by_hand = TimelineEntry.objects.get(case=case, event="box_delivered")
    assert by_hand.actor_user is not None
    assert (by_hand.actor_kind, bool(by_hand.detail.get("manual"))) == ("carrier", True)
    assert "shipping" in set(by_hand.actor_user.teams.values_list("slug", flat=True))
    assert "recorded by hand by" in by_hand.summary
    home = TimelineEntry.objects.get(case=case, event="return_delivered")
    assert (home.actor_kind, home.actor_user) == ("customer", None)


def test_3_approved_extra_work_is_paid_before_the_trip_home_and_counts_in_what_the_customer_paid(
    world: Any,
) -> None:
    # A £25 approval used to leave no balance anywhere: the case closed "success" with £35 paid.
    case, walker = _walk(
        world,
        [
            *PAID,
            *IN_BY_POST,
            ("diagnosed", {"quote_total": 25}),
            ("quote_approved", {}, "customer"),
            ("repair_done", {}),
            ("qc_passed", {}),
            ("balance_paid", {}, "system"),
            *HOME,
        ],
    )
    assert (case.state, case.outcome) == ("completed", "success")
    money = case_money(case=case)
    assert (money.extra, money.balance_paid, money.balance_due, money.refunded) == (
        Decimal("25.00"),
        Decimal("25.00"),
        Decimal("0"),
        Decimal("0"),
    )
    assert money.paid == money.price + Decimal("25.00")
    paid = Payment.objects.filter(case=case, status=PaymentStatus.PAID).order_by("id")
    assert [(p.purpose, p.amount) for p in paid] == [("order", money.price), ("balance", Decimal("25.00"))]
    assert "ready_balance_due" in _touchpoints(walker)


def test_4_a_device_beyond_repair_offers_back_or_recycled_and_is_refunded_in_full_whatever_an_agents_limit(
    world: Any,
) -> None:
    # "Use your order page to choose: back to you or recycled" offered no such choice, and "we'll
    # refund the repair" depended on an agent's £20 refund limit, below the £29 paid.
    case, walker = _walk(world, [*PAID, *IN_BY_POST, ("died_on_table", {}), ("recycle_chosen", {}, "customer")])
    assert (case.state, case.outcome) == ("recycled", "failure")
    email = next(e for e in walker.inbox if e.touchpoint == "beyond_repair")
    assert {link.rsplit("#", 1)[1] for link in email.links if "#act-" in link} == {
        "act-return_chosen",
        "act-recycle_chosen",
    }  # the walker opened each of them and found the page's button there
    refund = Refund.objects.get(case=case)
    price = case_money(case=case).price
    _, policy = policy_active()
    agent_limit = next(rule.max_amount for rule in policy.remedies["refund"].rules if rule.roles == ["agent"])
    assert agent_limit is not None
    assert (refund.amount, refund.status) == (price, "succeeded")
    assert refund.amount > agent_limit
