"""The demo card page's events reach the shop as Stripe's do: the worker POSTs them, signed with
``Stripe-Signature``, to ``{TOUCHPOINT_PUBLIC_URL}/hooks/stripe`` (a real HTTP server here), where
the code that reads Stripe's events applies them. Retries are bounded and back off; what finally
fails becomes a person's task, and the case is left as it was."""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import pairwise
from typing import Any

import pytest
from django.test import Client

from tests.demopay.conftest import Order, pay, place_order, press, to_checkout
from tests.support.smtp import free_port
from touchpoint.cases.models import Task, TaskKind, TimelineEntry
from touchpoint.core.clock import at
from touchpoint.demopay.models import DemoEvent, DemoSession, EventStatus, SessionStatus
from touchpoint.outbox.models import OutboxMessage
from touchpoint.payments.models import EventOutcome, Payment, PaymentEvent, PaymentStatus
from touchpoint.worker.loop import Worker

pytestmark = pytest.mark.usefixtures("demo_card")


@pytest.fixture
def shop_served(live_server: Any, settings: Any) -> str:
    """The shop answering HTTP at the address its links (and the demo's webhooks) start with."""
    settings.TOUCHPOINT_PUBLIC_URL = live_server.url
    return str(live_server.url)


def work() -> None:
    Worker(worker_id="w1").run_once()


def events(order: Order) -> list[str]:
    return list(TimelineEntry.objects.filter(case=order.case).order_by("seq").values_list("event", flat=True))


def told(order: Order) -> list[str]:
    return list(
        OutboxMessage.objects.filter(case=order.case).order_by("created_at", "id").values_list("touchpoint", flat=True)
    )


def test_a_paid_card_reaches_the_shop_signed_and_the_case_moves_on(shop_served: str, client: Client) -> None:
    order = place_order(prepaid_box=True)
    pay(client, to_checkout(client, order))

    work()

    sent = DemoEvent.objects.get()
    assert (sent.status, sent.attempts, sent.last_error) == (EventStatus.DELIVERED, 1, "")
    received = PaymentEvent.objects.get()
    assert (received.provider, received.event_id, received.type, received.outcome) == (
        "stripe",
        sent.id,
        "checkout.session.completed",
        EventOutcome.APPLIED,
    )
    payment = Payment.objects.get()
    assert (payment.status, payment.provider_ref) == (PaymentStatus.PAID, DemoSession.objects.get().id)
    assert order.fresh().state == "box_to_send"
    assert events(order) == ["opened", "card_submitted", "payment_succeeded"]
    assert told(order) == ["order_received", "order_confirmed_box_coming"]
    page = client.get(order.page).content.decode()
    assert re.search(r"Paid £39.00\s+by card on", page)


def test_ending_the_checkout_unpaid_tells_the_shop_and_the_customer(shop_served: str, client: Client) -> None:
    order = place_order()
    checkout = to_checkout(client, order)

    response = press(client, checkout, "end-checkout")
    work()

    assert response.status_code == 303
    assert response["Location"] == f"http://testserver{order.page}?payment=cancelled"
    assert DemoSession.objects.get().status == SessionStatus.EXPIRED
    assert [(e.type, e.status) for e in DemoEvent.objects.all()] == [("checkout.session.expired", "delivered")]
    assert Payment.objects.get().status == PaymentStatus.EXPIRED
    assert order.fresh().state == "payment_failed"
    assert told(order) == ["order_received", "payment_declined"]
    # The card page now says it has ended, and offers the way back
    ended = client.get(checkout)
    assert ended.status_code == 410
    assert "This checkout has ended" in ended.content.decode()


def test_a_checkout_left_open_expires_when_its_time_runs_out(shop_served: str, client: Client) -> None:
    order = place_order()
    to_checkout(client, order)
    session = DemoSession.objects.get()

    with at(session.expires_at - timedelta(seconds=1)):
        work()
    assert (DemoSession.objects.get().status, DemoEvent.objects.count()) == (SessionStatus.OPEN, 0)
    with at(session.expires_at):
        work()

    assert DemoSession.objects.get().status == SessionStatus.EXPIRED
    assert [(e.type, e.status) for e in DemoEvent.objects.all()] == [("checkout.session.expired", "delivered")]
    assert order.fresh().state == "payment_failed"


