"""Extra work answered in a real phone browser (Debian's Chromium): approve through the dialog and
try to send it twice, decline, and approve with JavaScript off through the confirmation page.
Screenshots under var/test-artifacts/screenshots/; axe-core on each state shown."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.quotes.repair import crew, repair_case
from tests.support.browser import BrowserPage
from tests.support.factories import CustomerFactory
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.flows.quotes import LineInput, quote_propose
from touchpoint.links.services import link_issue
from touchpoint.quotes.models import Quote

CASE_PAGE = re.compile(r"/c/[^/]+/(#extra-work)?$")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def waiting_case() -> tuple[Case, Quote, str]:
    case = repair_case(CustomerFactory(name="Ian Kearns", town="Leeds"), "in_surgery")
    lines = [
        LineInput(
            "New battery", "The old one holds a charge for ten minutes; a new one lasts all day.", Decimal("39.00")
        ),
        LineInput("Headphone socket", "It crackles on the left side: the socket is worn.", Decimal("15.50")),
    ]
    proposed = quote_propose(case=case, version=case.version, by=crew(), lines=lines, finding="He pulled through.")
    assert proposed.quote is not None
    return proposed.case, proposed.quote, link_issue(case=case)


def decisions(case: Case) -> list[str]:
    events = ["quote_approved", "quote_declined"]
    return list(TimelineEntry.objects.filter(case=case, event__in=events).values_list("event", flat=True))


def test_approve_in_the_dialog_and_a_second_send_is_refused(phone: BrowserPage) -> None:
    case, quote, token = waiting_case()
    page = phone.page
    phone.goto(reverse("portal:case", args=[token]))
    assert page.get_by_role("heading", level=1).inner_text() == "Waiting for your OK on the extra work"
    panel = page.locator("#extra-work")
    assert "New battery" in panel.inner_text()
    assert "£54.50" in panel.inner_text()
    phone.check_a11y()
    phone.shot("extra work to approve")
    second = page.context.new_page()
    second.goto(page.url)

    page.get_by_role("button", name="Approve £54.50").click()
    dialog = page.get_by_role("dialog", name="Approve the extra work for £54.50?")
    assert dialog.is_visible()
    phone.check_a11y()
    phone.shot("confirm in a dialog")
    # Go back closes it without an answer
    dialog.get_by_role("button", name="Go back").click()
    assert not dialog.is_visible()
    assert decisions(case) == []

    page.get_by_role("button", name="Approve £54.50").click()
    dialog.get_by_role("button", name="Yes, approve £54.50").dblclick()
    page.wait_for_url(CASE_PAGE)
    status = page.get_by_role("status").first
    assert "we've got your OK" in status.inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == "Being repaired"
    phone.check_a11y()
    phone.shot("approved")
    assert decisions(case) == ["quote_approved"]

    # A second tab, opened before the answer, sends it again: told the first answer, nothing written
    second.get_by_role("button", name="Approve £54.50").click()
    second.get_by_role("dialog").get_by_role("button", name="Yes, approve £54.50").click()
    second.wait_for_url(CASE_PAGE)
    said = second.get_by_role("status").first.inner_text()
    assert said.startswith("You approved this on ")
    assert decisions(case) == ["quote_approved"]
    quote.refresh_from_db()
    assert quote.status == "approved"


def test_decline(phone: BrowserPage) -> None:
    case, quote, token = waiting_case()
    page = phone.page
    # The confirmation page (the way without JavaScript) passes axe-core too
    confirm = reverse("portal:approval_confirm", args=[token])
    phone.goto(f"{confirm}?decision=decline&quote={quote.pk}&version={case.version}")
    assert page.get_by_role("heading", level=1).inner_text() == "Decline the extra work?"
    phone.check_a11y()
    phone.goto(reverse("portal:case", args=[token]))
    page.get_by_role("button", name="Decline").click()
    dialog = page.get_by_role("dialog", name="Decline the extra work?")
    phone.check_a11y()
    dialog.get_by_role("button", name="Yes, decline").click()
    page.wait_for_url(CASE_PAGE)
    assert page.get_by_role("heading", level=1).inner_text() == "You declined the extra work"
    assert "You declined this on" in page.locator("#extra-work").inner_text()
    phone.check_a11y()
    phone.shot("declined")
    assert decisions(case) == ["quote_declined"]


def test_approve_without_javascript_through_the_confirmation_page(phone_nojs: BrowserPage) -> None:
    case, _quote, token = waiting_case()
    page = phone_nojs.page
    phone_nojs.goto(reverse("portal:case", args=[token]))
    assert page.locator("dialog[open]").count() == 0
    page.get_by_role("button", name="Approve £54.50").click()
    page.wait_for_url("**/extra-work/confirm/**")
    assert page.get_by_role("heading", level=1).inner_text() == "Approve the extra work for £54.50?"
    phone_nojs.shot("confirmation page")
    stale = page.context.new_page()  # the same confirmation open in a second tab
    stale.goto(page.url)
    page.get_by_role("button", name="Yes, approve £54.50").click()
    page.wait_for_url(CASE_PAGE)
    assert page.get_by_role("heading", level=1).inner_text() == "Being repaired"
    assert "we've got your OK" in page.get_by_role("status").first.inner_text()
    # The second tab sends it again: the first answer stands, and it says so
    stale.get_by_role("button", name="Yes, approve £54.50").click()
    stale.wait_for_url(CASE_PAGE)
    assert stale.get_by_role("status").first.inner_text().startswith("You approved this on ")
    # Back to the confirmation page: it is not asked again
    page.go_back()
    page.wait_for_url(CASE_PAGE)
    assert page.get_by_role("status").first.inner_text().startswith("You approved this on ")
    phone_nojs.shot("back to the question: told the first answer")
    assert decisions(case) == ["quote_approved"]
