"""Paying on a phone, in a real browser: by card through Stripe (its page stood in for at the
internet's edge, its webhook signed by the library), and a checkout left unpaid."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from django.utils.csp import CSP

from tests.payments.conftest import (
    SESSION_ID,
    RecordedStripe,
    install_recorded_stripe,
    open_repair,
    register_mail_in_repair,
    signed,
    stripe_event,
    touchpoints,
)
from tests.support.browser import BrowserPage
from touchpoint.cases.models import Case
from touchpoint.links.services import link_token
from touchpoint.payments.models import Payment, PaymentStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAND_IN = """<!doctype html><html lang="en"><head><title>Stripe Checkout (stand-in)</title></head>
<body><main><h1>Stripe Checkout (stand-in)</h1><p>Pay £39.00 to Repair Shop</p>
<a id="back" href="{cancel}">Back to Repair Shop</a></main></body></html>"""


@pytest.fixture
def stripe_on(settings: Any, monkeypatch: pytest.MonkeyPatch) -> RecordedStripe:
    register_mail_in_repair()
    wire = install_recorded_stripe(settings, monkeypatch)
    # As the settings module does when Stripe's keys are set: the pay form may redirect to Checkout.
    settings.SECURE_CSP = {**settings.SECURE_CSP, "form-action": [CSP.SELF, "https://checkout.stripe.com"]}
    return wire


def stand_in_for_stripe(phone: BrowserPage, cancel_url: str) -> list[str]:
    """Stripe's hosted page is the internet's edge: the browser gets a stand-in page there."""
    visited: list[str] = []

    def fulfil(route: Any) -> None:
        visited.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body=STAND_IN.format(cancel=cancel_url))

    phone.page.route("https://checkout.stripe.com/**", fulfil)
    return visited


def stripe_sends(live_server: Any, event: dict[str, Any]) -> dict[str, Any]:
    """POST the event to the webhook as Stripe would, signed with the library's own code."""
    payload, header = signed(event)
    request = urllib.request.Request(
        f"{live_server.url}/hooks/stripe",
        data=payload.encode(),
        headers={"Content-Type": "application/json", "Stripe-Signature": header},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer: dict[str, Any] = json.loads(response.read())
        return answer


def test_paying_by_card_on_a_phone(phone: BrowserPage, live_server: Any, stripe_on: RecordedStripe) -> None:
    # Given a new order, opened from the link in the customer's email
    case = open_repair()
    token = link_token(case=case)
    visited = stand_in_for_stripe(phone, f"{live_server.url}/c/{token}/?payment=cancelled")
    stripe_on.reply("checkout_session_created")
    phone.goto(f"/c/{token}/")
    phone.page.get_by_role("heading", name="Pay for your repair").wait_for()
    phone.check_a11y()
    phone.shot("pay panel")
    # When they press "Pay by card", the browser follows the redirect to Stripe's page
    phone.page.get_by_role("button", name="Pay by card").click()
    phone.page.get_by_role("heading", name="Stripe Checkout (stand-in)").wait_for()
    assert visited == [f"https://checkout.stripe.com/c/pay/{SESSION_ID}"]
    assert stripe_on.requests[0]["form"]["success_url"] == f"{live_server.url}/c/{token}/?payment=done"
    # And come back to the success URL before Stripe's webhook has arrived: we are still confirming
    phone.goto(f"/c/{token}/?payment=done")
    phone.page.get_by_text("We're confirming your payment with your bank.").wait_for()
    phone.check_a11y()
    phone.shot("confirming with the bank")
    # When Stripe's signed webhook arrives
    answer = stripe_sends(
        live_server, stripe_event("event_checkout_session_completed", event_id="evt_ok", session_id=SESSION_ID)
    )
    assert answer["outcome"] == "applied"
    # Then the page, checking by itself, reloads and shows the receipt
    phone.page.get_by_text("Paid £39.00 by card on").wait_for(timeout=15_000)
    phone.check_a11y()
    phone.shot("paid")
    assert Payment.objects.get().status == PaymentStatus.PAID
    assert Case.objects.get(pk=case.pk).state == "awaiting_device"


def test_a_checkout_left_unpaid_shows_how_to_try_again(
    phone: BrowserPage, live_server: Any, stripe_on: RecordedStripe
) -> None:
    # Given the customer went to Stripe's page and pressed its back link
    case = open_repair()
    token = link_token(case=case)
    stand_in_for_stripe(phone, f"{live_server.url}/c/{token}/?payment=cancelled")
    stripe_on.reply("checkout_session_created")
    phone.goto(f"/c/{token}/")
    phone.page.get_by_role("button", name="Pay by card").click()
    phone.page.get_by_role("link", name="Back to Repair Shop").click()
    # Then the case page says nothing was charged and offers the open payment page again
    phone.page.get_by_text("You left the payment page, and nothing has been charged.").wait_for()
    assert phone.page.get_by_role("link", name="Go back to the payment page").get_attribute("href") == (
        f"https://checkout.stripe.com/c/pay/{SESSION_ID}#fidkdWxOYHwnPyd1blpxYHZxWjA0"
    )
    phone.check_a11y()
    phone.shot("left the payment page")
    # When the session expires unpaid and Stripe says so
    answer = stripe_sends(
        live_server, stripe_event("event_checkout_session_expired", event_id="evt_gone", session_id=SESSION_ID)
    )
    assert answer["outcome"] == "applied"
    # Then the page shows how to try again, and the customer had one message about it
    phone.page.get_by_role("heading", name="Your payment didn't go through").wait_for(timeout=15_000)
    phone.page.get_by_role("button", name="Try again by card").wait_for()
    phone.check_a11y()
    phone.shot("try again")
    assert touchpoints(case) == ["order_received", "payment_declined"]
