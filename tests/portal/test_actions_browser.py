"""The customer's actions on a phone (Debian's Chromium): a message's link lands on the action, what
can't be undone asks first in a dialog, and a double tap acts once. Screenshots and axe-core on each
state shown."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.portal.story import beyond_repair
from tests.support.browser import BrowserPage
from touchpoint.cases.models import TimelineEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_beyond_repair_choose_back_after_looking_at_recycling(phone: BrowserPage) -> None:
    customer = beyond_repair()
    page = phone.page
    # The "we couldn't save it" message links straight to the choice
    phone.goto(customer.url + "#act-return_chosen")
    assert page.get_by_role("heading", level=1).inner_text() == "We couldn't save your device"
    panel = page.locator("#actions")
    assert panel.get_by_role("heading", level=2).inner_text() == "What you can do now"
    buttons = panel.get_by_role("button")
    assert [b.inner_text() for b in buttons.all() if b.is_visible()] == [
        "Send it back to me",
        "Recycle it responsibly",
    ]
    assert page.locator("#act-return_chosen").is_visible()
    phone.check_a11y()
    phone.shot("the choice")

    # Recycling can't be undone: asked in a dialog first; going back changes nothing
    panel.get_by_role("button", name="Recycle it responsibly").click()
    dialog = page.get_by_role("dialog", name="Recycle it responsibly?")
    assert dialog.is_visible()
    assert "This can't be undone." in dialog.inner_text()
    phone.check_a11y()
    phone.shot("are you sure")
    dialog.get_by_role("button", name="Go back").click()
    assert not dialog.is_visible()
    assert customer.case.state == "beyond_repair"

    # Back to me, with a double tap: taken once
    panel.get_by_role("button", name="Send it back to me").dblclick()
    page.wait_for_url(re.compile(r"/c/[^/]+/$"))
    assert "Thanks, we've noted “Send it back to me”." in page.get_by_role("status").first.inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == "Getting ready for the trip home"
    phone.check_a11y()
    phone.shot("coming back")
    assert TimelineEntry.objects.filter(case=customer.case, event="return_chosen").count() == 1
    assert customer.case.state == "return_to_pack"


def test_cancel_is_confirmed_in_the_dialog(phone: BrowserPage) -> None:
    from tests.portal.story import repair_at

    customer = repair_at("awaiting_device")
    page = phone.page
    phone.goto(customer.url + "#act-order_cancelled")
    page.get_by_role("button", name="Cancel my order").click()
    dialog = page.get_by_role("dialog", name="Cancel my order?")
    dialog.get_by_role("button", name="Yes, cancel my order").click()
    page.wait_for_url(re.compile(r"/c/[^/]+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Order cancelled"
    phone.check_a11y()
    phone.shot("cancelled")
    assert (customer.case.state, customer.case.outcome) == ("cancelled", "failure")


def test_report_a_wrong_delivery_with_a_photo_and_a_mistake_fixed(
    phone: BrowserPage, tmp_path: Any, settings: Any
) -> None:
    import io

    from PIL import Image

    from touchpoint.inbox.models import InboundAttachment

    settings.MEDIA_ROOT = tmp_path / "media"
    photo = tmp_path / "red-cable.jpg"
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 30, 30)).save(out, "JPEG")
    photo.write_bytes(out.getvalue())
    page = phone.page
    phone.goto("/report/")
    assert page.get_by_role("heading", level=1).inner_text() == "Report a problem with a delivery"
    phone.check_a11y()
    page.get_by_label("Order number").fill("100234")
    page.get_by_label("What you paid for the order").fill("24.999")
    page.get_by_label("The wrong item arrived").check()
    page.get_by_label("Tell us about it").fill("A red cable, not the blue charger.")
    page.get_by_label("Your name").fill("Maya Okafor")
    page.get_by_label("Email address").fill("maya@example.com")
    page.get_by_role("button", name="Send my report").click()
    # The amount is said beside its field and in the summary; what was typed is still there
    page.get_by_role("alert").wait_for()
    assert page.locator("#err-order_total").inner_text() == "Use at most two decimals, like 24.99."
    assert page.get_by_label("Tell us about it").input_value() == "A red cable, not the blue charger."
    phone.check_a11y()
    phone.shot("report with a mistake")
    page.get_by_label("What you paid for the order").fill("24.99")
    page.get_by_label("Photos").set_input_files(str(photo))
    page.get_by_role("button", name="Send my report").click()
    page.wait_for_url(re.compile(r"/c/[^/]+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "We've got your report"
    phone.check_a11y()
    phone.shot("reported")
    assert list(InboundAttachment.objects.values_list("filename", flat=True)) == ["red-cable.jpg"]
