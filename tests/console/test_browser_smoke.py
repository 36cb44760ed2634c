"""The browser harness itself: the home page loads in Chromium with the strict CSP, passes axe-core,
and a CSP violation or an axe failure is caught (so the checks the portal and console rely on can fail)."""

from __future__ import annotations

import pytest

from tests.support.browser import BrowserPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_loads_cleanly_on_a_phone(phone: BrowserPage) -> None:
    response = phone.goto("/")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    phone.check_a11y()
    assert phone.shot("home").stat().st_size > 0


def test_an_inline_script_is_reported_as_a_csp_violation(phone: BrowserPage) -> None:
    phone.goto("/")
    phone.page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = '1'; document.body.append(s); }"
    )
    phone.page.wait_for_timeout(200)
    assert any(p.startswith("CSP:") for p in phone.problems), phone.problems
    phone.problems.clear()  # expected here; any other test with one fails at teardown


def test_axe_reports_a_serious_violation(phone: BrowserPage) -> None:
    phone.goto("/")
    phone.page.evaluate("() => document.querySelector('main').append(document.createElement('input'))")
    with pytest.raises(AssertionError, match="label"):
        phone.check_a11y()
