"""The main routes, walked with the customer on a phone in Chromium: a prepaid-box repair paid by
card, with extra work approved and its balance paid, home, and feedback published on the wall; and
a device beyond repair, recycled. Every other route is walked with the test client (test_routes.py);
these two are the story a new customer lives, so they are also walked as they see it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.acceptance.conftest import INBOUND_SECRET
from tests.acceptance.drivers import StripeEdge, desk, get
from tests.acceptance.shop import shop_open
from tests.acceptance.walker import RouteWalker
from tests.payments.conftest import install_recorded_stripe
from tests.support.browser import BrowserPage
from touchpoint.journeys.library import library_file
from touchpoint.journeys.loader import load_journey
from touchpoint.journeys.walk import PlannedRoute, walk_route

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def mail_in_repair() -> Any:
    path = library_file("mail-in-repair")
    assert path is not None
    return load_journey(path).journey


def extra_work_paid_and_praised() -> PlannedRoute:
    return walk_route(
        mail_in_repair(),
        intake={"prepaid_box": True},
        events=[
            "card_submitted",
            "payment_succeeded",
            "box_dispatched",
            ("box_delivered", {}, "customer"),
            "device_posted",
            "device_arrived",
            "surgery_started",
            ("diagnosed", {"quote_total": 25}),
            ("quote_approved", {}, "customer"),
            "repair_done",
            "qc_passed",
            ("balance_paid", {}, "system"),
            "return_shipped",
            ("return_delivered", {}, "customer"),
            ("feedback_given", {"rating": 5}),
        ],
    )


def beyond_repair_recycled() -> PlannedRoute:
    return walk_route(
        mail_in_repair(),
        intake={"prepaid_box": False},
        events=[
            "card_submitted",
            "payment_succeeded",
            "device_posted",
            "device_arrived",
            "surgery_started",
            "died_on_table",
            ("recycle_chosen", {}, "customer"),
        ],
    )


@pytest.fixture
def browser_world(settings: Any, monkeypatch: pytest.MonkeyPatch, live_server: Any) -> Any:
    from django.utils.csp import CSP

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.TOUCHPOINT_PUBLIC_URL = live_server.url
    settings.TOUCHPOINT_INBOUND_WEBHOOK_SECRET = INBOUND_SECRET
    wire = install_recorded_stripe(settings, monkeypatch)
    settings.SECURE_CSP = {**settings.SECURE_CSP, "form-action": [CSP.SELF, "https://checkout.stripe.com"]}
    return shop_open(), StripeEdge(wire)


def walk_on_phone(route: PlannedRoute, phone: BrowserPage, world: Any, number: int) -> RouteWalker:
    shop, edge = world
    walker = RouteWalker(route=route, number=number, shop=shop, edge=edge)
    walker.phone = phone
    walker.moment = None  # the live server keeps the real clock
    walker.walk()
    return walker


def test_a_prepaid_box_repair_with_extra_work_paid_by_card_ends_with_feedback_on_the_wall(
    phone: BrowserPage, browser_world: Any
) -> None:
    walker = walk_on_phone(extra_work_paid_and_praised(), phone, browser_world, 901)
    case = walker.fresh()
    assert (case.state, case.outcome) == ("completed", "success")
    # A lead publishes the praise from the wall's moderation page, and the phone sees it on /reviews.
    shop, _ = browser_world
    lead = desk(walker, shop.staff["priya"])
    _, page = get(lead, walker.public + "/console/wall/")
    forms = [
        f for f in page.forms if f.sends("action", "publish") or any(b.get("value") == "publish" for b in f.buttons)
    ]
    assert forms, "the wall's moderation page offers nothing to publish"
    button = next((b for b in forms[0].buttons if b.get("value") == "publish"), None)
    _, address, data = forms[0].submission(button=button)
    assert lead.post(address.replace(walker.public, ""), data).status_code in (302, 303)
    phone.goto("/reviews")
    phone.page.get_by_text("Kept me posted all the way.").wait_for()
    phone.check_a11y()
    phone.shot("published on the wall")


def test_a_device_beyond_repair_is_recycled_as_the_customer_chose(phone: BrowserPage, browser_world: Any) -> None:
    walker = walk_on_phone(beyond_repair_recycled(), phone, browser_world, 902)
    case = walker.fresh()
    assert (case.state, case.outcome) == ("recycled", "failure")
