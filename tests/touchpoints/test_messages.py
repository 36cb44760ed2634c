"""Touch point messages for real cases: the library's templates, the tone and its reason on each,
and the words that must match the records: what to pay and how, what was refunded, which choices
the customer's page offers, and by when a person takes the case on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from tests.quotes.repair import answer_quote, console, diagnose, pay_offline, repair_case, walk_to
from tests.support.factories import CustomerFactory, StaffFactory
from tests.support.orders import place_repair_order
from tests.support.timers import time_runs_out
from tests.touchpoints.email_look import look
from touchpoint.cases.actors import CUSTOMER, SYSTEM, staff_actor
from touchpoint.cases.models import Case, Task, TaskKind, Timer, TimerStatus
from touchpoint.cases.services.tasks import task_open
from touchpoint.core.clock import at, now
from touchpoint.core.promises import when_words
from touchpoint.customers.models import Customer
from touchpoint.flows.advance import case_advance, case_open
from touchpoint.links.services import link_resolve
from touchpoint.outbox.models import OutboxMessage
from touchpoint.payments.models import Refund
from touchpoint.touchpoints.services import tracking_url

pytestmark = pytest.mark.django_db
BANK = "The Repair Shop Ltd · sort code 12-34-56 · account 12345678"
SIGN_OFF = "Norm, your repair coordinator at the Repair Shop"


def latest(case: Case) -> OutboxMessage:
    message = OutboxMessage.objects.filter(case=case).exclude(touchpoint="").order_by("-created_at", "-id").first()
    assert message is not None
    return message


def footer(case: Case, where: str = "Step 1 of 14: Waiting for your payment (next: Checking your payment)") -> str:
    """The text part's last lines: the reference, where the case is on its way (the journey's
    milestones: a new order is at the first of mail-in-repair's 14), its page and how to reach a person."""
    return (
        f"Your reference: {case.reference}\n"
        f"{where}\n"
        f"Follow your repair, and answer us, here: {tracking_url(case=case)}\n"
        "Talk to a person: reply to this email and a member of the team will answer you.\n"
    )


def test_a_new_order_says_the_price_and_how_to_pay_by_bank_transfer_with_the_shops_details(
    customer: Customer, settings: Any
) -> None:
    # Given a shop that takes bank transfers only, with its bank details set
    settings.TOUCHPOINT_PAYMENT_PROVIDERS = ["offline"]
    settings.TOUCHPOINT_BANK_DETAILS = BANK
    # When Ian orders a repair
    case = place_repair_order(customer)
    message = latest(case)
    ref, page = case.reference, tracking_url(case=case)
    # Then Norm welcomes him with the price from the order and the one way to pay that exists
    assert (message.touchpoint, message.tone, message.tone_reason) == ("order_received", "playful", "all going well")
    assert message.subject == f"{ref}: Your order is in – let's get your Nano (4th gen) better"
    assert message.body_text == (
        "Hi Ian,\n\n"
        "Thanks for choosing us! Your repair order is in and I've opened a file for your Nano (4th gen).\n\n"
        f"One thing left: payment of £39.00. Pay by bank transfer, quoting {ref} as the reference. "
        f"Our bank details: {BANK}. The moment it lands, I'll get things moving.\n\n"
        "What you can do now:\n"
        f"- Pay £39.00: {page}#pay\n\n"
        f"Cheers,\n{SIGN_OFF}\n\n" + footer(case)
    )
    assert "card" not in message.body_text
    # and the link in the message opens this case's page, and only this case's
    assert page.startswith("http://127.0.0.1:8000/c/")
    resolved = link_resolve(page.rsplit("/", 2)[-2])
    assert resolved.link is not None and resolved.link.case == case
    # The HTML offers the same action as a link, and one button to the case page
    assert f'href="{page}#pay"' in message.body_html and ">Pay £39.00</a>" in message.body_html
    assert [button.href for button in look(message.body_html).buttons] == [page]
    assert "<strong>Talk to a person:</strong> reply to this email" in message.body_html


def test_with_a_card_provider_the_order_offers_the_card_button_and_without_bank_details_asks_for_a_reply(
    customer: Customer, settings: Any
) -> None:
    # Given a shop that takes cards (Stripe) and bank transfers but hasn't set its bank details
    settings.TOUCHPOINT_PAYMENT_PROVIDERS = ["offline", "stripe"]
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk_test_touchpoint", "whsec_test_touchpoint"
    settings.TOUCHPOINT_BANK_DETAILS = ""
    # When Ian orders
    case = place_repair_order(customer)
    text = latest(case).body_text
    # Then he may pay by card on his page (the pay panel's card button), or ask us for the bank details
    assert (
        f"One thing left: payment of £39.00. Pay by card on your order page, or by bank transfer quoting "
        f"{case.reference} as the reference. Reply to this email and we'll send you our bank details. "
        "The moment it lands, I'll get things moving.\n\n"
        f"What you can do now:\n- Pay by card: {tracking_url(case=case)}#act-card_submitted\n\n" in text
    )


