"""The timeline the customer reads: steps in their words and the messages we sent, nothing internal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pytest_django import DjangoAssertNumQueries

from tests.quotes.repair import crew, repair_case, walk_to
from touchpoint.cases.actors import staff_actor
from touchpoint.cases.models import Case, TaskKind, TimelineKind
from touchpoint.cases.selectors.customer_timeline import CustomerTimelineItem, customer_timeline
from touchpoint.cases.services.tasks import task_open
from touchpoint.cases.services.timeline import timeline_append
from touchpoint.core.clock import at
from touchpoint.customers.models import Customer
from touchpoint.outbox.models import MessageStatus, OutboxMessage

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def send_all(case: Case, delay: timedelta) -> None:
    """The worker's part: every pending message of the case goes out ``delay`` after it was written."""
    for message in OutboxMessage.objects.filter(case=case, status=MessageStatus.PENDING):
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=MessageStatus.SENT, sent_at=message.created_at + delay
        )


@pytest.fixture
def story(customer: Customer) -> Case:
    with at(T0):
        case = repair_case(customer, "awaiting_payment")
    send_all(case, timedelta(minutes=1))
    with at(T0 + HOUR):
        case = walk_to(case, "awaiting_device")  # card_submitted (silent) then payment_succeeded (a message)
    send_all(case, timedelta(minutes=1))
    with at(T0 + 2 * HOUR):
        case = walk_to(case, "device_in_transit")
    # This message is still waiting to go: not on the customer's timeline yet
    with at(T0 + 3 * HOUR):
        timeline_append(
            case=case,
            kind=TimelineKind.NOTE,
            actor=staff_actor(crew()),
            summary="Customer sounded cross on the phone",
            at=T0 + 3 * HOUR,
        )
        task_open(kind=TaskKind.EXCEPTION, owner="team:care", title="Call back about the refund policy", case=case)
    return case


def test_the_customer_reads_steps_and_sent_messages_newest_first(story: Case) -> None:
    ref = story.reference
    items = customer_timeline(case=story)
    assert items == [
        CustomerTimelineItem(T0 + 2 * HOUR, "step", "Your device is on its way to us"),
        CustomerTimelineItem(T0 + HOUR + timedelta(minutes=1), "message", items[1].text, "email"),
        CustomerTimelineItem(T0 + HOUR, "step", "Waiting for your device"),
        CustomerTimelineItem(T0 + HOUR, "step", "Checking your payment"),
        CustomerTimelineItem(T0 + timedelta(minutes=1), "message", items[4].text, "email"),
        CustomerTimelineItem(T0, "step", "Waiting for your payment"),
    ]
    subjects = dict(OutboxMessage.objects.filter(case=story, status="sent").values_list("touchpoint", "subject"))
    assert items[1].text == subjects["order_confirmed_send_device"].removeprefix(f"{ref}: ")
    assert items[4].text == subjects["order_received"].removeprefix(f"{ref}: ")
    assert items[4].text == "Your order is in – let's get your nano-4g better"


def test_nothing_internal_reaches_the_customer(story: Case) -> None:
    words = " ".join(item.text for item in customer_timeline(case=story))
    for internal in ("sounded cross", "refund policy", "Sam", "crew", "payment_succeeded", "device_posted", "by "):
        assert internal not in words
    assert "TP-" not in words  # the reference is on the page once, not in every line


def test_a_reminder_into_the_same_step_is_not_a_new_step(customer: Customer) -> None:
    from touchpoint.cases.actors import SYSTEM
    from touchpoint.cases.services.advance import case_advance

    with at(T0):
        case = repair_case(customer, "awaiting_device")
    with at(T0 + 60 * HOUR):
        case = case_advance(case=case, event="device_not_sent_yet", actor=SYSTEM).case
    steps = [item.text for item in customer_timeline(case=case) if item.kind == "step"]
    assert steps == ["Waiting for your device", "Checking your payment", "Waiting for your payment"]


def test_two_queries(story: Case, django_assert_num_queries: DjangoAssertNumQueries) -> None:
    story = Case.objects.select_related("journey").get(pk=story.pk)
    with django_assert_num_queries(2):
        customer_timeline(case=story)
