"""The customer's steps taken in Chromium on a phone (tests/support/browser.py), for the main routes:
what the customer reads and presses, as they would, against the live server. Staff, the provider
and the worker take theirs as in every other walk (``drivers.py``).

Stripe's hosted page is the internet's edge: the browser is given a stand-in page there (as in
tests/portal/test_pay_browser.py), and Stripe's signed webhook follows."""

from __future__ import annotations

import re
from typing import Any

from tests.acceptance.walker import RouteWalker, Stop
from tests.support.browser import BrowserPage
from touchpoint.journeys.walk import Step

STAND_IN = """<!doctype html><html lang="en"><head><title>Stripe Checkout (stand-in)</title></head>
<body><main><h1>Stripe Checkout (stand-in)</h1>
<p>Stripe's hosted page is the internet's edge.</p></main></body></html>"""


def stand_in_for_stripe(phone: BrowserPage) -> list[str]:
    visited: list[str] = []

    def fulfil(route: Any) -> None:
        visited.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body=STAND_IN)

    phone.page.route("https://checkout.stripe.com/**", fulfil)
    return visited


def heading(phone: BrowserPage) -> str:
    return str(phone.page.get_by_role("heading", level=1).first.inner_text())


def open_from_email(w: RouteWalker, label: str) -> BrowserPage:
    """The customer taps the link in their latest email."""
    phone: BrowserPage = w.phone
    if not w.link:
        raise Stop("the customer has no link to their case: no email they received links their case page")
    phone.page.goto(w.link)
    phone.check_a11y()
    phone.shot(label)
    return phone


def order(w: RouteWalker) -> None:
    """The order form, filled in on the phone as the customer would."""
    phone: BrowserPage = w.phone
    p = phone.page
    phone.goto("/repair/")
    phone.check_a11y()
    phone.shot("order form")
    p.get_by_label("Search by name").fill("nano")
    p.get_by_label("Nano Player 4G").check()
    p.get_by_label("Not sure what's wrong").check()
    p.get_by_label("Your name").fill("Maya Okafor")
    p.get_by_label("Email address").fill(w.email)
    p.get_by_label("Address line 1").fill("12 Mill Lane")
    p.get_by_label("Town or city").fill("Bristol")
    p.get_by_label("Postcode").fill("BS1 4DJ")
    if w.route.intake.get("prepaid_box"):
        p.get_by_label("Send me a prepaid box").check()
    else:
        p.get_by_label("I'll post it myself").check()
    p.get_by_role("button", name="Place my order").click()
    p.wait_for_url(re.compile(r"/c/[A-Za-z0-9_-]{43}/$"))
    phone.check_a11y()
    phone.shot("order placed")


def act(w: RouteWalker, step: Step) -> str:
    """Press the step's control on the case page (``#act-<event>``), saying yes when asked "are you sure?"."""
    phone = open_from_email(w, f"before {step.event}")
    p = phone.page
    # The balance is paid with the pay panel's card button, as the order was (#act-card_submitted).
    control = p.locator("#act-card_submitted" if step.event == "balance_paid" else f"#act-{step.event}")
    if control.count() == 0:
        offered = p.locator("[id^=act-]").evaluate_all("nodes => nodes.map(n => n.id)")
        raise Stop(
            f"no surface records `{step.event}` in `{step.source}` for the customer: "
            f"no #act-{step.event} on their phone (it offers {offered or 'nothing'})"
        )
    if step.event == "card_submitted" or (step.event == "balance_paid"):
        stand_in_for_stripe(phone)
        w.edge.expect_checkout(w)
    if step.event == "feedback_given":
        rating = int(step.given.get("rating", 5))
        form = p.locator("#feedback")
        form.get_by_role("radio", name=re.compile(rf"^{rating} ")).check()
        form.get_by_label("Tell us more").fill("Kept me posted all the way. Battery lasts all day again.")
        form.get_by_label("You may publish this on our reviews page").check()
        form.get_by_role("button", name="Send feedback").click()
    else:
        button = control.get_by_role("button").first if control.get_by_role("button").count() else control
        button.click()
        dialog = p.locator("dialog[open]")
        if dialog.count():
            phone.shot(f"{step.event}: are you sure?")
            dialog.get_by_role("button").first.click()
    if step.event in ("card_submitted", "balance_paid"):
        p.get_by_role("heading", name="Stripe Checkout (stand-in)").wait_for()
        phone.shot("the card provider's page")
        return "the phone: the pay panel, then Stripe's page (stand-in)"
    label = w.journey.states[step.target].label
    p.get_by_role("heading", level=1, name=label).wait_for()
    phone.check_a11y()
    phone.shot(f"after {step.event}")
    return f"the phone: #act-{step.event} on the case page"
