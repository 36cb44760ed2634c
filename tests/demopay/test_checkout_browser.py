"""The demo card page on a phone, by keyboard, in Chromium: a mistyped card is said beside its field
and kept, the test card pays, and the case page shows the payment once the worker has delivered the
signed event (the page checks by itself)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.demopay.conftest import place_order
from tests.support.browser import BrowserPage
from touchpoint.cases.models import Case
from touchpoint.worker.loop import Worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("demo_card")]


def type_card(phone: BrowserPage, number: str, expiry: str, cvc: str, name: str) -> None:
    """From the card number field to "Pay" by keyboard alone: type, Tab, type… then Enter."""
    page = phone.page
    field = page.get_by_label("Card number")
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(number)
    for value in (expiry, cvc, name):
        page.keyboard.press("Tab")
        page.keyboard.press("Control+A")
        page.keyboard.type(value)
    page.keyboard.press("Enter")


def test_paying_on_the_demo_card_page_on_a_phone_by_keyboard(
    phone: BrowserPage, live_server: Any, settings: Any
) -> None:
    settings.TOUCHPOINT_PUBLIC_URL = live_server.url
    order = place_order()
    phone.goto(order.page)
    phone.page.get_by_role("button", name="Pay by card").click()

    # The demo card page, unmistakably the demo
    phone.page.get_by_role("heading", name="Pay The Repair Shop £39.00").wait_for()
    assert phone.page.get_by_text("DEMO — no real money").is_visible()
    phone.check_a11y()
    phone.shot("demo card page")

    # A mistyped card: Stripe's words beside each field, what was typed kept, focus on the first problem
    type_card(phone, "4242 4242 4242 4241", "01 / 20", "12", "Ian Kearns")
    phone.page.get_by_role("alert").filter(has_text="Please check the card details").wait_for()
    assert phone.page.locator("#id_number_error").inner_text() == "Your card number is invalid."
    assert phone.page.locator("#id_expiry_error").inner_text() == "Your card's expiration year is in the past."
    assert phone.page.locator("#id_cvc_error").inner_text() == "Your card's security code is incomplete."
    assert phone.page.get_by_label("Name on card").input_value() == "Ian Kearns"
    assert phone.page.evaluate("document.activeElement.id") == "id_number"
    phone.check_a11y()
    phone.shot("mistyped card")

    # The declined test card, then the one that pays
    type_card(phone, "4000 0000 0000 0002", "12 / 34", "123", "Ian Kearns")
    phone.page.get_by_role("alert").filter(has_text="Your card was declined.").wait_for()
    assert phone.page.get_by_label("Card number").input_value() == "4000 0000 0000 0002"
    phone.shot("declined")
    type_card(phone, "4242 4242 4242 4242", "12 / 34", "123", "Ian Kearns")

    # Back on the case page, which waits for the provider's word…
    phone.page.get_by_text("We're confirming your payment with your bank.").wait_for()
    assert phone.page.url == f"{live_server.url}{order.page}?payment=done"
    # …until the worker delivers the signed event; the page notices by itself
    Worker(worker_id="w1").run_once()
    phone.page.get_by_text("Paid £39.00 by card on").wait_for(timeout=20_000)
    phone.check_a11y()
    phone.shot("paid")
    assert Case.objects.get(pk=order.case.pk).state == "awaiting_device"
