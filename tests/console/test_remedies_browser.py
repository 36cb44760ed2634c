"""In a real browser (Debian's Chromium): an agent gives a goodwill credit within the limit and asks
a lead for a refund over it; the lead, signed in in a second browser, approves it. Every page
passes axe-core, with the strict CSP and no JavaScript error."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.support.browser import DESKTOP, BrowserPage, _watch
from touchpoint.cases.models import Case
from touchpoint.remedies.models import Remedy, RemedyRequest, RequestStatus
from touchpoint.staff.models import StaffUser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, base_url: str, user: StaffUser) -> None:
    """A real session for ``user``, its cookie handed to the browser (the sign-in page is not under test)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}])


def remedy_form(page: Any, kind: str) -> Any:
    """Open the remedy's fold (a <details>: the page works without JavaScript) and return its form."""
    page.locator(f"summary:has(#remedy-{kind})").click()
    return page.locator(f"form[aria-labelledby='remedy-{kind}']")


def test_an_agent_gives_a_credit_asks_for_a_refund_and_a_lead_approves(
    desktop: BrowserPage, new_case: Case, lead: StaffUser
) -> None:
    from tests.support.factories import StaffFactory

    agent = StaffFactory(username="jo", first_name="Jo", last_name="Marsh", teams=["care"])
    desktop.page.context.set_default_timeout(30_000)  # two browsers on a shared, busy machine
    sign_in(desktop.page, desktop.base_url, agent)
    desktop.goto(f"/console/cases/{new_case.reference}/remedies/")
    desktop.check_a11y()
    desktop.shot("agent sees what they may give")

    # Within the limit: given at once, no manager.
    credit = remedy_form(desktop.page, "goodwill_credit")
    credit.get_by_label("Amount (GBP)").fill("10")
    credit.get_by_label("Why").fill("The box arrived a week late")
    credit.get_by_role("button", name="Give goodwill credit").click()
    desktop.page.get_by_text("Given: it is recorded on the timeline").wait_for()
    remedy = Remedy.objects.get()
    assert (remedy.amount, remedy.applied_by, remedy.rule) == (
        Decimal("10.00"),
        agent,
        "goodwill_credit.agent-standard",
    )
    desktop.shot("credit given")

    # Over the limit (£20 for agents): one click asks a lead.
    desktop.goto(f"/console/cases/{new_case.reference}/remedies/")
    refund = remedy_form(desktop.page, "refund")
    refund.get_by_label("Amount (GBP)").fill("60")
    refund.get_by_label("Why").fill("Screen cracked in our care")
    refund.get_by_role("button", name="Ask a lead").click()
    desktop.page.get_by_text("Asked: a lead decides in time").wait_for()
    request = RemedyRequest.objects.get()
    assert (request.amount, request.status) == (Decimal("60.00"), RequestStatus.PENDING)

    # The lead, in a browser of their own.
    context = desktop.page.context.browser.new_context(**DESKTOP)
    context.set_default_timeout(30_000)
    try:
        lead_page = BrowserPage(page=context.new_page(), base_url=desktop.base_url, folder=desktop.folder / "lead")
        _watch(lead_page.page, lead_page.problems)
        sign_in(lead_page.page, lead_page.base_url, lead)
        lead_page.goto("/console/remedies/requests/")
        lead_page.page.get_by_role("heading", name=f"Refund of £60.00 · {new_case.reference}").wait_for()
        lead_page.check_a11y()
        lead_page.shot("lead sees the request")
        article = lead_page.page.locator(f"#request-{request.pk}")
        article.get_by_label("Why").fill("Our courier cracked it")
        article.get_by_role("button", name="Approve").click()
        lead_page.page.get_by_text("Decided: it is on the case's timeline").wait_for()
        lead_page.check_a11y()
        lead_page.shot("lead approved")
        assert lead_page.problems == []
    finally:
        context.close()

    approved = Remedy.objects.get(request=request)
    assert (approved.amount, approved.applied_by, approved.approved_by, approved.rule) == (
        Decimal("60.00"),
        agent,
        lead,
        "refund.lead",
    )
    desktop.goto(f"/console/cases/{new_case.reference}/remedies/")
    desktop.page.get_by_text("Refund £60.00 by Jo Marsh, approved by Sam").wait_for()
    desktop.shot("agent sees the approval")
