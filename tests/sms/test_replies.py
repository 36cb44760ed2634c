"""Texts from customers through the signed webhook: a reply joins the case its number belongs to and
reaches a person; STOP, START and HELP are honoured; the same text twice is one text."""

from __future__ import annotations

import pytest

from tests.sms.customers import MOBILE, order_with_phone
from tests.sms.twilio_posts import new_sid, text_from, twilio_account  # noqa: F401
from touchpoint.cases.models import Task, TaskKind, TimelineEntry
from touchpoint.customers.models import Customer
from touchpoint.inbox.models import InboundMessage
from touchpoint.outbox.models import OutboxMessage
from touchpoint.shop.selectors import shop_settings

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("twilio_account")]


def test_a_reply_by_text_joins_the_customers_open_case_and_reaches_a_person() -> None:
    case = order_with_phone()
    sent_before = OutboxMessage.objects.count()

    response = text_from(MOBILE, "Can I drop it off on Friday instead?")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content == b'<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
    message = InboundMessage.objects.get()
    assert (message.source, message.kind, message.matched_by, message.proof) == ("sms", "reply", "phone", "")
    assert (message.case, message.customer, message.from_email) == (case, case.customer, MOBILE)
    assert message.reply_text == "Can I drop it off on Friday instead?"
    task = Task.objects.get(kind=TaskKind.CUSTOMER_MESSAGE)
    assert (task.case, message.task) == (case, task)
    note = TimelineEntry.objects.get(case=case, event="customer_message")
    assert note.detail["inbound"] == message.pk
    # A text proves nothing about its sender: no automated answer, a person decides.
    assert OutboxMessage.objects.count() == sent_before


def test_the_same_text_posted_twice_is_stored_and_acted_on_once() -> None:
    case = order_with_phone()
    sid = new_sid()
    first = text_from(MOBILE, "Is it ready yet?", sid=sid)
    second = text_from(MOBILE, "Is it ready yet?", sid=sid)
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first["X-Touchpoint-Duplicate"], second["X-Touchpoint-Duplicate"]) == ("0", "1")
    assert first["X-Touchpoint-Message"] == second["X-Touchpoint-Message"]
    assert InboundMessage.objects.count() == 1
    assert Task.objects.filter(kind=TaskKind.CUSTOMER_MESSAGE).count() == 1
    assert TimelineEntry.objects.filter(case=case, event="customer_message").count() == 1


def test_a_text_from_a_customer_with_two_open_cases_is_a_task_to_choose() -> None:
    first = order_with_phone(email="two@example.com")
    second = order_with_phone(email="two@example.com")
    assert first.customer_id == second.customer_id

    text_from(MOBILE, "Any news on my repair?")

    message = InboundMessage.objects.get()
    assert (message.case, message.customer_id, message.kind) == (None, first.customer_id, "new")
    task = message.task
    assert task is not None
    assert task.kind == TaskKind.CUSTOMER_MESSAGE
    assert task.title == (
        f"{first.customer.name} texted and has 2 open cases ({second.reference}, {first.reference}): choose which"
    )
    assert "Any news on my repair?" in task.detail
    for case in (first, second):
        assert TimelineEntry.objects.filter(case=case, event="customer_message").count() == 1


def test_a_text_from_an_unknown_number_is_a_new_conversation_for_a_person() -> None:
    response = text_from("+447700900999", "Do you fix tablets?")
    assert response.status_code == 200
    message = InboundMessage.objects.get()
    assert (message.kind, message.case, message.customer, message.matched_by) == ("new", None, None, "")
    task = Task.objects.get()
    assert task.kind == TaskKind.NEW_CONVERSATION
    assert task.title == "New conversation from +447700900999, not yet a customer: “Text: Do you fix tablets?”"


