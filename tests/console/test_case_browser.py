"""The case view in a real browser (Debian's Chromium): an agent triages a complaint from its URL, a
lead declares a lost parcel on a phone, and a stale second tab gets the conflict message with its
note kept. Screenshots under var/test-artifacts/screenshots/; axe-core on every page state shown."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.console.given import repair_data
from tests.support.browser import BrowserPage
from tests.support.factories import CustomerFactory, StaffFactory
from touchpoint.cases.actors import CARRIER, CUSTOMER, SYSTEM, staff_actor
from touchpoint.cases.journeys import journey_register
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.flows.advance import case_advance, case_open
from touchpoint.journeys.library import library_file
from touchpoint.outbox.models import OutboxMessage
from touchpoint.staff.models import Role, StaffUser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_repair() -> Case:
    path = library_file("mail-in-repair")
    assert path is not None
    journey_register(source=path.read_text(), filename=str(path))
    customer = CustomerFactory(name="Ian Kearns", email="ian@example.com", tier="gold")
    data = repair_data()
    case = case_open(journey="mail-in-repair", customer=customer, actor=SYSTEM, data=data).case
    case = case_advance(case=case, event="card_submitted", actor=CUSTOMER).case
    case = case_advance(case=case, event="payment_succeeded", actor=SYSTEM).case
    return case_advance(case=case, event="device_posted", actor=CARRIER).case


def complaint() -> Case:
    intake = StaffFactory(username="ivy", first_name="Ivy", teams=["intake"])
    case = case_advance(case=open_repair(), event="device_arrived", actor=staff_actor(intake)).case
    return case_advance(case=case, event="complaint_raised", actor=CUSTOMER).case


def sign_in(browser: BrowserPage, user: StaffUser) -> None:
    """A staff session, as the sign-in page would leave it (that page is tested on its own)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    browser.page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": browser.base_url}])


def test_an_agent_triages_a_complaint_from_its_url(desktop: BrowserPage) -> None:
    case = complaint()
    jo = StaffFactory(username="jo", first_name="Jo", last_name="Park", teams=["care"])
    sign_in(desktop, jo)
    page = desktop.page
    desktop.goto(reverse("console:case", args=[case.reference]))
    context = page.get_by_role("complementary", name="Customer and case details")
    assert "Gold" in context.inner_text()
    assert "This is their first case." in context.inner_text()
    desktop.check_a11y()
    desktop.shot("complaint opened")

    page.get_by_role("button", name="Accept the handoff").click()
    assert "You accepted the handoff" in page.get_by_role("status").inner_text()

    page.get_by_label("Note for the team").fill("Rang Ian: the crack was there before; offering a free case.")
    page.get_by_role("button", name="Add note").click()
    assert "Internal note added" in page.get_by_role("status").inner_text()

    page.get_by_label("In my own words").check()
    page.get_by_label("Your own words").fill("Hi Ian, as promised on the phone: the case is on us. Jo")
    page.get_by_role("button", name="Preview").click()
    assert "In your own words. Not sent yet." in page.locator(".preview").inner_text()
    desktop.check_a11y()
    page.get_by_role("button", name="Send reply").click()
    assert "Sent your reply to ian@example.com" in page.get_by_role("status").inner_text()

    page.get_by_role("button", name="Resolved; close the case → All done").click()
    assert "The case is now “All done”." in page.get_by_role("status").inner_text()
    timeline = page.get_by_role("region", name="Timeline newest first").inner_text()
    assert "Reply in own words by Jo Park" in timeline
    assert "Internal note by Jo Park: Rang Ian" in timeline
    assert "Handoff to Care accepted by Jo Park" in timeline
    desktop.check_a11y()
    desktop.shot("complaint resolved")

    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.state, fresh.outcome) == ("completed", "success")
    assert OutboxMessage.objects.filter(case=case, subject__contains="a message from Jo").count() == 1


def test_a_lead_declares_a_lost_parcel_on_a_phone_without_javascript(phone_nojs: BrowserPage) -> None:
    case = case_advance(case=open_repair(), event="device_overdue", actor=SYSTEM).case
    priya = StaffFactory(username="priya", first_name="Priya", role=Role.LEAD, teams=["bench"])
    sign_in(phone_nojs, priya)
    page = phone_nojs.page
    phone_nojs.goto(reverse("console:case", args=[case.reference]))
    buttons = page.locator(".action-list button")
    assert buttons.all_inner_texts() == ["Declare the device lost in the post → Lost in the post"]
    # axe-core needs JavaScript in the page; the same page is checked with it on in the tests above.
    phone_nojs.shot("lost parcel, lead's view")
    # With JavaScript off both reply fields show; the chosen kind decides which one is sent.
    page.get_by_label("In my own words").check()
    page.get_by_label("Your own words").fill("Ian, the carrier lost it. We'll pay for a new one today. Priya")
    page.get_by_role("button", name="Send reply").click()
    assert "Sent your reply to ian@example.com" in page.get_by_role("status").inner_text()
    buttons.first.click()
    assert "The case is now “Lost in the post”." in page.get_by_role("status").inner_text()
    assert Case.objects.get(pk=case.pk).state == "lost_in_post"
    assert OutboxMessage.objects.filter(case=case, body_text__startswith="Ian, the carrier lost it.").count() == 1
    phone_nojs.shot("declared lost")


def test_a_stale_tab_gets_the_conflict_and_keeps_the_note(phone: BrowserPage) -> None:
    case = complaint()
    jo = StaffFactory(username="jo", first_name="Jo", last_name="Park", teams=["care"])
    sign_in(phone, jo)
    url = phone.base_url + reverse("console:case", args=[case.reference])
    first, second = phone.page, phone.page.context.new_page()
    first.goto(url)
    second.goto(url)
    first.get_by_role("button", name="Resolved; close the case → All done").click()
    assert "The case is now “All done”." in first.get_by_role("status").inner_text()
    entries = TimelineEntry.objects.filter(case=case).count()

    second.get_by_label("Note for the team").fill("Ian says the repair is fine now")
    second.get_by_role("button", name="Add note").click()
    alert = second.get_by_role("alert").inner_text()
    assert "While you were looking, you (in another tab or window) changed this case at" in alert
    assert "We're looking into your complaint → All done (Resolved; close the case, by Jo Park)" in alert
    assert "Your note was not saved; it is still in the box below." in alert
    assert second.get_by_label("Note for the team").input_value() == "Ian says the repair is fine now"
    assert TimelineEntry.objects.filter(case=case).count() == entries
    phone.page = second  # axe and the screenshot look at the tab that saw the conflict
    phone.check_a11y()
    phone.shot("stale tab conflict")
