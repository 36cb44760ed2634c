"""The parcel's tracking number on a phone (Debian's Chromium, 390 px): given with "I've posted my device"
by keyboard alone, a mistake said beside the field with what was typed kept, and the parcel panel
afterwards; then a number given later from the parcel panel. Screenshots and axe-core on each state."""

from __future__ import annotations

import re

import pytest

from tests.portal.story import Customer, paid, repair_order
from tests.support.browser import BrowserPage
from touchpoint.shipping.models import Leg, Shipment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def own_packaging() -> Customer:
    customer = repair_order(prepaid_box=False)
    paid(customer)
    assert customer.case.state == "awaiting_device"
    return customer


def test_posted_with_its_tracking_number_on_a_phone_by_keyboard(phone: BrowserPage) -> None:
    customer = own_packaging()
    page = phone.page
    phone.goto(customer.url + "#act-device_posted")
    form = page.locator("#act-device_posted")
    number = form.get_by_label("Tracking number")
    carrier = form.get_by_label("Who's carrying it?")
    assert number.is_visible() and carrier.is_visible()
    # Nothing sticks out of a phone's width
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    phone.check_a11y()
    phone.shot("posted, with a number to give")

    # By keyboard: into the number, a typo, the carrier, then the button
    number.focus()
    page.keyboard.type("RM 9876 5432 1GB!")
    page.keyboard.press("Tab")
    assert carrier.evaluate("el => el === document.activeElement")
    carrier.select_option("Royal Mail")
    page.keyboard.press("Tab")
    assert form.get_by_role("button", name="I've posted my device").evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    # The mistake is said beside the field, what was typed is kept, nothing moved
    page.get_by_role("alert").wait_for()
    error = page.locator("#err-device_posted-tracking_number")
    assert "only letters and digits" in error.inner_text()
    fixed = page.get_by_label("Tracking number")
    assert fixed.input_value() == "RM 9876 5432 1GB!"
    assert fixed.get_attribute("aria-invalid") == "true"
    assert customer.case.state == "awaiting_device"
    phone.check_a11y()
    phone.shot("a typo in the number")

    fixed.fill("RM 9876 5432 1GB")
    fixed.press("Enter")
    page.wait_for_url(re.compile(r"/c/[^/]+/$"))
    assert customer.case.state == "device_in_transit"
    panel = page.locator("#parcels")
    assert "Royal Mail, tracking number RM987654321GB" in " ".join(panel.inner_text().split())
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    phone.check_a11y()
    phone.shot("the parcel on its way")
    [parcel] = Shipment.objects.filter(case=customer.case, leg=Leg.INBOUND)
    assert (parcel.tracking_number, parcel.carrier) == ("RM987654321GB", "Royal Mail")


def test_a_number_given_later_from_the_parcel_panel(phone: BrowserPage) -> None:
    customer = own_packaging()
    page = phone.page
    phone.goto(customer.url + "#act-device_posted")
    page.locator("#act-device_posted").get_by_role("button", name="I've posted my device").click()
    page.wait_for_url(re.compile(r"/c/[^/]+/$"))
    panel = page.locator("#parcels")
    assert panel.get_by_role("heading", level=2).inner_text() == "Following your parcel"
    phone.check_a11y()
    phone.shot("the number asked for later")
    panel.get_by_label("Tracking number").fill("jjd 0002 2491")
    panel.get_by_label("Who's carrying it?").select_option("other")
    panel.get_by_role("button", name="Add the tracking number").click()
    page.wait_for_url(re.compile(r"/c/[^/]+/#parcels$"))
    assert "we've got your parcel's tracking number" in page.get_by_role("status").first.inner_text()
    assert "JJD00022491" in page.locator("#parcels").inner_text()
    assert page.locator("#parcel-number").count() == 0
    phone.check_a11y()
    phone.shot("the number given later")
    [parcel] = Shipment.objects.filter(case=customer.case, leg=Leg.INBOUND)
    assert (parcel.tracking_number, parcel.carrier) == ("JJD00022491", "")
