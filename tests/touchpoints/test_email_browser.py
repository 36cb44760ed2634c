"""The order's email as Chromium draws it (Debian's, through Playwright: tests/support/browser.py), at
a phone's width (390 px) and a desktop's (1200 px): it fits without scrolling sideways, the button is
on the first screen of a phone, its white words read on the shop's colour, every image loads from
the shop and says what it is, and axe-core finds nothing serious. Screenshots are kept under
var/test-artifacts/screenshots/<test>/, beside the other browser tests'.

The email is the one a real SMTP server on loopback received: a customer ordered on the order form
and the worker sent it, with the shop's public address the live server's, so the logo and Norm's
face load as a mail app would load them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings

from tests.portal.story import repair_order
from tests.shop.given import lead_client
from tests.support.browser import BrowserPage
from tests.support.orders import register_library
from tests.support.smtp import SinkHandler, smtp_mailers, smtp_sink
from tests.touchpoints.email_look import shop_branded
from touchpoint.shop.colours import MIN_CONTRAST, luminance
from touchpoint.shop.selectors import shop_settings_forget
from touchpoint.worker.loop import Worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GREEN = "#0b6e4f"
PHONE_FOLD = 844  # the phone's screen height (tests/support/browser.PHONE)


@pytest.fixture
def sink(settings: Any, tmp_path: Any, live_server: Any) -> Iterator[SinkHandler]:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TOUCHPOINT_PUBLIC_URL = live_server.url  # links and images in emails point at the live server
    shop_settings_forget()
    with smtp_sink() as (handler, port), override_settings(MAILERS=smtp_mailers(port)):
        yield handler
    shop_settings_forget()


def order_email(sink: SinkHandler) -> str:
    """The shop branded green with a logo by a lead; Ian orders on the form; the worker sends the email."""
    shop_branded(lead_client(), colour=GREEN)
    register_library("mail-in-repair")
    repair_order(name="Ian Kearns", email="ian@example.com")
    assert Worker(worker_id="w1").run(until_idle=True).sent == 1
    [got] = sink.received
    html = got.message.get_body(("html",))
    assert html is not None
    return str(html.get_content())


def rgb_hex(css: str) -> str:
    r, g, b = (int(part) for part in css[css.index("(") + 1 : css.index(")")].split(",")[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def contrast(one: str, two: str) -> float:
    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def drawn(browser: BrowserPage, html: str, width: int) -> dict[str, Any]:
    page = browser.page
    page.set_viewport_size({"width": width, "height": PHONE_FOLD if width < 600 else 900})
    page.set_content(html, wait_until="load")
    button = page.locator("a.tp-button")
    assert button.count() == 1
    box = button.bounding_box()
    assert box is not None
    return {
        "scroll_width": page.evaluate("document.documentElement.scrollWidth"),
        "button": box,
        "button_colour": rgb_hex(button.evaluate("a => getComputedStyle(a).color")),
        "button_background": rgb_hex(button.evaluate("a => getComputedStyle(a).backgroundColor")),
        "images": page.evaluate(
            "() => [...document.images].map(i => ({src: i.src, alt: i.alt, loaded: i.complete && i.naturalWidth > 0}))"
        ),
        "lang": page.evaluate("document.documentElement.lang"),
        "shell": page.locator("table.tp-shell").bounding_box(),
    }


def check(browser: BrowserPage, html: str, width: int) -> dict[str, Any]:
    seen = drawn(browser, html, width)
    # it fits: nothing to scroll sideways
    assert seen["scroll_width"] <= width, f"the email is {seen['scroll_width']} px wide at {width} px"
    # every image is the shop's, loads, and says what it is
    assert [image["alt"] for image in seen["images"]] == ["The Repair Shop", "Norm"]
    assert all(image["loaded"] for image in seen["images"]), seen["images"]
    assert all(image["src"].startswith(browser.base_url) for image in seen["images"])
    assert seen["lang"] == "en"
    # the button: white words on the shop's green, readable (WCAG AA)
    assert (seen["button_colour"], seen["button_background"]) == ("#ffffff", GREEN)
    assert contrast(seen["button_colour"], seen["button_background"]) >= MIN_CONTRAST
    browser.check_a11y()
    return seen


def test_the_order_email_on_a_phone(phone: BrowserPage, sink: SinkHandler) -> None:
    html = order_email(sink)
    seen = check(phone, html, 390)
    # the button spans the phone's width and is on the first screen, without scrolling
    box = seen["button"]
    assert box["y"] + box["height"] <= PHONE_FOLD, f"the button ends at {box['y'] + box['height']} px"
    assert box["width"] >= 390 - 2 * 16 - 2
    phone.shot("order email at 390 px")
    # and in dark mode the words stay readable: light text on a dark panel, not a white box
    phone.page.emulate_media(color_scheme="dark")
    panel = rgb_hex(phone.page.locator("table.tp-shell").evaluate("t => getComputedStyle(t).backgroundColor"))
    assert luminance(panel) < 0.05, panel
    for part in ("td.tp-progress", "td.tp-body", "td.tp-sign td.tp-cell", "td.tp-foot"):
        text = rgb_hex(phone.page.locator(part).first.evaluate("td => getComputedStyle(td).color"))
        assert contrast(text, panel) >= MIN_CONTRAST, (part, text, panel)
    phone.shot("order email at 390 px, dark mode")


def test_the_order_email_on_a_desktop(desktop: BrowserPage, sink: SinkHandler) -> None:
    html = order_email(sink)
    seen = check(desktop, html, 1200)
    # a 600 px column in the middle, the button its own size
    assert seen["shell"]["width"] == 600
    assert seen["shell"]["x"] == 300
    assert seen["button"]["width"] < 300
    desktop.shot("order email at 1200 px")
