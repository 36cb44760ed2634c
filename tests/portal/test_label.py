"""The prepaid label on the case page: shown while it's needed, downloaded as a PDF by the link only."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.portal.story import paid, repair_order
from touchpoint.cases.models import Case
from touchpoint.links.services import link_token


@pytest.fixture
def mail_in_repair(db: Any) -> None:
    """The shipped journey registers itself with the first order."""


def paid_repair(*, prepaid_box: bool) -> Case:
    """A repair ordered on the page and paid by bank transfer (recorded on the payments panel)."""
    return paid(repair_order(prepaid_box=prepaid_box))


def test_a_prepaid_box_case_offers_the_label_and_serves_the_pdf(client: Client, mail_in_repair: None) -> None:
    case = paid_repair(prepaid_box=True)
    assert case.state == "box_to_send"
    token = link_token(case=case)

    page = client.get(f"/c/{token}/").content.decode()
    assert '<h2 id="label-title">Your prepaid label</h2>' in page
    assert f'href="/c/{token}/label.pdf" download' in page

    response = client.get(f"/c/{token}/label.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{case.reference}-prepaid-label.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "same-origin"
    assert response.content.startswith(b"%PDF-1.")
    assert len(re.findall(rb"/Type /Page\b(?!s)", response.content)) == 2


def test_without_a_prepaid_box_there_is_no_label(client: Client, mail_in_repair: None) -> None:
    case = paid_repair(prepaid_box=False)
    assert case.state == "awaiting_device"
    token = link_token(case=case)

    assert "Your prepaid label" not in client.get(f"/c/{token}/").content.decode()
    response = client.get(f"/c/{token}/label.pdf")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "No label needed right now" in response.content.decode()


def test_a_wrong_link_gets_no_label(client: Client, mail_in_repair: None) -> None:
    paid_repair(prepaid_box=True)
    response = client.get("/c/made-up-token/label.pdf")
    assert response.status_code == 404
    assert not response.content.startswith(b"%PDF")
