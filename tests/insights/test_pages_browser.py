"""The feedback loop's pages in Chromium: the public wall on a phone, and a lead's wall moderation,
themes, people and insights on a desktop; each passes axe-core under the strict CSP, with a
screenshot kept."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.support.browser import BrowserPage
from tests.support.factories import StaffFactory
from tests.themes.test_themes import comments  # noqa: F401 - the fixture
from tests.wall.test_wall import give  # noqa: F401 - the fixture
from touchpoint.staff.models import Role
from touchpoint.themes.services import themes_rebuild
from touchpoint.wall.services import wall_item_answer, wall_item_prepare, wall_item_publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(browser: BrowserPage, user: Any) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    browser.page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": browser.base_url}])


def test_the_wall_on_a_phone(phone: BrowserPage, give: Any) -> None:  # noqa: F811 - a fixture
    lead = StaffFactory(username="priya", first_name="Priya", role=Role.LEAD)
    for csat, text in ((5, "Kept me posted all the way"), (1, "The courier lost it"), (4, "Quick and friendly")):
        item = wall_item_prepare(feedback=give(csat, text))
        assert item is not None
        wall_item_publish(item=item, user=lead)
        if csat == 1:
            wall_item_answer(item=item, user=lead, answer="Sorry: we've changed courier for returns.")
    phone.goto("/reviews")
    page = phone.page
    assert page.get_by_role("heading", name="Compliments").is_visible()
    assert page.get_by_role("heading", name="Complaints").is_visible()
    assert page.get_by_text("Sorry: we've changed courier for returns.").is_visible()
    phone.check_a11y()
    phone.shot("the wall")


def test_a_leads_feedback_pages_on_a_desktop(desktop: BrowserPage, give: Any, comments: Any) -> None:  # noqa: F811
    lead = StaffFactory(username="priya", first_name="Priya", role=Role.LEAD)
    wall_item_prepare(feedback=give(2, "Call me on 07700 900123, it took three weeks"))
    themes_rebuild(seed=0)
    sign_in(desktop, lead)
    for path, label, heading in (
        ("/console/wall/", "wall moderation", "The wall"),
        ("/console/themes/", "themes", "Themes"),
        ("/console/people/", "people", "People"),
        ("/console/insights/?days=all", "insights", "Insights"),
    ):
        desktop.goto(path)
        assert desktop.page.get_by_role("heading", level=1).inner_text().startswith(heading)
        desktop.check_a11y()
        desktop.shot(label)
    # The moderator sees the redacted text, ready to publish, and publishes it by keyboard.
    desktop.goto("/console/wall/")
    box = desktop.page.get_by_label("As it will be published (you may only take more out, as [redacted])")
    assert box.input_value() == "Call me on [phone], it took three weeks"
    box.focus()
    desktop.page.keyboard.press("Tab")
    desktop.page.keyboard.press("Enter")
    desktop.page.get_by_text("Published on the wall.").wait_for()


def test_a_leads_feedback_pages_fit_a_phone(phone: BrowserPage, give: Any, comments: Any) -> None:  # noqa: F811
    lead = StaffFactory(username="priya", first_name="Priya", role=Role.LEAD)
    wall_item_prepare(feedback=give(2, "Call me on 07700 900123, it took three weeks"))
    published = wall_item_prepare(feedback=give(5, "Kept me posted all the way"))
    assert published is not None
    wall_item_publish(item=published, user=lead)
    themes_rebuild(seed=0)
    sign_in(phone, lead)
    for path, label in (
        ("/console/wall/", "wall moderation on a phone"),
        ("/console/themes/", "themes on a phone"),
        ("/console/insights/?days=all", "insights on a phone"),
    ):
        phone.goto(path)
        # Nothing sideways: the page is no wider than the 390 px screen
        widths = phone.page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1] == 390, (path, widths)
        phone.check_a11y()
        phone.shot(label)
