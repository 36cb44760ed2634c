"""The timeline the customer reads: steps in their words and the messages we sent, nothing internal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pytest_django import DjangoAssertNumQueries

from tests.inbox.mails import mail
from tests.quotes.repair import crew, repair_case, walk_to
from tests.support.timers import messages_go_out, time_runs_out
from touchpoint.cases.models import Case, Task, TaskKind
from touchpoint.cases.services.notes import case_note_add
from touchpoint.core.clock import at
from touchpoint.customers.models import Customer
from touchpoint.inbox.services import inbound_receive
from touchpoint.outbox.models import MessageStatus, OutboxMessage
from touchpoint.portal.reads.customer_timeline import CustomerTimelineItem, customer_timeline

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def send_all(case: Case, delay: timedelta) -> None:
    """The worker's part: every pending message of the case goes out ``delay`` after it was written."""
    messages_go_out(OutboxMessage.objects.filter(case=case, status=MessageStatus.PENDING), delay=delay)


@pytest.fixture
def story(customer: Customer) -> Case:
    with at(T0):
        case = repair_case(customer, "awaiting_payment")
    send_all(case, timedelta(minutes=1))
    with at(T0 + HOUR):
        case = walk_to(case, "awaiting_device")  # the bank transfer recorded: a message
    send_all(case, timedelta(minutes=1))
    with at(T0 + 2 * HOUR):
        case = walk_to(case, "device_in_transit")
    # Its message is still waiting to go: not on the customer's timeline yet. Then a note for staff,
    # and the customer's email, which a person must read (a task): neither is the customer's story.
    with at(T0 + 3 * HOUR):
        case_note_add(case=case, author=crew(), text="Customer sounded cross on the phone")
        first = OutboxMessage.objects.filter(case=case).earliest("created_at")
        raw = mail(
            sender=f"{customer.name} <{customer.email}>",
            body="Please call me back about the refund policy.",
            in_reply_to=first.headers["Message-ID"],
        )
        inbound_receive(raw=raw, source="webhook")
    assert Task.objects.filter(case=case, kind=TaskKind.CUSTOMER_MESSAGE, status="open").count() == 1
    return case


def test_the_customer_reads_steps_and_sent_messages_newest_first(story: Case) -> None:
    ref = story.reference
    items = customer_timeline(case=story)
    assert items == [
        CustomerTimelineItem(T0 + 2 * HOUR, "step", "Your device is on its way to us"),
        CustomerTimelineItem(T0 + HOUR + timedelta(minutes=1), "message", items[1].text, "email"),
        CustomerTimelineItem(T0 + HOUR, "step", "Waiting for your device"),
        CustomerTimelineItem(T0 + timedelta(minutes=1), "message", items[3].text, "email"),
        CustomerTimelineItem(T0, "step", "Waiting for your payment"),
    ]
    subjects = dict(OutboxMessage.objects.filter(case=story, status="sent").values_list("touchpoint", "subject"))
    assert items[1].text == subjects["order_confirmed_send_device"].removeprefix(f"{ref}: ")
    assert items[3].text == subjects["order_received"].removeprefix(f"{ref}: ")
    assert items[3].text == "Your order is in – let's get your Nano (4th gen) better"


def test_nothing_internal_reaches_the_customer(story: Case) -> None:
    words = " ".join(item.text for item in customer_timeline(case=story))
    for internal in ("sounded cross", "refund policy", "Sam", "crew", "payment_succeeded", "device_posted", "by "):
        assert internal not in words
    assert "TP-" not in words  # the reference is on the page once, not in every line


def test_a_reminder_into_the_same_step_is_not_a_new_step(customer: Customer) -> None:
    with at(T0):
        case = repair_case(customer, "awaiting_device")
    case = time_runs_out(case)  # 2½ days without the device: the reminder, into the same step
    assert case.state == "device_reminded"
    steps = [item.text for item in customer_timeline(case=case) if item.kind == "step"]
    assert steps == ["Waiting for your device", "Waiting for your payment"]


def test_two_queries(story: Case, django_assert_num_queries: DjangoAssertNumQueries) -> None:
    story = Case.objects.select_related("journey").get(pk=story.pk)
    with django_assert_num_queries(2):
        customer_timeline(case=story)