def test_an_unreachable_shop_is_retried_with_backoff_then_a_person_gets_a_task(
    db: Any, client: Client, settings: Any
) -> None:
    settings.TOUCHPOINT_PUBLIC_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    order = place_order()
    pay(client, to_checkout(client, order))
    event = DemoEvent.objects.get()
    tried_at = []

    for _ in range(6):
        waiting = DemoEvent.objects.get()
        with at(waiting.next_attempt_at - timedelta(seconds=1)):
            work()  # not due yet: not tried
        assert DemoEvent.objects.get().attempts == waiting.attempts
        tried_at.append(waiting.next_attempt_at)
        with at(waiting.next_attempt_at):
            work()

    dead = DemoEvent.objects.get()
    assert (dead.status, dead.attempts) == (EventStatus.DEAD, 6)
    assert dead.last_error.startswith(f"could not reach {settings.TOUCHPOINT_PUBLIC_URL}/hooks/stripe: ")
    assert [int((b - a).total_seconds()) for a, b in pairwise(tried_at)] == [30, 60, 120, 240, 480]
    task = Task.objects.get(kind=TaskKind.PAYMENT_PROBLEM)
    assert (task.case, task.owner, task.priority) == (order.case, "team:intake", 1)
    assert task.title == (
        f"{order.case.reference}: the demo card page's checkout.session.completed event failed 6 times at /hooks/stripe"
    )
    assert "The customer paid £39.00 on the demo card page (no real money), but the case was never told." in task.detail
    assert f"Event {event.id} for checkout session {DemoSession.objects.get().id}" in task.detail
    # The case heard nothing: it still waits, and the payment with it
    assert (order.fresh().state, Payment.objects.get().status, PaymentEvent.objects.count()) == (
        "payment_processing",
        PaymentStatus.PENDING,
        0,
    )
    work()  # dead is dead: nothing more is sent, no second task
    assert (DemoEvent.objects.get().attempts, Task.objects.filter(kind=TaskKind.PAYMENT_PROBLEM).count()) == (6, 1)


def test_an_answer_a_retry_cannot_change_ends_at_once_with_a_task(
    shop_served: str, client: Client, settings: Any
) -> None:
    settings.TOUCHPOINT_PUBLIC_URL = f"{shop_served}/nowhere"  # a wrong address: the shop answers 404
    order = place_order()
    pay(client, to_checkout(client, order))

    work()

    dead = DemoEvent.objects.get()
    assert (dead.status, dead.attempts) == (EventStatus.DEAD, 1)
    assert dead.last_error.startswith(f"{shop_served}/nowhere/hooks/stripe answered 404: ")
    task = Task.objects.get(kind=TaskKind.PAYMENT_PROBLEM)
    assert task.title == (
        f"{order.case.reference}: the demo card page's checkout.session.completed event was refused at /hooks/stripe"
    )
    assert (order.fresh().state, PaymentEvent.objects.count()) == ("payment_processing", 0)


def test_a_checkout_opened_after_its_time_ran_out_says_so_and_tells_the_shop(shop_served: str, client: Client) -> None:
    order = place_order()
    checkout = to_checkout(client, order)
    session = DemoSession.objects.get()

    with at(session.expires_at):
        page = client.get(checkout)
        work()

    assert page.status_code == 410
    flat = " ".join(re.sub(r"<[^>]+>", " ", page.content.decode()).split())
    assert "This checkout has ended Nothing was charged. Go back to The Repair Shop to choose how to pay." in flat
    assert [(e.type, e.status) for e in DemoEvent.objects.all()] == [("checkout.session.expired", "delivered")]
    assert order.fresh().state == "payment_failed"