def test_no_payment_in_time_is_sober_says_nothing_was_charged_and_when_the_order_is_cancelled(
    customer: Customer, settings: Any
) -> None:
    settings.TOUCHPOINT_PAYMENT_PROVIDERS = ["offline"]
    settings.TOUCHPOINT_BANK_DETAILS = BANK
    case = place_repair_order(customer)
    # When two days pass without a payment (the worker fires the wait limit)
    moved = time_runs_out(case)
    message = latest(moved)
    deadline = Timer.objects.get(case=moved, purpose="wait", status=TimerStatus.PENDING)
    # Then the message is sober, says why, and holds the order until the timer that cancels it
    assert (message.touchpoint, message.tone) == ("payment_not_received", "sober")
    assert message.tone_reason == "exception: the case is in “There's a problem with your payment”"
    assert message.subject == f"{case.reference}: We haven't received your payment yet"
    with at(message.created_at):
        until = when_words(deadline.due_at)
    assert message.body_text.startswith(
        f"Hello Ian,\n\nWe haven't received the payment of £39.00 for order {case.reference} yet. "
        f"We're holding your order for you until {until}.\n\n"
        f"Pay by bank transfer, quoting {case.reference} as the reference. Our bank details: {BANK}.\n\n"
        "If no payment has arrived by then, we'll cancel the order; nothing will have been charged.\n\n"
    )
    assert "Cheers" not in message.body_text and "!" not in message.body_text
    # And when that timer runs out too, the order is cancelled and nothing was charged: no refund is claimed
    cancelled = time_runs_out(moved)
    last = latest(cancelled)
    assert (cancelled.state, last.touchpoint) == ("cancelled_unpaid", "order_cancelled_unpaid")
    assert (
        f"We've cancelled order {case.reference} because the payment never came through. Nothing has been charged."
        in last.body_text
    )
    assert "refund" not in last.body_text and "What you can do now" not in last.body_text
    assert Refund.objects.filter(case=case).count() == 0


def test_a_device_beyond_repair_says_the_exact_refund_and_offers_exactly_the_two_choices(customer: Customer) -> None:
    # Given Ian paid £39.00 by bank transfer and his device is in surgery
    case = repair_case(customer, "in_surgery")
    # When the bench records that it couldn't be saved
    moved = console(case, "died_on_table")
    message = latest(moved)
    page = tracking_url(case=moved)
    # Then the refund the move recorded is said to the penny, and how it comes back (a person pays a transfer back)
    refund = Refund.objects.get(case=case)
    assert (refund.amount, refund.status) == (39, "pay_back")
    assert message.touchpoint == "beyond_repair"
    assert (
        "We're sorry: our technician did everything we could, but your Nano (4th gen) can't be repaired. "
        "We're refunding everything you paid (£39.00): a person on our team is paying it back to you the way "
        "you paid.\n\n"
        "Please choose on your order page: have it back, or have it recycled responsibly. If we haven't heard "
        "from you by " in message.body_text
    )
    # and the two choices are the buttons the page offers now, and nothing else
    assert (
        "What you can do now:\n"
        f"- Send it back to me: {page}#act-return_chosen\n"
        f"- Recycle it responsibly: {page}#act-recycle_chosen\n\n" in message.body_text
    )


def test_the_repaired_device_with_approved_extra_work_asks_for_the_balance_before_the_trip_home(
    customer: Customer, settings: Any
) -> None:
    settings.TOUCHPOINT_PAYMENT_PROVIDERS = ["offline"]
    settings.TOUCHPOINT_BANK_DETAILS = BANK
    # Given Ian approved £25.00 of extra work
    case = diagnose(walk_to(place_repair_order(customer), "in_surgery"), [("A new battery", "25.00")])
    approved = latest(answer_quote(case, approve=True))
    assert approved.touchpoint == "extra_work_authorised"
    assert (
        "Thanks for the go-ahead! Here's your receipt: extra work on your Nano (4th gen), £25.00.\n\n"
        "You'll pay the £25.00 once the repair is done and checked, before it travels home; I'll tell you how then."
        in approved.body_text
    )
    # When the repair passes its check-up
    ready = console(console(approved.case, "repair_done"), "qc_passed")
    message = latest(ready)
    # Then it is right as rain, and the balance is due with the ways to pay
    assert (ready.state, message.touchpoint, ready.data["repaired"]) == ("awaiting_balance", "ready_balance_due", True)
    assert (
        "Before it travels home, there's the balance for the extra work you approved: £25.00. Pay by bank transfer, "
        f"quoting {case.reference} as the reference. Our bank details: {BANK}. The moment it lands, your "
        "Nano (4th gen) gets ready for the trip home." in message.body_text
    )
    assert f"What you can do now:\n- Pay £25.00: {tracking_url(case=ready)}#pay\n\n" in message.body_text
    # And once intake records the transfer, the receipt says what was paid
    paid = latest(pay_offline(ready))
    assert paid.touchpoint == "balance_received"
    assert "Thank you: we've received your payment of £25.00 for the extra work." in paid.body_text


