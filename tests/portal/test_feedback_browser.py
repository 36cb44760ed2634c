"""Feedback on a phone (Debian's Chromium): a missing name is said beside the field with the rest
kept, then the feedback is sent by keyboard and shown back. Screenshots and axe-core on each state."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.quotes.repair import repair_case
from tests.support.browser import BrowserPage
from tests.support.factories import CustomerFactory
from touchpoint.feedback.models import Feedback

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_feedback_with_a_mistake_fixed_then_sent(phone: BrowserPage) -> None:
    case = repair_case(CustomerFactory(name="Ian Kearns", town="Leeds"), "feedback_asked")
    from touchpoint.links.services import link_issue

    token = link_issue(case=case)
    page = phone.page
    phone.goto(reverse("portal:case", args=[token]))
    assert page.get_by_role("heading", level=1).inner_text() == "Back home"
    group = page.get_by_role("group", name="How did we do?")
    assert group.get_by_role("radio").count() == 5
    assert page.get_by_label("First name to sign it with").input_value() == "Ian"
    assert page.get_by_label("Town").input_value() == "Leeds"
    phone.check_a11y()
    phone.shot("feedback asked")

    # Rate 5 by keyboard, write a comment, agree to publish but clear the name
    group.get_by_role("radio", name="5 – Very happy").check()
    page.get_by_label("Tell us more").fill("Like new, and Norm made me laugh.")
    page.get_by_label("You may publish this on our reviews page").check()
    page.get_by_label("First name to sign it with").fill("")
    page.get_by_role("button", name="Send feedback").click()
    page.wait_for_url(re.compile(r"/feedback/$"))
    name = page.get_by_label("First name to sign it with")
    assert name.get_attribute("aria-invalid") == "true"
    assert "give a first name to sign it with" in page.locator("#err-display_name").inner_text()
    assert page.get_by_label("Tell us more").input_value() == "Like new, and Norm made me laugh."
    assert page.get_by_role("radio", name="5 – Very happy").is_checked()
    phone.check_a11y()
    phone.shot("name missing, the rest kept")
    assert Feedback.objects.count() == 0

    name.fill("Ian")
    name.press("Enter")
    page.wait_for_url(re.compile(r"/c/[^/]+/(#feedback)?$"))
    assert page.get_by_role("heading", level=1).inner_text() == "All done"
    given = page.locator("#feedback").inner_text()
    assert "You rated us 5 out of 5" in given
    assert "signed “Ian, Leeds”" in given
    phone.check_a11y()
    phone.shot("feedback given")
    feedback = Feedback.objects.get(case=case)
    assert (feedback.csat, feedback.display_name, feedback.town, feedback.consent_publish) == (5, "Ian", "Leeds", True)
