"""A lead sets the shop's name and brand colour on a phone (390 px, Debian's Chromium): a colour too
light for a button's white label is refused beside the field with what was typed kept; a darker one
is saved from the keyboard, and the change shows in the page's record. Screenshots under
var/test-artifacts/screenshots/; axe-core on the page before and after."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.support.browser import BrowserPage
from tests.support.factories import StaffFactory
from touchpoint.shop.models import SettingChange
from touchpoint.shop.selectors import shop_settings
from touchpoint.staff.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(browser: BrowserPage) -> None:
    client = Client()
    client.force_login(StaffFactory(username="lena", role=Role.LEAD))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    browser.page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": browser.base_url}])


def fits(browser: BrowserPage) -> None:
    width = browser.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px phone"


def test_a_lead_sets_the_shops_name_and_colour_on_a_phone(phone: BrowserPage) -> None:
    sign_in(phone)
    page = phone.page
    phone.goto(reverse("console:shop"))
    fits(phone)
    phone.check_a11y()
    phone.shot("the shop as the environment said")

    page.get_by_label("Shop name").fill("Fixit Bristol")
    colour = page.get_by_label("Brand colour")
    colour.fill("#ffdd00")
    with page.expect_navigation():
        colour.press("Enter")
    assert "White text on #ffdd00 has a contrast of 1.3:1" in page.locator("#id_brand_colour_error").inner_text()
    assert colour.get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Shop name").input_value() == "Fixit Bristol"  # kept
    assert page.get_by_role("alert").inner_text() == "Nothing was saved: see below."
    fits(phone)
    phone.check_a11y()
    phone.shot("too light a colour refused")

    colour.fill("#0b6e4f")
    with page.expect_navigation():
        colour.press("Enter")
    assert page.get_by_role("status").inner_text() == "Saved: brand colour, name."
    assert page.get_by_label("Shop name").input_value() == "Fixit Bristol"
    assert page.get_by_label("Brand colour").input_value() == "#0b6e4f"
    record = page.locator(".changes-table tbody").inner_text()
    assert "Fixit Bristol" in record and "#0b6e4f" in record and "lena" in record
    fits(phone)
    phone.check_a11y()
    phone.shot("name and colour saved")

    row = shop_settings()
    assert (row.name, row.brand_colour) == ("Fixit Bristol", "#0b6e4f")
    assert sorted(SettingChange.objects.values_list("field", flat=True)) == ["brand_colour", "name"]
