"""Every console page on a 390 px wide phone (Debian's Chromium, 390×844): nothing wider than the
screen, so nobody scrolls sideways; wide tables scroll inside their own box, and the journey map fits
its box. The pages hold data made through the product (orders, the worker's timers, the console's
assign, scans, feedback, emails, a walk-in) so their longest words and widest tables are there.
Screenshots under var/test-artifacts/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.console.given import register
from tests.console.test_query_counts import bench_cases, customers_write, feedback, rated, walk_ins
from tests.insights.test_people import register_survey
from tests.support.browser import BrowserPage
from tests.support.factories import StaffFactory
from touchpoint.cases.models import Case, JourneyVersion
from touchpoint.staff.models import Role, StaffUser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What overflows, if anything: the widest elements whose right edge passes the screen's (for the message).
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
  .filter(e => !e.closest('.table-wrap, .map-wrap, pre'))
  .slice(0, 5).map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${[...e.classList].join('.')} `
    + `right=${Math.round(e.getBoundingClientRect().right)}`)"""


def sign_in_as(browser: BrowserPage, user: StaffUser) -> Client:
    """A session made as signing in makes it (a lead's has given its code), handed to the browser."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    browser.page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": browser.base_url}])
    return client


def too_wide(browser: BrowserPage, path: str) -> str | None:
    """Open ``path``; what makes it wider than the screen, or None when it fits."""
    response = browser.goto(path)
    assert response.status == 200, path
    browser.page.wait_for_load_state()
    width = browser.page.evaluate("() => document.documentElement.scrollWidth")
    browser.shot(path.strip("/").replace("/", " ") or "home")
    if width <= 390:
        return None
    return f"{path}: {width} px wide; {browser.page.evaluate(WIDEST)}"


@pytest.fixture
def shop(mini_journey: JourneyVersion) -> dict[str, Any]:
    """A lead in every team, cases in every queue, feedback on the wall, themes, rated people, a walk-in."""
    lead = StaffFactory(username="priya-longname", first_name="Priya", role=Role.LEAD,
                        teams=["bench", "care", "counter", "intake"])  # fmt: skip
    agent = StaffFactory(username="agent", first_name="Sam", teams=["bench"])
    bench_cases(agent, 6)
    register_survey()
    rated([agent], 3)
    feedback(2)
    register("walk-in-warranty")
    client = Client()
    client.force_login(lead)
    walk_ins(client, 1)
    customers_write(6, client)
    return {"lead": lead, "agent": agent, "case": Case.objects.order_by("pk").first()}


def test_every_console_page_fits_a_390px_phone(phone: BrowserPage, shop: dict[str, Any]) -> None:
    case = shop["case"]
    paths = [
        "/",
        "/console/?q=all",
        "/console/?q=team",
        "/console/?q=all&search=example",
        f"/console/cases/{case.reference}/",
        "/console/scan/",
        "/console/journeys/",
        "/console/journeys/mini-repair/1/",
        "/console/people/",
        "/console/people/agent/",
        "/console/people/agent/two-factor/",
        "/console/remedies/requests/",
        "/console/wall/",
        "/console/themes/",
        "/console/insights/",
        "/console/walk-ins/new/?find=walker",
        "/console/two-factor/",
    ]
    sign_in_as(phone, shop["lead"])
    problems = [found for path in paths if (found := too_wide(phone, path))]
    assert problems == [], "\n".join(problems)


def test_the_sign_in_page_fits_a_390px_phone(phone: BrowserPage) -> None:
    assert too_wide(phone, "/console/login/") is None


def test_the_journey_map_fits_its_box(phone: BrowserPage, shop: dict[str, Any]) -> None:
    sign_in_as(phone, shop["agent"])
    phone.goto("/console/journeys/mini-repair/1/")
    svg = phone.page.locator("svg").first
    box = svg.evaluate("e => { const r = e.getBoundingClientRect(), p = e.parentElement.getBoundingClientRect();"
                       " return [r.width, p.width, r.right <= p.right + 0.5]; }")  # fmt: skip
    assert box[0] > 0 and box[2], box
