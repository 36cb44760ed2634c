"""The customer context card: tier, lifetime value, earlier cases and outcomes, last feedback, open
complaints, sentiment trend, channel preferences, in a fixed number of queries. The history is made
the way customers and staff make it: orders, payments, quotes, feedback and emails through their
services, wait limits through the worker's timer."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.timezone import localtime

from tests.inbox.mails import mail
from tests.quotes.repair import answer_quote, diagnose, repair_case, walk_to
from tests.support.factories import CustomerFactory, StaffFactory
from tests.support.orders import place_repair_order
from tests.support.timers import time_runs_out
from touchpoint.cases.actors import CUSTOMER
from touchpoint.console.reads.customer_context import customer_context
from touchpoint.core.clock import at, now
from touchpoint.customers.models import Customer
from touchpoint.feedback.services import feedback_give
from touchpoint.flows.advance import case_advance
from touchpoint.inbox.services import inbound_receive
from touchpoint.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


def email_from(customer: Customer, body: str, *, in_reply_to: str | None = None) -> None:
    """``customer`` writes to the shop; the email webhook hands it to the inbox as received."""
    raw = mail(sender=f"{customer.name} <{customer.email}>", body=body, in_reply_to=in_reply_to)
    inbound_receive(raw=raw, source="webhook")


def test_a_returning_customer_with_history(django_assert_num_queries: Any) -> None:
    # Given a gold customer with an order cancelled unpaid, a repair with approved extra work and
    # feedback, an order they paid for and then cancelled (refunded), and this case
    ian = CustomerFactory(
        name="Ian Kearns", email="ian@example.com", tier="gold", phone="07700 900123", preferred_channel="sms"
    )
    ian.plain_messages = True
    ian.save(update_fields=["plain_messages"])
    start = now() - timedelta(days=40)
    with at(start):
        cancelled = place_repair_order(ian)
    cancelled = time_runs_out(time_runs_out(cancelled))  # payment overdue, then given up: cancelled unpaid
    with at(start + timedelta(days=10)):
        earlier = repair_case(ian, "in_surgery")  # £39.00 paid by bank transfer
        earlier = answer_quote(diagnose(earlier, [("New battery", "25.00")]), approve=True)
        earlier = walk_to(earlier, "feedback_asked")  # the £25.00 balance paid before the trip home
        feedback_give(case=earlier, version=earlier.version, csat=3, comment="Took ages.", consent_publish=False)
    with at(start + timedelta(days=20)):
        changed_mind = repair_case(ian, "awaiting_device")  # £39.00 paid, then cancelled: refunded in full
        changed_mind = case_advance(case=changed_mind, event="order_cancelled", actor=CUSTOMER).case
    current = place_repair_order(ian)
    for minute, words in enumerate(
        ["I am not happy about the delay.", "Hello, any news on my player?", "Thanks, that sounds good."]
    ):
        with at(now() + timedelta(minutes=minute)):
            email_from(ian, words)
    # When the card is read for the current case
    customer_context(customer=ian, exclude_case=current)  # warm the process's journey parse cache
    with django_assert_num_queries(3):  # the customer's cases, their complaint tasks, their sentiments
        card = customer_context(customer=ian, exclude_case=current)
    # Then it says who they are and what happened before: the value is what they paid, net of refunds
    assert (card.tier, card.preferred_channel, card.customer.plain_messages) == ("Gold", "SMS", True)
    assert card.lifetime_value == Decimal("64.00")
    assert card.lifetime_value_display == "£64.00"
    assert [(c.reference, c.outcome, c.state_label) for c in card.earlier_cases] == [
        (changed_mind.reference, "failure", "Order cancelled"),
        (earlier.reference, "success", "All done"),
        (cancelled.reference, "failure", "Order cancelled"),
    ]
    assert (card.earlier_total, card.successes, card.failures) == (3, 1, 2)
    assert card.earlier_cases[2].journey == "Mail-in repair"
    closed = card.earlier_cases[2].closed  # two wait limits of two days
    assert closed is not None and closed.iso == localtime(start + timedelta(days=4)).isoformat()
    assert card.last_feedback is not None
    assert (card.last_feedback.csat, card.last_feedback.comment) == (3, "Took ages.")
    assert card.open_complaints == []
    assert card.sentiment is not None
    assert card.sentiment.values == [-0.6483, 0.0, 0.7003]
    assert card.sentiment.trend == "improving"
    assert (
        card.sentiment.description
        == "Sentiment of the last 3 messages, oldest to newest: from -0.65 to +0.70 (improving)"
    )


def test_open_complaints_come_from_complaint_states_and_urgent_customer_messages() -> None:
    ian = CustomerFactory(name="Ian Kearns", email="ian@example.com")
    case = repair_case(ian, "device_in_transit")
    other = place_repair_order(ian)
    # Ian answers the other order's email, cross: a person must read it first (an urgent task)
    first = OutboxMessage.objects.filter(case=other).earliest("created_at")
    email_from(ian, "This is taking far too long and I am very annoyed.", in_reply_to=first.headers["Message-ID"])
    card = customer_context(customer=ian, exclude_case=case)
    assert card.open_complaints == [
        f"{other.reference}: open task “{other.reference}: Ian Kearns wrote “About my player””"
    ]


def test_a_case_in_a_complaint_state_is_named_once_not_again_for_its_own_tasks() -> None:
    ian = CustomerFactory()
    case = repair_case(ian, "resting")
    case = case_advance(case=case, event="complaint_raised", actor=CUSTOMER).case
    viewing = place_repair_order(ian)
    card = customer_context(customer=ian, exclude_case=viewing)
    assert card.open_complaints == [f"{case.reference} is in “We're looking into your complaint”"]
    assert [c.complaint for c in card.earlier_cases] == [True]


def test_a_new_customer_has_an_empty_card() -> None:
    ian = CustomerFactory()
    case = place_repair_order(ian)
    card = customer_context(customer=ian, exclude_case=case)
    assert (card.earlier_cases, card.earlier_total, card.last_feedback, card.sentiment) == ([], 0, None, None)
    assert card.lifetime_value == Decimal("0")
    assert card.tier == "Standard"


def test_the_card_draws_the_sentiment_trend_with_the_shared_sparkline() -> None:
    # Given a customer who wrote three times, unhappy first, then pleased
    ian = CustomerFactory(name="Ian Kearns", email="ian@example.com")
    case = place_repair_order(ian)
    for minute, words in enumerate(["This is terrible and I am angry.", "Any news?", "Great, thank you so much!"]):
        with at(now() + timedelta(minutes=minute)):
            email_from(ian, words)
    # When care opens the case
    client = Client()
    client.force_login(StaffFactory(teams=["care"]))
    html = client.get(reverse("console:case", args=[case.reference])).content.decode()
    # Then the card's figure is the shared sparkline (insights/_sparkline.html), named and captioned in words
    card = customer_context(customer=ian, exclude_case=case)
    assert card.sentiment is not None and card.sentiment.trend == "improving"
    figure = html.split('<figure class="spark">', 1)[1].split("</figure>", 1)[0]
    assert f'role="img" aria-label="{card.sentiment.description}"' in figure
    assert f"<figcaption>{card.sentiment.caption}</figcaption>" in figure
    assert card.sentiment.caption.startswith("Improving: -0.") and "over 3 messages" in card.sentiment.caption
    assert '<circle cx="118" cy=' in figure  # a dot on the newest reading, at the right edge
