"""The order form in a real browser on a phone: with JavaScript (search as you type, a field
checked as you leave it) and without (the same order through plain form posts).

axe-core runs inside the page, so it can't run with JavaScript off: the JavaScript test checks the
same templates (the form, a flagged field, the case page) and the no-JS one takes screenshots."""

from __future__ import annotations

import re

import pytest

from tests.portal.test_intake_service import shop  # noqa: F401 - the fixture
from tests.support.browser import BrowserPage
from touchpoint.cases.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("shop")]


def fill_the_rest(page: BrowserPage) -> None:
    p = page.page
    p.get_by_label("Cracked or dead screen").check()
    p.get_by_label("Your name").fill("Tom Riley")
    p.get_by_label("Address line 1").fill("3 Station Road")
    p.get_by_label("Town or city").fill("York")
    p.get_by_label("Postcode").fill("yo1 7hh")
    p.get_by_label("I'll post it myself").check()


def test_ordering_on_a_phone_with_javascript(phone: BrowserPage) -> None:
    p = phone.page
    assert phone.goto("/repair/").status == 200
    phone.check_a11y()
    phone.shot("order form")

    # Search as you type: the list narrows without a reload.
    p.get_by_label("Search by name").fill("tab air")
    assert p.get_by_label("Nano Player 4G").is_hidden()
    p.get_by_label("Slate Tab Air 10").check()
    assert p.locator("#price").inner_text() == "Diagnosis for the Slate Tab Air 10: £49.00"
    assert p.locator("#models-count").inner_text() == "1 model matches."

    # A mistake is pointed out beside the field as soon as the customer moves on.
    email = p.get_by_label("Email address")
    email.fill("tom@")
    email.press("Tab")
    error = p.locator("#err-email")
    error.filter(has_text="Enter an email address like name@example.com.").wait_for()
    p.wait_for_function("() => document.getElementById('id_email').getAttribute('aria-invalid') === 'true'")
    phone.check_a11y()
    phone.shot("email flagged")

    email.fill("tom@example.com")
    email.press("Tab")
    p.wait_for_function("() => !document.getElementById('id_email').hasAttribute('aria-invalid')")
    assert p.locator("#err-email").inner_text() == ""

    fill_the_rest(phone)
    p.get_by_role("button", name="Place my order").click()
    p.wait_for_url(re.compile(r"/c/[A-Za-z0-9_-]{43}/$"))
    case = Case.objects.get()
    assert case.reference in p.content()
    assert (case.data["model"], case.data["problem"], case.data["prepaid_box"]) == ("slate-tab-air-10", "screen", False)
    phone.check_a11y()
    phone.shot("case page")


def test_ordering_on_a_phone_without_javascript(phone_nojs: BrowserPage) -> None:
    page = phone_nojs
    p = page.page
    page.goto("/repair/")

    # The search box reloads the page with ?q= and a narrowed list.
    p.get_by_label("Search by name").fill("nano")
    p.get_by_role("button", name="Search").click()
    p.wait_for_url(re.compile(r"\?q=nano$"))
    assert p.locator("input[name=model]").count() == 1
    page.shot("searched")

    p.get_by_label("Nano Player 4G").check()
    p.get_by_label("Email address").fill("tom@")
    fill_the_rest(page)
    p.get_by_role("button", name="Place my order").click()

    # Refused: the error sits beside the field, and everything typed is still there.
    assert p.locator("#err-email").inner_text() == "Enter an email address like name@example.com."
    assert p.get_by_label("Email address").get_attribute("aria-invalid") == "true"
    assert p.get_by_label("Town or city").input_value() == "York"
    assert p.get_by_label("Nano Player 4G").is_checked()
    page.shot("refused")

    p.get_by_label("Email address").fill("tom@example.com")
    p.get_by_role("button", name="Place my order").click()
    p.wait_for_url(re.compile(r"/c/[A-Za-z0-9_-]{43}/$"))
    case = Case.objects.get()
    assert case.reference in p.content()
    assert (case.data["model"], case.customer.email, case.customer.postcode) == (
        "nano-player-4g",
        "tom@example.com",
        "YO1 7HH",
    )
    page.shot("case page")
