"""The scan station in a real browser (Debian's Chromium), as a USB barcode scanner uses it: a code
typed and Enter, three times in a row, one of them unknown, without touching the mouse. The code
box keeps the focus after every scan. Screenshots under var/test-artifacts/screenshots/; axe-core
on the page with each kind of answer."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.console.given import repair_data
from tests.support.browser import BrowserPage
from tests.support.factories import CustomerFactory, StaffFactory
from touchpoint.cases.actors import CARRIER, CUSTOMER, SYSTEM
from touchpoint.cases.journeys import journey_register
from touchpoint.cases.models import Case
from touchpoint.flows.advance import case_advance, case_open
from touchpoint.journeys.library import library_file
from touchpoint.shipping.models import Leg
from touchpoint.shipping.services import shipment_record
from touchpoint.staff.models import StaffUser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def posted(name: str) -> Case:
    """A mail-in repair whose device is in the post to the shop."""
    case = case_open(
        journey="mail-in-repair",
        customer=CustomerFactory(name=name),
        actor=SYSTEM,
        data=repair_data(),
    ).case
    for event, actor in [("card_submitted", CUSTOMER), ("payment_succeeded", SYSTEM), ("device_posted", CARRIER)]:
        case = case_advance(case=case, event=event, actor=actor).case
    return case


def sign_in(browser: BrowserPage, user: StaffUser) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    browser.page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": browser.base_url}])


def test_three_parcels_scanned_in_a_row_by_keyboard_only(desktop: BrowserPage) -> None:
    path = library_file("mail-in-repair")
    assert path is not None
    journey_register(source=path.read_text(), filename=str(path))
    ian, ada = posted("Ian Kearns"), posted("Ada Lovelace")
    shipment_record(case=ada, leg=Leg.INBOUND, carrier="DPD", tracking_number="DPD 5566 7788")
    sign_in(desktop, StaffFactory(username="alex", first_name="Alex", last_name="", teams=["intake"]))
    page = desktop.page
    desktop.goto(reverse("console:scan"))
    code = page.get_by_label("Case reference or tracking number")
    assert page.evaluate("document.activeElement.id") == "id_code"
    assert page.get_by_label("Arrived").is_checked()
    desktop.check_a11y()

    # Scan 1: Ian's reference, as the scanner types it
    page.keyboard.type(ian.reference.lower())
    with page.expect_navigation():
        page.keyboard.press("Enter")
    result = page.get_by_role("status")
    assert f"{ian.reference} arrived: now “Resting before surgery”." in result.inner_text()
    assert "Put it on the resting shelf: surgery starts tomorrow." in result.inner_text()
    assert "Ian Kearns" in result.inner_text()
    assert page.evaluate("document.activeElement.id") == "id_code"
    assert code.input_value() == ""
    desktop.shot("first arrival recorded")

    # Scan 2: a label nobody knows
    page.keyboard.type("ZZ-404")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "No case or parcel has the code ZZ-404 — check the label, or search the queues." in (
        page.get_by_role("status").inner_text()
    )
    assert page.evaluate("document.activeElement.id") == "id_code"
    desktop.check_a11y()
    desktop.shot("unknown code")

    # Scan 3: Ada's parcel by its tracking number
    page.keyboard.type("DPD55667788")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"{ada.reference} arrived: now “Resting before surgery”." in page.get_by_role("status").inner_text()
    assert page.evaluate("document.activeElement.id") == "id_code"

    # The session's list shows all three, newest first, and both cases moved once
    rows = page.locator(".scan-log tbody tr")
    assert rows.count() == 3
    assert [rows.nth(i).locator("code").inner_text() for i in range(3)] == [
        "DPD55667788",
        "ZZ-404",
        ian.reference.lower(),
    ]
    assert [Case.objects.get(pk=c.pk).state for c in (ian, ada)] == ["resting", "resting"]
    desktop.check_a11y()
    desktop.shot("three scans")


def test_a_kit_is_dispatched_on_a_phone_with_javascript_off(phone_nojs: BrowserPage) -> None:
    path = library_file("mail-in-repair")
    assert path is not None
    journey_register(source=path.read_text(), filename=str(path))
    kit = case_open(
        journey="mail-in-repair",
        customer=CustomerFactory(name="Ian Kearns"),
        actor=SYSTEM,
        data=repair_data(prepaid_box=True),
    ).case
    for event, actor in [("card_submitted", CUSTOMER), ("payment_succeeded", SYSTEM)]:
        kit = case_advance(case=kit, event=event, actor=actor).case
    sign_in(phone_nojs, StaffFactory(username="sam", first_name="Sam", last_name="", teams=["shipping"]))
    page = phone_nojs.page
    phone_nojs.goto(reverse("console:scan"))
    # Sam chooses Dispatched, opens the dispatch details, and scans the kit's reference
    page.get_by_label("Dispatched").check()
    page.get_by_text("Dispatch details (optional)").click()
    page.get_by_label("Tracking number (dispatch)").fill("RM 1234 5678 GB")
    page.get_by_label("Carrier (dispatch)").fill("Royal Mail")
    page.get_by_label("Case reference or tracking number").fill(kit.reference)
    with page.expect_navigation():
        page.get_by_label("Case reference or tracking number").press("Enter")
    result = page.get_by_role("status").inner_text()
    assert f"{kit.reference} dispatched: now “Your repair kit is in the post”." in result
    assert "Put the kit in the carrier's collection cage." in result
    # and the choice is remembered for the next scan, the kit's parcel is on record
    assert page.get_by_label("Dispatched").is_checked()
    assert list(kit.shipments.values_list("leg", "carrier", "tracking_number")) == [
        ("box", "Royal Mail", "RM12345678GB")
    ]
    assert Case.objects.get(pk=kit.pk).state == "box_in_post"
    phone_nojs.shot("kit dispatched without javascript")
