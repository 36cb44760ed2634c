"""Two-factor sign-in in Chromium: a lead signs in with a password, is sent to set up two-factor,
adds the key to an authenticator app (the key read off the page), types its code, keeps the recovery
codes, and next time signs in with the password and a code; no CSP violation or page error on the
way, and no serious accessibility fault on the pages that ask for codes."""

from __future__ import annotations

import pytest

from tests.support.browser import BrowserPage
from tests.support.factories import StaffFactory
from tests.support.two_factor import Phone
from touchpoint.staff.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"


def sign_in(browser: BrowserPage, username: str) -> None:
    page = browser.page
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_a_lead_sets_up_two_factor_then_signs_in_with_a_code(phone: BrowserPage) -> None:
    # Given a lead with a password only
    StaffFactory(username="priya", first_name="Priya", role=Role.LEAD, teams=["care"])
    page = phone.page
    # When she opens the queues and signs in
    phone.goto("/console/?q=exceptions")
    sign_in(phone, "priya")
    # Then she is sent to set up two-factor first, with the QR code and the key to type
    assert "/console/two-factor/?next=" in page.url
    assert page.get_by_role("status").inner_text().startswith("Your role needs two-factor sign-in")
    assert page.get_by_role("img", name="QR code for your authenticator app").is_visible()
    phone.check_a11y()
    phone.shot("set up two-factor")
    app = Phone(page.locator("#secret").inner_text())
    # and the queues don't open meanwhile
    phone.goto("/console/")
    assert "/console/two-factor/?next=%2Fconsole%2F" in page.url
    # When she types the code her app shows
    page.get_by_label("Type the 6-digit code the app shows").fill(app.code())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.wait_for_load_state()
    # Then two-factor is on and her ten recovery codes are shown, once
    assert page.get_by_role("heading", level=1).inner_text() == "Two-factor sign-in is on: your recovery codes"
    assert page.locator("#recovery-codes code").count() == 10
    phone.check_a11y()
    phone.shot("recovery codes")
    page.get_by_role("link", name="I've kept them: carry on").click()
    page.wait_for_load_state()
    assert page.url.endswith("/console/")
    assert page.get_by_role("heading", level=1).is_visible()
    # When she signs out and in again
    page.get_by_role("button", name="Sign out priya").click()
    page.wait_for_load_state()
    phone.goto("/console/scan/")
    sign_in(phone, "priya")
    # Then her password alone isn't enough: a code is asked for
    assert "/console/login/code/?next=%2Fconsole%2Fscan%2F" in page.url
    phone.check_a11y()
    phone.shot("code step")
    # and the code her app shows next takes her where she was going
    page.get_by_label("Code").fill(app.code())
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert page.url.endswith("/console/scan/")
    phone.shot("signed in")
