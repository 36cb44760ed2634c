"""Issue 16's "done when": a new owner sets a shop up from an empty database in the browser, without
touching a file or an environment variable. Debian's Chromium at desktop width: the first visit asks
for the owner's account (the setup code read off `touchpoint setup_code`, as off `touchpoint run`'s
terminal), two-factor is set up with an authenticator app, then the guide leads through the shop,
its opening hours, the catalog and the persona, ticking each off; the order page then offers the
shop's own models under the shop's own name. Screenshots under var/test-artifacts/screenshots/."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command

from tests.support.browser import BrowserPage
from tests.support.two_factor import Phone
from touchpoint.shop.selectors import shop_settings
from touchpoint.staff.models import Role, StaffUser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MODELS = "slug,name,kind,diagnosis_price,active\ngadget-7,Gadget 7,phone,25,yes\n"
PROBLEMS = "slug,label,typical_price,position,active\nbattery,Battery runs down,45.00,1,yes\n"


def upload(desktop: BrowserPage, kind: str, name: str, text: str) -> None:
    page = desktop.page
    if "/console/shop/catalog/import/" not in page.url:
        desktop.goto("/console/shop/catalog/import/")
    page.locator(f"#kind-{kind}").check()
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode()}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Preview the import").click()
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Import: 1 added")).click()


def to_the_guide(desktop: BrowserPage, step: str) -> None:
    desktop.goto("/setup/guide/")
    with desktop.page.expect_navigation():
        desktop.page.locator(f"#step-{step} a").click()


def test_a_new_owner_sets_the_shop_up_from_an_empty_database(desktop: BrowserPage, settings: Any) -> None:
    settings.TOUCHPOINT_PUBLIC_URL = desktop.base_url  # as installed: the persona's previews show its face from here
    page = desktop.page
    assert not StaffUser.objects.exists()
    # The live server's first answer imports every view: on a loaded machine it can take longer than
    # the default 15 s a click may take
    page.goto(desktop.base_url + "/", timeout=90_000)
    assert page.url.endswith("/setup/")
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome to Touchpoint"
    desktop.check_a11y()
    desktop.shot("first run welcome")

    printed = io.StringIO()
    call_command("setup_code", stdout=printed)
    code = re.search(r"Setup code: (\S+)", printed.getvalue())
    assert code is not None
    page.get_by_label("Setup code").fill(code.group(1))
    page.get_by_label("Your name").fill("Ada Owner")
    page.get_by_label("Your email").fill("ada@fixit.example")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password", exact=True).fill("a long owner passphrase")
    page.get_by_label("The password again").fill("a long owner passphrase")
    with page.expect_navigation():
        page.get_by_role("button", name="Create my account").click()

    # An owner is an admin: two-factor before anything else
    assert "/console/two-factor/" in page.url
    secret = page.locator("#secret").inner_text()
    page.get_by_label("Type the 6-digit code the app shows").fill(Phone(secret).code())
    with page.expect_navigation():
        page.get_by_role("button", name="Turn on two-factor sign-in").click()
    owner = StaffUser.objects.get()
    assert (owner.username, owner.role) == ("ada", Role.ADMIN)

    desktop.goto("/setup/guide/")
    assert "4 essential steps left" in page.get_by_role("status").inner_text()
    desktop.check_a11y()
    desktop.shot("first run guide, nothing done")

    to_the_guide(desktop, "shop")
    page.get_by_label("Shop name").fill("Fix-It Corner")
    page.get_by_label("Postal address").fill("1 Mill Lane\nLeeds\nLS1 1AA")
    page.get_by_label("Sender name").fill("Fix-It Corner")
    page.get_by_label("Sender address").fill("hello@fixit.example")
    page.get_by_label("Currency").fill("EUR")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the shop's settings").click()
    assert page.get_by_role("status").inner_text().startswith("Saved:")

    to_the_guide(desktop, "hours")
    page.get_by_label("Weekly hours").fill("Mon-Fri 09:00-17:30; Sat 10:00-13:00")
    page.get_by_label("Time zone").fill("Europe/Dublin")
    page.get_by_label("Public holidays of").fill("IE")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the shop's hours").click()
    desktop.shot("opening hours saved")

    to_the_guide(desktop, "catalog")
    upload(desktop, "models", "models.csv", MODELS)
    upload(desktop, "problems", "problems.csv", PROBLEMS)

    to_the_guide(desktop, "persona")
    page.get_by_label("Name", exact=True).fill("Frankie")
    page.get_by_label("Signature").fill("Frankie at Fix-It Corner")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the persona").click()

    desktop.goto("/setup/guide/")
    assert "The essentials are done" in page.get_by_role("status").inner_text()
    for step in ("shop", "hours", "catalog", "persona"):
        assert page.locator(f"#step-{step} .state").inner_text() == "Done", step
    desktop.check_a11y()
    desktop.shot("first run guide, essentials done")

    # What a customer now finds: the shop's own name, models and currency
    row = shop_settings()
    assert (row.name, row.currency) == ("Fix-It Corner", "eur")
    desktop.goto("/repair/")
    body = page.inner_text("body")
    assert "Gadget 7" in body and "Fix-It Corner" in body
    desktop.shot("the order page of the new shop")
