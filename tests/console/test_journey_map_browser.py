"""The live journey map in a real browser (Debian's Chromium): counts on the graph, a late state
highlighted, htmx polling under the strict CSP, and a click through to the state's cases.
Screenshots under var/test-artifacts/screenshots/; axe-core on the map."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client

from tests.console.given import repair_data
from tests.support.browser import BrowserPage
from tests.support.factories import CustomerFactory, StaffFactory
from touchpoint.cases.actors import CARRIER, CUSTOMER, SYSTEM, staff_actor
from touchpoint.cases.journeys import journey_register
from touchpoint.cases.models import Case
from touchpoint.core.clock import at, now
from touchpoint.flows.advance import case_advance, case_open
from touchpoint.journeys.library import library_file
from touchpoint.staff.models import StaffUser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def resting(name: str, *, hours_ago: int, intake: StaffUser) -> Case:
    """A device that arrived ``hours_ago`` and has been resting since."""
    with at(now() - timedelta(hours=hours_ago)):
        case = case_open(
            journey="mail-in-repair",
            customer=CustomerFactory(name=name),
            actor=SYSTEM,
            data=repair_data(),
        ).case
        steps = [("card_submitted", CUSTOMER), ("payment_succeeded", SYSTEM), ("device_posted", CARRIER)]
        for event, actor in [*steps, ("device_arrived", staff_actor(intake))]:
            case = case_advance(case=case, event=event, actor=actor).case
    return case


def test_the_live_map_counts_highlights_and_clicks_through_to_a_states_cases(desktop: BrowserPage) -> None:
    path = library_file("mail-in-repair")
    assert path is not None
    journey_register(source=path.read_text(), filename=str(path))
    intake = StaffFactory(username="ivy", teams=["intake"])
    ian = resting("Ian Kearns", hours_ago=30, intake=intake)
    resting("Ada Lovelace", hours_ago=2, intake=intake)
    client = Client()
    client.force_login(StaffFactory(username="sam", first_name="Sam", teams=["bench"]))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    desktop.page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": desktop.base_url}])
    page = desktop.page

    desktop.goto("/console/journeys/mail-in-repair/4/")
    box = page.locator("g#state-resting")
    # The resting box shows two cases, the oldest 30 hours: late (past its 1d wait limit), and with
    # overdue timers (no worker runs in this test: Ian's wait limit and acceptance deadline are past)
    assert "2 · oldest 1d 6h" in (box.text_content() or "")
    assert box.get_attribute("class") == "state team live late overdue"
    row = page.locator("#row-resting")
    assert [row.locator("td.num").nth(i).inner_text() for i in (0, 1)] == ["2", "2"]
    assert "late overdue timers" in row.inner_text()
    # htmx is loaded and polls the counts (no CSP violation: the harness fails the test on one)
    assert page.evaluate("typeof window.htmx") == "object"
    # the 15 s poll, with room to spare on a loaded machine
    with page.expect_response(lambda r: "partial=live" in r.url, timeout=45_000) as polled:
        pass
    assert polled.value.status == 200
    assert page.locator("g#state-resting").get_attribute("class") == "state team live late overdue"
    desktop.check_a11y()
    desktop.shot("live map")

    # A click on the state opens its cases
    with page.expect_navigation():
        page.locator("a:has(g#state-resting)").click()
    assert page.url.endswith("/console/?q=all&state=resting&journey=mail-in-repair")
    assert ian.reference in page.locator("main").inner_text()
    desktop.shot("the state's cases")
