"""In a real browser (Debian's Chromium, phone size): the warehouse answers the `packed` form's two
questions (one left out first, and asked again beside it), then records the carrier's delivery by hand
with a reason. Screenshots under var/test-artifacts/screenshots/; axe-core on each state shown."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.console.given import act, fresh, open_order_problem, signed_in
from tests.support.browser import BrowserPage
from tests.support.factories import StaffFactory
from touchpoint.cases.models import TimelineEntry
from touchpoint.staff.models import StaffUser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(browser: BrowserPage, user: StaffUser) -> None:
    """A staff session, as the sign-in page would leave it (that page is tested on its own)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    browser.page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": browser.base_url}])


def test_the_warehouse_answers_the_packed_form_then_records_the_delivery_by_hand(phone: BrowserPage) -> None:
    care = StaffFactory(username="jo", first_name="Jo", teams=["care"])
    wes = StaffFactory(username="wes", first_name="Wes", teams=["warehouse"])
    case = open_order_problem()
    assert act(signed_in(care), case, "replacement_requested", "r").status_code == 302
    assert act(signed_in(wes), case, "acknowledged", "a").status_code == 302
    sign_in(phone, wes)
    page = phone.page
    phone.goto(reverse("console:case", args=[case.reference]))
    told = page.get_by_role("region", name="What Ana Lopez told us")
    assert "A blue case came instead of the red one." in told.inner_text()
    packed = page.get_by_role("group", name="Packed (scan the part)")
    phone.check_a11y()
    phone.shot("packed form")

    # One question left unanswered: asked again beside it, the other answer kept, nothing recorded.
    packed.get_by_role("group", name="The scanned part is the one the customer ordered").get_by_label("Yes").check()
    packed.get_by_role("button", name="Packed (scan the part)").click()
    assert "needs the values below" in page.get_by_role("alert").inner_text()
    repeat = page.get_by_role("group", name="The scanned part is the same wrong part shipped before")
    assert "Choose yes or no." in repeat.locator("xpath=..").inner_text()
    assert (
        page.get_by_role("group", name="The scanned part is the one the customer ordered")
        .get_by_label("Yes")
        .is_checked()
    )
    assert fresh(case).state == "picking"
    phone.check_a11y()
    phone.shot("packed form asked again")

    repeat.get_by_label("No").check()
    page.get_by_role("group", name="Packed (scan the part)").get_by_role("button").click()
    assert "The case is now “Your replacement is on its way”." in page.get_by_role("status").inner_text()

    manual = page.get_by_role("region", name="Record a step by hand")
    manual.get_by_label("How do you know?").fill("the customer rang: it came this morning")
    manual.get_by_label("Yes: record “Replacement delivered” for the carrier, in my name").check()
    phone.check_a11y()
    manual.get_by_role("button", name="Record by hand").click()
    assert "Recorded by hand for the carrier: Replacement delivered." in page.get_by_role("status").inner_text()
    timeline = page.get_by_role("region", name="Timeline newest first")
    assert "recorded by hand by Wes: the customer rang: it came this morning" in timeline.inner_text()
    phone.check_a11y()
    phone.shot("delivery recorded by hand")
    entry = TimelineEntry.objects.get(case=case, event="delivered")
    assert (fresh(case).state, entry.actor_kind, entry.actor_user) == ("confirming", "carrier", wes)
