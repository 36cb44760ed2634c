"""The dev mailbox's phone in Chromium (Debian's, through Playwright) at a phone's width: the order's
text is read, a reply is typed and sent by keyboard, and STOP is pressed; each reaches the shop's
signed webhook over HTTP, the page says what the shop made of it, nothing scrolls sideways, and
axe-core finds nothing serious."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.portal.test_intake_service import shop  # noqa: F401 - the fixture
from tests.sms.test_demo_phone import demo, order, the_text, work  # noqa: F401 - demo is the fixture
from tests.support.browser import BrowserPage
from touchpoint.cases.models import Case
from touchpoint.inbox.models import InboundMessage

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shop")]


def test_a_reply_and_stop_from_the_phone_by_keyboard(client: Client, demo: str, phone: BrowserPage) -> None:  # noqa: F811 - demo
    case = order(client)
    work()
    page = phone.page
    phone.goto("/dev/mail/")
    page.get_by_role("link", name=the_text(case).subject).click()
    assert page.get_by_role("heading", name="Reply from +447700900123").is_visible()
    phone.check_a11y()

    box = page.get_by_label("Reply from this phone")
    box.focus()
    page.keyboard.type("Is the part in stock?")
    page.keyboard.press("Tab")  # to "Send reply"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    status = page.get_by_role("status")
    assert f"It joined case {case.reference}, and a person has a task to answer it." in status.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the text's link wraps
    phone.shot("reply taken")

    page.get_by_role("button", name="STOP").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "This number is opted out of texts" in page.get_by_role("status").inner_text()
    phone.check_a11y()
    phone.shot("stop taken")

    assert [m.text for m in InboundMessage.objects.order_by("received_at")] == ["Is the part in stock?", "STOP"]
    assert Case.objects.select_related("customer").get(pk=case.pk).customer.sms_opted_out_at is not None
