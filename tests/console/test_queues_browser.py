"""Sign-in and the queues in a real browser (Debian's Chromium): five bad passwords give a readable
lockout on the sign-in page; the queue is worked by keyboard alone; a case opened elsewhere appears
without a reload. Screenshots under var/test-artifacts/screenshots/; axe-core on each page shown."""

from __future__ import annotations

from typing import Any

import pytest

from tests.staff.queue_cases import make_case
from tests.support.browser import BrowserPage
from tests.support.factories import CustomerFactory, StaffFactory
from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.models import JourneyVersion
from touchpoint.flows.advance import case_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"


def sign_in(browser: BrowserPage, username: str, password: str) -> None:
    page = browser.page
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_five_bad_passwords_show_a_readable_lockout(phone: BrowserPage) -> None:
    StaffFactory(username="alex")
    phone.goto("/console/")  # asks to sign in first
    assert phone.page.url.endswith("/console/login/?next=/console/")
    phone.check_a11y()
    phone.shot("sign in")
    for _ in range(4):
        sign_in(phone, "alex", "not the password")
        assert "Please enter a correct username and password" in phone.page.get_by_role("alert").inner_text()
        assert phone.page.get_by_label("Username").input_value() == "alex"  # kept
    phone.check_a11y()
    sign_in(phone, "alex", "not the password")
    alert = phone.page.get_by_role("alert").inner_text()
    assert alert.startswith("Too many attempts for this account from here; try again after ")
    assert alert.endswith("or ask an admin to unlock you.")
    phone.check_a11y()
    phone.shot("locked out")
    sign_in(phone, "alex", PASSWORD)  # the right password is refused while locked
    assert "/console/login/" in phone.page.url


def test_the_queue_by_keyboard_and_a_new_case_arriving_without_a_reload(
    desktop: BrowserPage, mini_journey: JourneyVersion, settings: Any
) -> None:
    settings.TOUCHPOINT_QUEUE_POLL_SECONDS = 1
    StaffFactory(username="alex", teams=["bench"])
    customer = CustomerFactory(name="Ada Lovelace", email="ada@example.org")
    first = make_case(mini_journey, customer, "chasing_device", reference="TP-00001")
    make_case(mini_journey, customer, "on_bench", reference="TP-00002")
    page = desktop.page
    desktop.goto("/console/login/?next=/console/%3Fq%3Dall")
    sign_in(desktop, "alex", PASSWORD)
    assert page.url.endswith("/console/?q=all")
    assert page.locator("tr[data-row]").count() == 2
    desktop.check_a11y()
    # when a case is opened elsewhere, it appears without a reload
    page.evaluate("() => { window.notReloaded = true; }")
    case_open(journey="mini-repair", customer=customer, actor=SYSTEM, data={"model": "nano-4g"})
    page.locator("tr[data-row]").nth(2).wait_for(timeout=10_000)
    assert page.evaluate("() => window.notReloaded") is True
    desktop.shot("a new case arrived")
    # "/" jumps to search; Escape leaves it; j moves down, k back up, Enter opens
    page.keyboard.press("/")
    assert page.evaluate("() => document.activeElement.id") == "id_search"
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    selected = page.locator('tr[aria-selected="true"] th a')
    assert selected.inner_text() == first.reference
    assert page.evaluate("() => document.activeElement.textContent") == first.reference
    desktop.shot("first row selected")
    desktop.check_a11y()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/console/cases/{first.reference}/")