def test_stop_opts_the_number_out_and_says_so_on_the_open_case_without_texting_back() -> None:
    case = order_with_phone()
    sent_before = OutboxMessage.objects.count()

    response = text_from(MOBILE, " Stop ")

    assert response.status_code == 200
    customer = Customer.objects.get(pk=case.customer_id)
    message = InboundMessage.objects.get()
    assert customer.sms_opted_out_at == message.received_at
    assert (message.action, message.task) == ("sms:stop", None)
    entry = TimelineEntry.objects.get(case=case, event="sms_opted_out")
    assert entry.summary == f"Opted out of texts (replied STOP from {MOBILE}): messages go by email"
    # Nothing texted back; the order's text, not sent yet, comes by email instead.
    order_text = OutboxMessage.objects.get(case=case, channel="sms")
    assert order_text.status == "cancelled"
    assert list(OutboxMessage.objects.filter(pk__gt=order_text.pk).values_list("channel", "fallback_for")) == [
        ("email", order_text.pk)
    ]
    assert OutboxMessage.objects.count() == sent_before + 1
    assert not Task.objects.filter(kind=TaskKind.CUSTOMER_MESSAGE).exists()


@pytest.mark.parametrize("word", ["STOPALL", "unsubscribe", "Cancel", "END", "quit"])
def test_every_carrier_stop_word_opts_out(word: str) -> None:
    case = order_with_phone()
    text_from(MOBILE, word)
    assert Customer.objects.get(pk=case.customer_id).sms_opted_out_at is not None


def test_start_opts_back_in_and_a_stop_replayed_changes_nothing() -> None:
    case = order_with_phone()
    stop = new_sid()
    text_from(MOBILE, "STOP", sid=stop)
    text_from(MOBILE, "START")
    assert Customer.objects.get(pk=case.customer_id).sms_opted_out_at is None
    assert TimelineEntry.objects.filter(case=case, event="sms_opted_in").count() == 1

    text_from(MOBILE, "STOP", sid=stop)  # Twilio retrying the old STOP

    assert Customer.objects.get(pk=case.customer_id).sms_opted_out_at is None
    assert TimelineEntry.objects.filter(case=case, event="sms_opted_out").count() == 1


def test_yes_opts_back_in_only_a_number_that_opted_out() -> None:
    case = order_with_phone()
    text_from(MOBILE, "yes")
    assert InboundMessage.objects.get().action == ""  # an answer to us: a person reads it
    assert Task.objects.filter(kind=TaskKind.CUSTOMER_MESSAGE, case=case).count() == 1

    text_from(MOBILE, "STOP")
    text_from(MOBILE, "Yes")
    assert Customer.objects.get(pk=case.customer_id).sms_opted_out_at is None
    assert InboundMessage.objects.order_by("-pk").first().action == "sms:start"  # type: ignore[union-attr]


def test_help_is_answered_once_with_the_shops_name_and_how_to_reach_a_person() -> None:
    case = order_with_phone()
    sid = new_sid()
    sent_before = OutboxMessage.objects.count()

    text_from(MOBILE, "help", sid=sid)
    text_from(MOBILE, "help", sid=sid)

    assert OutboxMessage.objects.count() == sent_before + 1
    answer = OutboxMessage.objects.order_by("-pk").first()
    assert answer is not None
    shop = shop_settings()
    assert (answer.channel, answer.recipient, answer.case) == ("sms", MOBILE, case)
    assert answer.body_text.startswith(f"{shop.name}: texts about your repair. Your case: http")
    assert f"To reach a person, reply here with your question or email {shop.sender_email}." in answer.body_text
    assert answer.body_text.endswith("Reply STOP to stop texts.")
    message = InboundMessage.objects.get()
    assert (message.action, message.reply) == ("sms:help", answer)


def test_help_from_an_opted_out_number_is_answered_by_email() -> None:
    case = order_with_phone()
    text_from(MOBILE, "STOP")
    text_from(MOBILE, "INFO")
    answer = OutboxMessage.objects.order_by("-pk").first()
    assert answer is not None
    assert (answer.channel, answer.recipient) == ("email", case.customer.email)
