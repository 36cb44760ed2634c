"""A lead renames the persona on a desktop (Debian's Chromium) and watches every message change as
they type, before saving: the preview follows the keyboard (htmx, under the strict CSP: the browser
reports no refusal), each email shows in its sandboxed frame, and Save stores what the preview
showed. Screenshots under var/test-artifacts/screenshots/; axe-core on the page."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.support.browser import BrowserPage
from tests.support.factories import StaffFactory
from touchpoint.shop.models import SettingChange
from touchpoint.staff.models import Role
from touchpoint.touchpoints.models import PersonaOverride

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(browser: BrowserPage) -> None:
    client = Client()
    client.force_login(StaffFactory(username="lena", role=Role.LEAD))
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    browser.page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": browser.base_url}]
    )


def test_the_preview_follows_what_the_lead_types_and_save_keeps_it(desktop: BrowserPage, settings: Any) -> None:
    settings.TOUCHPOINT_PUBLIC_URL = desktop.base_url  # emails load the shop's images from where it is served
    sign_in(desktop)
    page = desktop.page
    desktop.goto(reverse("console:shop_persona"))
    preview = page.locator("#persona-preview")
    assert preview.locator(".persona-name").inner_text() == "Norm"
    first = preview.locator("details.tp-row").first
    frame = first.locator("iframe.tp-email").first
    frame.wait_for()
    assert (
        "Norm, your repair coordinator" in page.frame_locator("iframe.tp-email >> nth=0").locator("body").inner_text()
    )
    desktop.check_a11y()
    desktop.shot("the shipped persona and its messages")

    page.get_by_label("Name", exact=True).fill("Kit")
    signature = page.get_by_label("Signature")
    signature.fill("Kit, at the Fixit desk")
    # No click, no submit: the preview catches up a moment after typing stops
    expect(preview.locator(".persona-name")).to_have_text("Kit", timeout=15_000)
    assert "Kit, at the Fixit desk" in first.locator(".tp-text").first.text_content()
    body = page.frame_locator("iframe.tp-email >> nth=0").locator("body")
    body.get_by_text("Kit, at the Fixit desk").first.wait_for()
    assert PersonaOverride.objects.count() == 0  # nothing saved by previewing
    desktop.shot("the preview as typed")

    with page.expect_navigation():
        page.get_by_role("button", name="Save the persona").click()
    assert page.get_by_role("status").inner_text() == "Saved: name, signature. The next message speaks this way."
    assert page.get_by_label("Name", exact=True).input_value() == "Kit"
    assert "name: Kit\n" in PersonaOverride.objects.get(key="norm").source
    assert sorted(SettingChange.objects.values_list("field", flat=True)) == ["persona name", "persona signature"]
    desktop.check_a11y()
    desktop.shot("saved")
