"""A lead imports the catalog from a CSV file on a phone (390 px, Debian's Chromium), keyboard only
after choosing the file: a file with a mistake is refused line by line, the fixed one previewed,
then confirmed. Screenshots under var/test-artifacts/screenshots/; axe-core on each page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.shop.test_shop_browser import fits, sign_in
from tests.support.browser import BrowserPage
from touchpoint.catalog.models import DeviceModel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "slug,name,kind,diagnosis_price,active\n"


def test_a_lead_imports_device_models_on_a_phone(phone: BrowserPage) -> None:
    sign_in(phone)
    page = phone.page
    phone.goto(reverse("console:shop_catalog_import"))
    phone.check_a11y()
    page.get_by_label("CSV file").set_input_files(
        files=[
            {
                "name": "models.csv",
                "mimeType": "text/csv",
                "buffer": (HEADER + "nano-4g,Nano,toaster,29,yes\n").encode(),
            }
        ]
    )
    page.get_by_role("button", name="Preview the import").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Line 2 (nano-4g): kind: The kind must be one of: music_player, phone, tablet." in page.inner_text("main")
    fits(phone)
    phone.check_a11y()
    phone.shot("a line to fix")

    page.get_by_label("CSV file").set_input_files(
        files=[
            {
                "name": "models.csv",
                "mimeType": "text/csv",
                "buffer": (HEADER + "nano-4g,Nano Player 4G,music_player,29,yes\n").encode(),
            }
        ]
    )
    page.get_by_role("button", name="Preview the import").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "1 to add, 0 to change, 0 already as the file says." in page.inner_text("main")
    assert DeviceModel.objects.count() == 0  # a preview stores nothing
    fits(phone)
    phone.check_a11y()
    phone.shot("the preview")

    page.get_by_role("button", name="Import: 1 added, 0 changed").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("status").inner_text() == "Imported device models: 1 added, 0 changed."
    assert "Nano Player 4G" in page.inner_text("main")
    fits(phone)
    phone.check_a11y()
    phone.shot("the catalog with it")
    assert list(DeviceModel.objects.values_list("slug", "diagnosis_price")) == [("nano-4g", Decimal("29.00"))]
