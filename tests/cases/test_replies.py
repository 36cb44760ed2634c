"""Staff replies: a persona template rendered as the journey would, or own words signed by the agent;
through the outbox, on the timeline saying which, once per key."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.factories import CustomerFactory, StaffFactory
from tests.support.orders import place_repair_order
from tests.support.timers import time_runs_out
from touchpoint.cases.errors import CaseConflict
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.outbox.models import OutboxMessage
from touchpoint.outbox.replies import ReplyInvalid, case_reply_send
from touchpoint.staff.models import StaffUser
from touchpoint.touchpoints.services import tracking_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def payment_failed(db: Any) -> Case:
    customer = CustomerFactory(name="Ian Kearns", email="ian@example.com")
    return time_runs_out(place_repair_order(customer))


@pytest.fixture
def jo() -> StaffUser:
    return StaffFactory(username="jo", first_name="Jo", last_name="Park", teams=["intake"])


def snapshot(case: Case) -> tuple[int, int, int]:
    return (
        Case.objects.get(pk=case.pk).version,
        TimelineEntry.objects.filter(case=case).count(),
        OutboxMessage.objects.filter(case=case).count(),
    )


def test_own_words_go_out_signed_with_the_agents_name(payment_failed: Case, jo: StaffUser) -> None:
    ref = payment_failed.reference
    entry = case_reply_send(
        case=payment_failed, author=jo, text="Hi Ian, the bank says Monday.", idempotency_key="reply:a"
    )
    message = OutboxMessage.objects.get(idempotency_key="reply:a")
    assert (message.recipient, message.subject) == ("ian@example.com", f"{ref}: a message from Jo at The Repair Shop")
    assert message.body_text == (
        "Hi Ian, the bank says Monday.\n\nJo Park\nThe Repair Shop\n\n"
        f"Your reference: {ref}\n"
        f"Follow your repair, and answer us, here: {tracking_url(case=payment_failed)}\n"
        "Reply to this email and it comes straight back to me and the team.\n"
    )
    assert message.headers["Auto-Submitted"] == "no"
    assert message.headers["Reply-To"].startswith(f"reply+{payment_failed.reply_token}@")
    assert (entry.kind, entry.event, entry.summary) == ("delivery", "staff_reply", "Reply in own words by Jo Park")
    assert entry.detail == {
        "message": message.pk,
        "template": "",
        "tone": "personal",
        "tone_reason": "written by Jo Park",
        "personal": True,
    }


def test_a_persona_template_is_rendered_in_the_tone_the_case_calls_for(payment_failed: Case, jo: StaffUser) -> None:
    entry = case_reply_send(case=payment_failed, author=jo, template="still_on_it", idempotency_key="reply:b")
    message = OutboxMessage.objects.get(idempotency_key="reply:b")
    assert message.subject.startswith(f"{payment_failed.reference}: ")
    assert "Norm" in message.body_text
    assert message.headers["Auto-Submitted"] == "auto-generated"
    assert entry.summary == "Reply (persona template `still_on_it`, sober) sent by Jo Park"
    assert (entry.detail["template"], entry.detail["tone"], entry.detail["personal"]) == ("still_on_it", "sober", False)
    assert entry.detail["tone_reason"] == "exception: the case is in “There's a problem with your payment”"


def test_the_same_nonce_sends_once(payment_failed: Case, jo: StaffUser) -> None:
    first = case_reply_send(case=payment_failed, author=jo, text="Once.", idempotency_key="reply:c")
    again = case_reply_send(case=payment_failed, author=jo, text="Once.", idempotency_key="reply:c")
    assert again.pk == first.pk
    assert OutboxMessage.objects.filter(idempotency_key="reply:c").count() == 1


@pytest.mark.parametrize(
    ("template", "text", "message"),
    [
        ("", "   ", "write your reply first"),
        ("no_such_message", "", "`no_such_message` is not a message of Mail-in repair"),
        ("", "x" * 8001, "at most 8000 characters; this one has 8001"),
    ],
)
def test_nothing_to_send_is_refused_with_nothing_written(
    payment_failed: Case, jo: StaffUser, template: str, text: str, message: str
) -> None:
    before = snapshot(payment_failed)
    with pytest.raises(ReplyInvalid, match=message):
        case_reply_send(case=payment_failed, author=jo, template=template, text=text, idempotency_key="reply:d")
    assert snapshot(payment_failed) == before


def test_a_stale_case_sends_nothing(payment_failed: Case, jo: StaffUser) -> None:
    stale = payment_failed.version
    case_reply_send(case=Case.objects.get(pk=payment_failed.pk), author=jo, text="first", idempotency_key="reply:e")
    before = snapshot(payment_failed)
    payment_failed.version = stale
    with pytest.raises(CaseConflict):
        case_reply_send(case=payment_failed, author=jo, text="second", idempotency_key="reply:f")
    assert snapshot(payment_failed) == before
