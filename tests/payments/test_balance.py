"""Approved extra work is a balance due: shown to the customer with the ways to pay and to staff
from the moment of approval; the device waits for it until it is paid (card or bank transfer) or
a person waives it through the remedies panel."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.payments.conftest import RecordedStripe, stripe_event, touchpoints
from tests.payments.walks import (
    balance_due,
    card_order,
    extra_work_approved,
    fresh,
    hook,
    page,
    pay_panel,
    section,
    staff,
    text,
)
from tests.support.factories import CustomerFactory
from tests.support.orders import place_repair_order
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.outbox.models import OutboxMessage
from touchpoint.payments.models import Payment, PaymentStatus, Purpose
from touchpoint.payments.selectors import case_money
from touchpoint.remedies.models import Remedy

pytestmark = pytest.mark.usefixtures("mail_in_repair")

BANK = "Repair Shop Ltd · sort code 12-34-56 · account 12345678"


@pytest.fixture(autouse=True)
def bank_details(settings: Any) -> None:
    settings.TOUCHPOINT_BANK_DETAILS = BANK


def events(case: Case) -> list[str]:
    return list(TimelineEntry.objects.filter(case=case).order_by("seq").values_list("event", flat=True))


def console_payments(client: Client, case: Case) -> str:
    html = client.get(reverse("console:case", args=[case.reference])).content.decode()
    return section(html, r'<h2 id="payments-h">Payments</h2>.*?(?=<div class="panel|</main>)')


def figures(panel: str) -> list[tuple[str, str]]:
    return re.findall(r"<div><dt>([^<]+)</dt><dd>([^<]+)</dd></div>", panel)


def test_approved_extra_work_shows_as_a_balance_to_staff_then_to_the_customer_with_the_ways_to_pay(
    client: Client, recorded_stripe: RecordedStripe
) -> None:
    # Given Ian's repair, paid £39.00 by card, and the customer approving £25.00 of extra work on his page
    case = extra_work_approved(client, card_order(client, recorded_stripe))
    assert case.state == "repairing"
    # Then the console's payment panel shows the balance from the moment of approval
    _, priya = staff("priya", first_name="Priya", teams=["intake"])
    assert figures(console_payments(priya, case)) == [
        ("Price", "£39.00"),
        ("Paid", "£39.00"),
        ("Extra work approved", "£25.00"),
        ("Balance due", "£25.00"),
    ]
    # while the customer's page doesn't ask for it before the repair is done and checked
    assert "Pay for the extra work" not in pay_panel(client, case)
    # When the repair passes its check-up
    case = balance_due(client, case)
    # Then the customer's page asks for the balance, with the card and the bank transfer
    panel = pay_panel(client, case)
    assert text(panel).startswith(
        "Pay for the extra work Your device is repaired and checked. The extra work you approved comes to "
        "£25.00; it travels home as soon as that is paid. £25.00 to pay"
    )
    assert '<button type="submit" id="act-card_submitted">Pay by card</button>' in panel
    assert f'<input type="hidden" name="version" value="{case.version}">' in panel
    assert f"Quote {case.reference} as the payment reference so we can match it to your order." in panel
    assert f'<p class="bank-details">{BANK}</p>' in panel
    assert case_money(case=case).balance_due == Decimal("25.00")
    # and the console offers intake the one way to record it, pre-filled with the balance
    console = console_payments(priya, case)
    assert "<h3>Balance received</h3>" in console
    assert 'id="pay-amount" name="amount" inputmode="decimal" autocomplete="off" value="25.00"' in console
    assert touchpoints(case)[-1] == "ready_balance_due"


def test_paying_the_balance_by_card_sends_the_device_home(client: Client, recorded_stripe: RecordedStripe) -> None:
    # Given a repaired device waiting for its £25.00 balance
    case = balance_due(client, card_order(client, recorded_stripe))
    version = case.version
    # When the customer presses "Pay by card" on their page
    session = "cs_test_balance_0000000000000000000000000000000000000000000"
    recorded_stripe.reply("checkout_session_created", id=session, url=f"https://checkout.stripe.com/c/pay/{session}")
    response = client.post(f"{page(case)}pay/card", {"version": version})
    # Then Stripe is asked for £25.00 for the extra work, and the case waits where it is
    assert (response.status_code, response["Location"]) == (303, f"https://checkout.stripe.com/c/pay/{session}")
    sent = recorded_stripe.requests[-1]["form"]
    assert (sent["line_items[0][price_data][unit_amount]"], sent["line_items[0][price_data][product_data][name]"]) == (
        "2500",
        f"Repair order {case.reference}: the extra work you approved",
    )
    balance = Payment.objects.get(provider_ref=session)
    assert (balance.purpose, balance.status, balance.amount) == (Purpose.BALANCE, PaymentStatus.PENDING, Decimal("25"))
    assert (fresh(case).state, fresh(case).version) == ("awaiting_balance", version)
    # coming back, the page says it is confirming, not paid
    back = client.get(f"{page(case)}?payment=done").content.decode()
    assert "Thank you. We're confirming your payment with your bank." in back
    assert client.get(f"{page(case)}pay/status").json() == {"checking": True}
    # When Stripe's signed webhook says it is paid (twice: Stripe retries)
    paid = stripe_event(
        "event_checkout_session_completed",
        event_id="evt_balance_paid",
        session_id=session,
        amount_total=2500,
        amount_subtotal=2500,
        payment_intent="pi_3RecordedBalance",
    )
    first, second = hook(client, paid), hook(client, paid)
    # Then the balance is paid once and the device gets ready for the trip home
    assert (first["outcome"], first["detail"], second["duplicate"]) == (
        "applied",
        "the balance is paid; the case moved on",
        True,
    )
    case = fresh(case)
    assert case.state == "return_to_pack"
    assert events(case)[-1] == "balance_paid"
    assert touchpoints(case)[-1] == "balance_received"
    assert touchpoints(case).count("balance_received") == 1
    balance.refresh_from_db()
    assert (balance.status, balance.payment_ref) == (PaymentStatus.PAID, "pi_3RecordedBalance")
    money = case_money(case=case)
    assert (money.paid, money.balance_due) == (Decimal("64.00"), Decimal("0"))
    assert client.get(f"{page(case)}pay/status").json() == {"checking": False}
    receipt = text(pay_panel(client, case))
    assert "Paid £39.00 by card on" in receipt
    assert "Paid the £25.00 balance for the extra work by card on" in receipt


def test_a_declined_balance_card_payment_leaves_the_case_waiting_and_the_page_offers_to_try_again(
    client: Client, recorded_stripe: RecordedStripe
) -> None:
    case = balance_due(client, card_order(client, recorded_stripe))
    session = "cs_test_balance_declined_000000000000000000000000000000000000"
    recorded_stripe.reply("checkout_session_created", id=session, url=f"https://checkout.stripe.com/c/pay/{session}")
    assert client.post(f"{page(case)}pay/card", {"version": case.version}).status_code == 303
    answer = hook(
        client,
        stripe_event("event_checkout_session_async_payment_failed", event_id="evt_balance_failed", session_id=session),
    )
    assert (answer["outcome"], answer["detail"]) == ("recorded", "the balance wasn't paid; the customer can try again")
    assert fresh(case).state == "awaiting_balance"
    panel = text(pay_panel(client, case))
    assert "Your last card payment didn't go through, and nothing was charged." in panel
    assert "Try again by card" in panel
    # Pressing it again from the same page starts a new checkout, not the failed one
    again = "cs_test_balance_again_00000000000000000000000000000000000000000"
    recorded_stripe.reply("checkout_session_created", id=again, url=f"https://checkout.stripe.com/c/pay/{again}")
    response = client.post(f"{page(case)}pay/card", {"version": fresh(case).version})
    assert response["Location"] == f"https://checkout.stripe.com/c/pay/{again}"
    assert list(Payment.objects.filter(purpose=Purpose.BALANCE).order_by("pk").values_list("status", flat=True)) == [
        PaymentStatus.FAILED,
        PaymentStatus.PENDING,
    ]


def test_a_bank_transfer_for_the_balance_recorded_in_the_console_sends_the_device_home(
    client: Client, recorded_stripe: RecordedStripe
) -> None:
    # Given a repaired device waiting for its £25.00 balance, and Priya in intake
    case = balance_due(client, card_order(client, recorded_stripe))
    priya, console = staff("priya", first_name="Priya", teams=["intake"])
    url = reverse("console:payment_record", args=[case.reference])
    # When a first transfer of £10.00 arrives and she records it
    response = console.post(url, {"version": case.version, "amount": "10.00", "method": "bank_transfer"})
    # Then it is kept, the case waits for the rest, and both sides see £15.00 left
    assert response.status_code == 303
    case = fresh(case)
    assert (case.state, case_money(case=case).balance_due) == ("awaiting_balance", Decimal("15.00"))
    assert "£15.00 to pay" in text(pay_panel(client, case))
    assert 'value="15.00"' in console_payments(console, case)
    # When the rest arrives
    response = console.post(url, {"version": case.version, "amount": "15.00", "method": "bank_transfer"})
    # Then the balance is paid, by her hand, and the device gets ready for the trip home
    assert response.status_code == 303
    case = fresh(case)
    assert case.state == "return_to_pack"
    entry = TimelineEntry.objects.filter(case=case).order_by("-seq").first()
    assert entry is not None and (entry.event, entry.actor_user) == ("balance_paid", priya)
    assert touchpoints(case)[-1] == "balance_received"
    assert list(
        Payment.objects.filter(case=case, purpose=Purpose.BALANCE).values_list("amount", "method", "recorded_by")
    ) == [(Decimal("10.00"), "bank_transfer", priya.pk), (Decimal("15.00"), "bank_transfer", priya.pk)]
    # and a stale page can't record it again
    again = console.post(url, {"version": case.version - 1, "amount": "15.00", "method": "bank_transfer"})
    assert again.status_code == 409
    assert Payment.objects.filter(case=case, purpose=Purpose.BALANCE).count() == 2


def test_the_console_records_no_payment_when_nothing_is_due(client: Client) -> None:
    case = place_repair_order(CustomerFactory())
    _, console = staff("priya", teams=["intake"])
    url = reverse("console:payment_record", args=[case.reference])
    assert console.post(url, {"version": case.version, "amount": "39.00", "method": "bank_transfer"}).status_code == 303
    case = fresh(case)
    response = console.post(url, {"version": case.version, "amount": "39.00", "method": "bank_transfer"})
    assert response.status_code == 409
    assert (
        "this order isn&#x27;t waiting for a payment now, so there is nothing to record." in response.content.decode()
    )
    assert (Payment.objects.filter(case=case).count(), fresh(case).version) == (1, case.version)


def remedy_form(client: Client, case: Case, kind: str) -> dict[str, str]:
    html = client.get(reverse("console:case_remedies", args=[case.reference])).content.decode()
    version = re.search(rf'name="{kind}-version" value="(\d+)"', html)
    nonce = re.search(rf'name="{kind}-nonce" value="([^"]+)"', html)
    assert version and nonce, f"no {kind} form on the page"
    return {"kind": kind, "action": "apply", f"{kind}-version": version.group(1), f"{kind}-nonce": nonce.group(1)}


def test_a_waiver_given_through_the_remedies_panel_sends_the_device_home(
    client: Client, recorded_stripe: RecordedStripe
) -> None:
    # Given a repaired device waiting for its £25.00 balance, and Jo in customer care
    case = balance_due(client, card_order(client, recorded_stripe))
    jo, care = staff("jo", first_name="Jo", teams=["care"])
    give = reverse("console:remedy_give", args=[case.reference])
    messages_before = OutboxMessage.objects.filter(case=case).count()
    # When she waives more than the balance, it is refused and nothing changes
    form = remedy_form(care, case, "fee_waiver")
    refused = care.post(give, {**form, "fee_waiver-amount": "30", "fee_waiver-reason": "Our delay"})
    assert refused.status_code == 400
    assert "the balance left to pay is £25.00: waive at most that" in refused.content.decode()
    assert (fresh(case).state, Remedy.objects.count()) == ("awaiting_balance", 0)
    # When she waives the £25.00 balance
    form = remedy_form(care, case, "fee_waiver")
    response = care.post(give, {**form, "fee_waiver-amount": "25", "fee_waiver-reason": "Our delay"})
    # Then it is a remedy under her rule, audited, and the same move sends the device home
    assert response.status_code in (302, 303)
    remedy = Remedy.objects.get()
    assert (remedy.kind, remedy.amount, remedy.applied_by, remedy.rule) == (
        "fee_waiver",
        Decimal("25.00"),
        jo,
        "fee_waiver.agent",
    )
    case = fresh(case)
    assert case.state == "return_to_pack"
    assert events(case)[-2:] == ["remedy_applied", "balance_waived"]
    # the journey's own message tells the customer, once
    assert touchpoints(case)[-1] == "balance_waived"
    assert OutboxMessage.objects.filter(case=case).count() == messages_before + 1
    assert case_money(case=case).balance_due == Decimal("0")


def test_a_bench_agent_cannot_waive_the_whole_balance_the_journey_leaves_it_to_care_or_a_lead(
    client: Client, recorded_stripe: RecordedStripe
) -> None:
    case = balance_due(client, card_order(client, recorded_stripe))
    _, bench = staff("sam", first_name="Sam", teams=["bench"])
    form = remedy_form(bench, case, "fee_waiver")
    give = reverse("console:remedy_give", args=[case.reference])
    response = bench.post(give, {**form, "fee_waiver-amount": "25", "fee_waiver-reason": "Our delay"})
    assert response.status_code == 400
    assert "customer care or a lead does: ask one of them" in response.content.decode()
    assert (fresh(case).state, Remedy.objects.count()) == ("awaiting_balance", 0)


def test_a_waiver_over_the_agents_limit_is_asked_of_a_lead_whose_approval_sends_the_device_home(
    client: Client, recorded_stripe: RecordedStripe
) -> None:
    from touchpoint.remedies.models import RemedyRequest
    from touchpoint.staff.models import Role

    # Given £60.00 of extra work waiting to be paid, over Jo's £30.00 fee waiver limit
    case = balance_due(client, card_order(client, recorded_stripe), "60.00")
    jo, care = staff("jo", first_name="Jo", teams=["care"])
    lee, lead = staff("lee", first_name="Lee", role=Role.LEAD, teams=["care"])
    give = reverse("console:remedy_give", args=[case.reference])
    form = {**remedy_form(care, case, "fee_waiver"), "action": "ask"}
    # When Jo asks a lead for it
    asked = care.post(give, {**form, "fee_waiver-amount": "60", "fee_waiver-reason": "We kept it a week too long"})
    assert asked.status_code in (302, 303)
    request = RemedyRequest.objects.get()
    assert fresh(case).state == "awaiting_balance"
    # and Lee approves it on the leads' page
    decide = reverse("console:remedy_request_decide", args=[case.reference, request.pk])
    response = lead.post(decide, {"action": "approve", f"r{request.pk}-reason": "Agreed: our delay"})
    # Then the waiver is given under Lee's rule, and the same move sends the device home, by Lee
    assert response.status_code in (302, 303)
    remedy = Remedy.objects.get()
    assert (remedy.amount, remedy.applied_by, remedy.approved_by, remedy.rule) == (
        Decimal("60.00"),
        jo,
        lee,
        "fee_waiver.lead",
    )
    case = fresh(case)
    assert case.state == "return_to_pack"
    moved = TimelineEntry.objects.get(case=case, event="balance_waived")
    assert moved.actor_user == lee
    assert touchpoints(case)[-1] == "balance_waived"
