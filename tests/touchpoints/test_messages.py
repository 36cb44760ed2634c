"""Touch point messages for real cases: the library's templates, the tone and its reason on each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from tests.support.factories import CustomerFactory, StaffFactory
from touchpoint.cases.actors import SYSTEM, staff_actor
from touchpoint.cases.journeys import journey_register
from touchpoint.cases.models import Case, Task, TaskKind
from touchpoint.cases.services.advance import case_advance, case_open
from touchpoint.cases.services.tasks import task_open
from touchpoint.core.clock import now
from touchpoint.customers.models import Customer
from touchpoint.journeys.library import library_file
from touchpoint.links.services import link_resolve
from touchpoint.outbox.models import OutboxMessage
from touchpoint.touchpoints.services import tracking_url


@pytest.fixture
def mail_in_repair(db: Any) -> None:
    path = library_file("mail-in-repair")
    assert path is not None
    journey_register(source=path.read_text(), filename=str(path))


def open_repair(customer: Customer) -> Case:
    return case_open(
        journey="mail-in-repair", customer=customer, actor=SYSTEM, data={"model": "nano-4g", "prepaid_box": False}
    ).case


def latest(case: Case) -> OutboxMessage:
    message = OutboxMessage.objects.filter(case=case).order_by("-created_at", "-id").first()
    assert message is not None
    return message


def test_a_new_order_gets_norms_playful_welcome_in_text_and_html(mail_in_repair: None, customer: Customer) -> None:
    case = open_repair(customer)
    message = latest(case)
    ref = case.reference
    tracking = tracking_url(case=case)
    assert (message.touchpoint, message.tone, message.tone_reason) == ("order_received", "playful", "all going well")
    assert message.subject == f"{ref}: Your order is in – let's get your nano-4g better"
    assert message.body_text == (
        "Hi Ian,\n\n"
        "Thanks for choosing us! Your repair order is in and I've opened a file for your nano-4g.\n\n"
        f"One thing left: payment. Pay by card on your order page, or by bank transfer quoting {ref}. "
        "The moment it lands, I'll get things moving.\n\n"
        "Cheers,\nNorm, your repair coordinator at the Repair Shop\n\n"
        f"Your reference: {ref}\n"
        f"Follow your repair, and answer us, here: {tracking}\n"
        "Talk to a person: reply to this email and a member of the team will answer you.\n"
    )
    # The link in the message opens this case's page, and only this case's.
    assert tracking.startswith("http://127.0.0.1:8000/c/")
    resolved = link_resolve(tracking.rsplit("/", 2)[-2])
    assert resolved.link is not None
    assert resolved.link.case == case
    assert "<p>Thanks for choosing us! Your repair order is in and I've opened a file for your nano-4g.</p>" in (
        message.body_html
    )
    assert "<strong>Talk to a person:</strong> reply to this email" in message.body_html


def test_bad_news_is_sober_says_what_happens_next_and_why_the_tone_was_chosen(
    mail_in_repair: None, customer: Customer
) -> None:
    case = open_repair(customer)
    moved = case_advance(case=case, event="payment_overdue", actor=SYSTEM).case
    message = latest(moved)
    assert (message.touchpoint, message.tone) == ("payment_not_received", "sober")
    assert message.tone_reason == "exception: the case is in “There's a problem with your payment”"
    assert message.subject == f"{case.reference}: We haven't received your payment yet"
    assert message.body_text.startswith("Hello Ian,\n\nWe haven't received the payment for order")
    assert (
        "What happens next: Nothing has been charged. You can try again from your order page, and someone from our "
        "team will help if it doesn't work.\n\nKind regards,\nNorm" in message.body_text
    )
    assert "Cheers" not in message.body_text and "!" not in message.body_text


def test_a_customer_who_asked_for_plain_messages_gets_the_sober_words(mail_in_repair: None) -> None:
    case = open_repair(CustomerFactory(name="Ann Plain", plain_messages=True))
    message = latest(case)
    assert (message.tone, message.tone_reason) == ("sober", "the customer asked for plain messages")
    assert message.subject == f"{case.reference}: We've received your order"


def test_an_urgent_customer_message_waiting_for_a_person_turns_the_next_message_sober(
    mail_in_repair: None, customer: Customer
) -> None:
    case = open_repair(customer)
    task_open(
        kind=TaskKind.CUSTOMER_MESSAGE, owner="team:care", title="Angry reply", case=case, priority=1, due_at=now()
    )
    intake = staff_actor(StaffFactory(teams=["intake"]))
    moved = case_advance(case=case, event="offline_payment_received", actor=intake).case
    message = latest(moved)
    assert (message.touchpoint, message.tone) == ("order_confirmed_send_device", "sober")
    assert message.tone_reason == "complaint open: an urgent customer message is waiting for a person"
    assert Task.objects.filter(kind=TaskKind.CUSTOMER_MESSAGE).count() == 1


def test_a_negative_latest_message_turns_the_next_message_sober(mail_in_repair: None, customer: Customer) -> None:
    case = open_repair(customer)
    Case.objects.filter(pk=case.pk).update(customer_sentiment=-0.62)
    case.refresh_from_db()
    intake = staff_actor(StaffFactory(teams=["intake"]))
    message = latest(case_advance(case=case, event="offline_payment_received", actor=intake).case)
    assert (message.tone, message.tone_reason) == (
        "sober",
        "negative sentiment: the customer's latest message scored -0.62",
    )
    assert message.subject == f"{case.reference}: Payment received; how to send your device"


def test_a_shops_own_template_comes_before_the_shipped_one(
    mail_in_repair: None, customer: Customer, tmp_path: Path
) -> None:
    folder = tmp_path / "touchpoints" / "mail-in-repair"
    folder.mkdir(parents=True)
    parts = "".join(
        f"{{% partialdef {tone}_{part} %}}Ours, {{{{ customer.first_name }}}} ({tone} {part}){{% endpartialdef %}}"
        for tone in ("playful", "sober")
        for part in ("subject", "text", "html", "sms")
    )
    (folder / "order_received.html").write_text(parts)
    with override_settings(TOUCHPOINT_TEMPLATE_DIRS=[str(tmp_path)]):
        message = latest(open_repair(customer))
    assert message.subject == "Ours, Ian (playful subject)"
    assert message.body_text.startswith("Ours, Ian (playful text)\n\nCheers,\nNorm")


def test_a_shops_own_persona_comes_before_the_shipped_one(
    mail_in_repair: None, customer: Customer, tmp_path: Path
) -> None:
    (tmp_path / "personas").mkdir()
    (tmp_path / "personas" / "norm.yaml").write_text("name: Nora\nsignature: Nora at Fix-It Corner\n")
    with override_settings(TOUCHPOINT_TEMPLATE_DIRS=[str(tmp_path)]):
        message = latest(open_repair(customer))
    assert "Cheers,\nNora at Fix-It Corner\n" in message.body_text


def test_a_device_from_the_catalog_is_called_by_its_name(mini_journey: Any, customer: Any) -> None:
    from touchpoint.cases.journeys import journey_of
    from touchpoint.catalog.models import DeviceModel
    from touchpoint.touchpoints.services import touchpoint_context

    # given a case for a device the catalog knows
    DeviceModel.objects.create(slug="slate-tab-air-10", name="Slate Tab Air 10", kind="tablet")
    case = case_open(journey="mini-repair", customer=customer, actor=SYSTEM, data={"model": "slate-tab-air-10"}).case
    # then its messages call the device by the name the customer knows
    context = touchpoint_context(case=case, journey=journey_of(case.journey), key="send_device")
    assert context["device"] == "Slate Tab Air 10"
