"""The pay panel on the customer's case page, "Pay by card", and the status the page polls."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from tests.payments.conftest import (
    SESSION_ID,
    RecordedStripe,
    install_recorded_stripe,
    open_repair,
    register_mail_in_repair,
    signed,
    start_checkout,
    stripe_event,
)
from tests.support.factories import StaffFactory
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.flows.payments import offline_payment_record
from touchpoint.links.services import link_token
from touchpoint.payments.models import OfflineMethod, Payment


@pytest.fixture(autouse=True)
def mail_in_repair(db: Any) -> None:
    register_mail_in_repair()


@pytest.fixture
def recorded_stripe(settings: Any, monkeypatch: pytest.MonkeyPatch) -> RecordedStripe:
    return install_recorded_stripe(settings, monkeypatch)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def pay_section(response: Any) -> str:
    html = response.content.decode()
    match = re.search(r'<section class="panel pay".*?</section>', html, re.S)
    assert match is not None, "no pay panel on the page"
    return match.group(0)


def test_a_new_order_shows_the_price_and_both_ways_to_pay(client: Client, recorded_stripe: RecordedStripe) -> None:
    case = open_repair()
    token = link_token(case=case)
    panel = pay_section(client.get(f"/c/{token}/"))
    assert "Pay for your repair £39.00 to pay" in text(panel)
    assert f'<form method="post" action="/c/{token}/pay/card">' in panel
    assert '<input type="hidden" name="version" value="1">' in panel
    assert "Pay by card</button>" in panel
    assert f"Quote {case.reference} as the payment reference so we can match it to your order." in panel


def test_without_stripe_only_the_offline_way_shows(client: Client, settings: Any) -> None:
    settings.TOUCHPOINT_PAYMENT_PROVIDERS = ["offline"]
    settings.TOUCHPOINT_BANK_DETAILS = "Repair Shop Ltd · sort code 12-34-56 · account 12345678"
    case = open_repair()
    panel = pay_section(client.get(f"/c/{link_token(case=case)}/"))
    assert "<form" not in panel
    assert "By card" not in panel
    assert "Repair Shop Ltd · sort code 12-34-56 · account 12345678" in panel
    # And posting to the card route anyway changes nothing and says why
    response = client.post(f"/c/{link_token(case=case)}/pay/card", {"version": "1"})
    assert response.status_code == 404
    assert "Card payments aren&#x27;t available here: please pay by bank transfer." in pay_section(response)
    assert (Payment.objects.count(), Case.objects.get(pk=case.pk).version) == (0, 1)


def test_pay_by_card_redirects_to_stripe_and_a_double_click_goes_to_the_same_session(
    client: Client, recorded_stripe: RecordedStripe
) -> None:
    case = open_repair()
    token = link_token(case=case)
    recorded_stripe.reply("checkout_session_created")
    # When the customer presses "Pay by card" twice on the same page
    first = client.post(f"/c/{token}/pay/card", {"version": "1"})
    second = client.post(f"/c/{token}/pay/card", {"version": "1"})
    # Then both go to the one Stripe session (303, See Other), made once
    stripe_url = f"https://checkout.stripe.com/c/pay/{SESSION_ID}#fidkdWxOYHwnPyd1blpxYHZxWjA0"
    assert [(r.status_code, r["Location"]) for r in (first, second)] == [(303, stripe_url), (303, stripe_url)]
    assert len(recorded_stripe.requests) == 1
    sent = recorded_stripe.requests[0]["form"]
    assert sent["success_url"] == f"http://testserver/c/{token}/?payment=done"
    assert sent["cancel_url"] == f"http://testserver/c/{token}/?payment=cancelled"
    assert Payment.objects.count() == 1
    events = list(TimelineEntry.objects.filter(case=case).values_list("event", flat=True))
    assert events == ["opened", "card_submitted"]


def test_coming_back_from_stripe_says_we_are_confirming_not_paid(
    client: Client, recorded_stripe: RecordedStripe
) -> None:
    case = open_repair()
    start_checkout(case, recorded_stripe)
    token = link_token(case=case)
    panel = text(pay_section(client.get(f"/c/{token}/?payment=done")))
    assert panel.startswith("Checking your payment Thank you. We're confirming your payment with your bank.")
    assert "Paid" not in panel
    assert client.get(f"/c/{token}/pay/status").json() == {"checking": True}


def test_leaving_stripes_page_offers_the_way_back_while_the_session_is_open(
    client: Client, recorded_stripe: RecordedStripe
) -> None:
    case = open_repair()
    payment = start_checkout(case, recorded_stripe)
    panel = pay_section(client.get(f"/c/{link_token(case=case)}/?payment=cancelled"))
    assert "You left the payment page, and nothing has been charged." in panel
    assert f'<a class="button" href="{payment.checkout_url}">Go back to the payment page</a>' in panel


def test_after_a_declined_payment_the_panel_offers_to_try_again(
    client: Client, recorded_stripe: RecordedStripe
) -> None:
    case = open_repair()
    start_checkout(case, recorded_stripe)
    payload, header = signed(stripe_event("event_checkout_session_expired", event_id="e1", session_id=SESSION_ID))
    client.post("/hooks/stripe", data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)
    token = link_token(case=case)
    assert client.get(f"/c/{token}/pay/status").json() == {"checking": False}
    panel = pay_section(client.get(f"/c/{token}/"))
    assert "Your payment didn&#x27;t go through" in panel
    assert "Nothing has been charged. You can try again below" in panel
    assert '<input type="hidden" name="version" value="3">' in panel
    assert "Try again by card</button>" in panel


def test_a_stale_pay_form_is_refused_with_the_page_as_it_is_now(
    client: Client, recorded_stripe: RecordedStripe
) -> None:
    # Given intake recorded a bank transfer while the customer's page was open
    case = open_repair()
    token = link_token(case=case)
    clerk = StaffFactory(username="priya", teams=["intake"])
    offline_payment_record(
        case=case,
        seen_version=1,
        staff=clerk,
        amount=Decimal("39.00"),
        method=OfflineMethod.BANK_TRANSFER,
        reference="",
    )
    # When the customer presses "Pay by card" on the old page
    response = client.post(f"/c/{token}/pay/card", {"version": "1"})
    # Then nothing goes to Stripe, and the page says what happened and shows the receipt
    assert response.status_code == 409
    assert recorded_stripe.requests == []
    html = response.content.decode()
    assert "Your order changed while this page was open. Here it is as it is now." in html
    assert "Paid £39.00 (bank transfer) on" in text(html)
    assert Payment.objects.count() == 1
    # the whole page as it is now: where the repair is (paid: the device is awaited) and its story
    assert "<h1>Waiting for your device</h1>" in html
    assert "What has happened so far" in text(html)


def test_a_broken_form_is_a_clear_message_not_an_error(client: Client, recorded_stripe: RecordedStripe) -> None:
    case = open_repair()
    response = client.post(f"/c/{link_token(case=case)}/pay/card", {"version": "abc"})
    assert response.status_code == 400
    assert "That form was incomplete. Please press “Pay by card” again." in pay_section(response)
    assert (recorded_stripe.requests, Case.objects.get(pk=case.pk).version) == ([], 1)


def test_the_pay_form_needs_its_csrf_token(recorded_stripe: RecordedStripe) -> None:
    case = open_repair()
    response = Client(enforce_csrf_checks=True).post(f"/c/{link_token(case=case)}/pay/card", {"version": "1"})
    assert response.status_code == 403
    assert recorded_stripe.requests == []
