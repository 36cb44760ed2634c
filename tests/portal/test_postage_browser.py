"""The order form's money lines in a real browser on a phone: what the order page will ask for follows
the device and the service level chosen (intake.js), in the shop's money, and the order placed asks
for the diagnosis and the postage together on its case page."""

from __future__ import annotations

import re

import pytest

from tests.portal.test_intake_browser import fill_the_rest
from tests.portal.test_intake_service import shop  # noqa: F401 - the fixture
from tests.shipping.test_service_levels import TRACKED_24, TRACKED_48, add
from tests.shop.given import lead_client
from tests.support.browser import BrowserPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("shop")]


def test_the_pay_line_follows_the_device_and_the_service_level(phone: BrowserPage) -> None:
    lead = lead_client()
    assert add(lead, TRACKED_48).status_code == 302
    assert add(lead, TRACKED_24).status_code == 302
    p = phone.page
    assert phone.goto("/repair/").status == 200
    line = p.locator("#pay-next")
    assert "its postage (Royal Mail Tracked 48: £3.20)" in line.inner_text()

    p.get_by_label("Slate Tab Air 10").check()
    p.get_by_label("Royal Mail Tracked 24").check()
    assert line.inner_text() == (
        "Next: your order page, where you pay for the diagnosis (£49.00) and, with a prepaid box, its "
        "postage (Royal Mail Tracked 24: £4.50). We email you a link to it."
    )
    phone.check_a11y()

    fill_the_rest(phone)
    p.get_by_label("Send me a prepaid box").check()
    p.get_by_label("Email address").fill("tom@example.com")
    p.get_by_role("button", name="Place my order").click()
    p.wait_for_url(re.compile(r"/c/[A-Za-z0-9_-]{43}/$"))
    pay = p.locator("#pay").inner_text()
    assert "£53.50" in pay
    assert "£49.00 for the diagnosis and repair, and £4.50 for the prepaid box's postage" in pay