def test_a_complaint_says_by_when_a_person_takes_it_on_from_the_acceptance_timer(customer: Customer) -> None:
    case = repair_case(customer, "resting")
    # When Ian complains from his page while the device rests before surgery
    moved = case_advance(case=case, event="complaint_raised", actor=CUSTOMER).case
    message = latest(moved)
    accept = Timer.objects.get(case=moved, purpose="accept", status=TimerStatus.PENDING)
    wait = Timer.objects.get(case=moved, purpose="wait", status=TimerStatus.PENDING)
    # Then the times it names are the acceptance deadline and the next update, as the timers hold them
    with at(message.created_at):
        accept_by, update_by = when_words(accept.due_at), when_words(wait.due_at)
    assert (message.touchpoint, message.tone) == ("complaint_received", "sober")
    assert (
        "We've received your complaint, and we're sorry things haven't gone right. A named person from our care "
        f"team will take it on by {accept_by} and get in touch to talk it through.\n\n"
        f"We'll write again by {update_by} at the latest.\n\n" in message.body_text
    )


def test_a_customer_who_asked_for_plain_messages_gets_the_sober_words() -> None:
    case = place_repair_order(CustomerFactory(name="Ann Plain", plain_messages=True))
    message = latest(case)
    assert (message.tone, message.tone_reason) == ("sober", "the customer asked for plain messages")
    assert message.subject == f"{case.reference}: We've received your order"


def test_an_urgent_customer_message_waiting_for_a_person_turns_the_next_message_sober(customer: Customer) -> None:
    case = place_repair_order(customer)
    task_open(
        kind=TaskKind.CUSTOMER_MESSAGE, owner="team:care", title="Angry reply", case=case, priority=1, due_at=now()
    )
    moved = pay_offline(case)
    message = latest(moved)
    assert (message.touchpoint, message.tone) == ("order_confirmed_send_device", "sober")
    assert message.tone_reason == "complaint open: an urgent customer message is waiting for a person"
    assert Task.objects.filter(kind=TaskKind.CUSTOMER_MESSAGE).count() == 1


def test_a_negative_latest_message_turns_the_next_message_sober(customer: Customer) -> None:
    case = place_repair_order(customer)
    Case.objects.filter(pk=case.pk).update(customer_sentiment=-0.62)
    case.refresh_from_db()
    message = latest(pay_offline(case))
    assert (message.tone, message.tone_reason) == (
        "sober",
        "negative sentiment: the customer's latest message scored -0.62",
    )
    assert message.subject == f"{case.reference}: Payment received; how to send your device"
    assert "We've received your payment of £39.00." in message.body_text
    assert "send it by a tracked postal service to: Repairs Dept., 12 Workshop Lane, Bristol, BS1 4QT" in (
        message.body_text
    )


def test_a_shops_own_template_comes_before_the_shipped_one(customer: Customer, tmp_path: Path) -> None:
    folder = tmp_path / "touchpoints" / "mail-in-repair"
    folder.mkdir(parents=True)
    parts = "".join(
        f"{{% partialdef {tone}_{part} %}}Ours, {{{{ customer.first_name }}}} ({tone} {part}){{% endpartialdef %}}"
        for tone in ("playful", "sober")
        for part in ("subject", "text", "html", "sms")
    )
    (folder / "order_received.html").write_text(parts)
    with override_settings(TOUCHPOINT_TEMPLATE_DIRS=[str(tmp_path)]):
        message = latest(place_repair_order(customer))
    assert message.subject == "Ours, Ian (playful subject)"
    assert message.body_text.startswith("Ours, Ian (playful text)\n\nWhat you can do now:\n- Pay £39.00: ")


def test_a_shops_own_persona_comes_before_the_shipped_one(customer: Customer, tmp_path: Path) -> None:
    (tmp_path / "personas").mkdir()
    (tmp_path / "personas" / "norm.yaml").write_text("name: Nora\nsignature: Nora at Fix-It Corner\n")
    with override_settings(TOUCHPOINT_TEMPLATE_DIRS=[str(tmp_path)]):
        message = latest(place_repair_order(customer))
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


def test_a_walk_in_device_is_called_what_the_counter_wrote(customer: Customer) -> None:
    from tests.support.orders import register_library
    from touchpoint.cases.journeys import journey_of
    from touchpoint.touchpoints.services import touchpoint_context

    register_library("walk-in-warranty")
    data = {
        "device": "Pulse headphones",
        "serial": "",
        "problem_notes": "Left side silent.",
        "in_warranty": True,
        "has_receipt": False,
        "tier": "standard",
    }
    case = case_open(
        journey="walk-in-warranty", customer=customer, actor=staff_actor(StaffFactory(teams=["counter"])), data=data
    ).case
    context = touchpoint_context(case=case, journey=journey_of(case.journey), key="swap_receipt")
    assert context["device"] == "Pulse headphones"
