"""A broken or revoked link in a real browser: the friendly page, and a fresh link asked for from it."""

from __future__ import annotations

import pytest

from tests.portal.story import repair_order
from tests.support.browser import BrowserPage
from touchpoint.links.services import link_issue, link_revoke
from touchpoint.outbox.models import OutboxMessage
from touchpoint.worker.loop import Worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_revoked_link_leads_to_a_fresh_one_by_email(phone: BrowserPage) -> None:
    case = repair_order(name="Ian Kearns", email="ian@example.com").case
    token = link_issue(case=case)
    link_revoke(case=case, reason="forwarded")

    response = phone.goto(f"/c/{token}/")

    assert response.status == 410
    assert phone.page.get_by_role("heading", level=1).inner_text() == "This link no longer works"
    phone.check_a11y()
    phone.shot("revoked link")

    # The form on that page posts to /link/ and passes CSRF in a real browser (the Origin check).
    phone.page.get_by_label("Your email address").fill("ian@example.com")
    phone.page.get_by_role("button", name="Email me a new link").click()
    phone.page.wait_for_url("**/link/")
    assert phone.page.get_by_role("heading", level=1).inner_text() == "Check your email"
    phone.check_a11y()
    phone.shot("check your email")
    Worker(worker_id="w1").run(until_idle=True)  # the worker answers the request, not the page
    message = OutboxMessage.objects.get(touchpoint="")
    assert message.recipient == "ian@example.com" and case.reference in message.body_text
