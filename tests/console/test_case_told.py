"""The bench sees what the customer told us (issue 12, part 8): the device and the problem by the
catalog's names, their own words, their return address, prepaid box or not, and the photos they sent,
each served only to staff and only under its own case."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from tests.console.given import open_order_problem, open_repair, page_url, signed_in
from tests.support.factories import CustomerFactory, StaffFactory
from touchpoint.inbox.models import InboundAttachment
from touchpoint.links.services import link_token
from touchpoint.staff.models import StaffUser

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def bench() -> StaffUser:
    return StaffFactory(username="sam", first_name="Sam", teams=["bench"])


def png(name: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 120, 200)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def told(html: str) -> list[tuple[str, str]]:
    section = html.split('id="told-h"', 1)[1].split("</section>", 1)[0]
    return [
        (dt, re.sub(r"\s+", " ", dd).strip())
        for dt, dd in re.findall(r"<div><dt>(.*?)</dt><dd[^>]*>(.*?)</dd></div>", section, re.S)
    ]


def test_the_case_view_shows_what_the_customer_told_us_at_intake_in_words(bench: StaffUser) -> None:
    case = open_repair(
        problem="battery", problem_notes="It dies after ten minutes.\nWorse when cold.", prepaid_box=True
    )
    html = signed_in(bench).get(page_url(case)).content.decode()
    assert '<h2 id="told-h">What <bdi>Ian Kearns</bdi> told us</h2>' in html
    assert told(html) == [
        ("The device model picked from the catalog", "Nano Player 4G"),
        ("What is wrong", "Battery doesn&#x27;t hold a charge"),
        ("The customer&#x27;s own description of the problem", "It dies after ten minutes.<br>Worse when cold."),
        ("The customer asked us to send a prepaid box and postal bag", "Yes"),
        ("The price paid with the order", "£29.00"),
        ("Where the device goes back to", "Ian Kearns<br>4 Mill Lane<br>Leeds<br>LS1 4AB<br>GB"),
    ]
    assert "nano-4g" not in html.split('id="told-h"', 1)[1].split("</section>", 1)[0]


def test_not_sure_and_an_empty_description_are_said_plainly(bench: StaffUser) -> None:
    case = open_repair()
    facts = dict(told(signed_in(bench).get(page_url(case)).content.decode()))
    assert facts["What is wrong"] == "Not sure what&#x27;s wrong"
    assert facts["The customer&#x27;s own description of the problem"] == "Not given"
    assert facts["The customer asked us to send a prepaid box and postal bag"] == "No"


def test_an_order_problem_shows_its_report_with_choices_in_words(bench: StaffUser) -> None:
    case = open_order_problem()
    assert told(signed_in(bench).get(page_url(case)).content.decode()) == [
        ("The shop&#x27;s order number", "SO-1042"),
        ("What went wrong with the delivery", "Wrong item"),
        ("What the customer told us", "A blue case came instead of the red one."),
        ("What the customer paid for the order", "£24.00"),
        ("The wrong item must come back", "Yes"),
    ]


def test_photos_the_customer_sent_are_linked_and_served_only_to_staff_under_their_case(bench: StaffUser) -> None:
    case = open_repair()
    other = open_repair(CustomerFactory(name="Ana Lopez"))  # another customer's case
    customer = Client()
    sent = customer.post(
        f"/c/{link_token(case=case)}/messages/",
        {"text": "Here's the crack.", "nonce": "0123456789abcdef0123456789abcdef", "photos": [png("crack.png")]},
    )
    assert sent.status_code == 302
    photo = InboundAttachment.objects.get()
    url = f"/console/cases/{case.reference}/files/{photo.pk}/"
    client = signed_in(bench)
    html = client.get(page_url(case)).content.decode()
    assert f'<a href="{url}"><img src="{url}" alt="Photo: crack.png" width="120" loading="lazy"></a>' in html
    assert f'<a href="{url}"><bdi>crack.png</bdi></a>' in html
    served = client.get(url)
    assert (served.status_code, served["Content-Type"], served["X-Content-Type-Options"]) == (
        200,
        "image/png",
        "nosniff",
    )
    assert {"private", "no-store"} <= {part.strip() for part in served["Cache-Control"].split(",")}
    # Walking the id under another case finds nothing; a visitor without a staff session is sent to sign in.
    assert client.get(f"/console/cases/{other.reference}/files/{photo.pk}/").status_code == 404
    assert 'id="told-h"' in client.get(page_url(other)).content.decode()
    assert "crack.png" not in client.get(page_url(other)).content.decode()
    anonymous = customer.get(url)
    assert (anonymous.status_code, anonymous["Location"].split("?")[0]) == (302, "/console/login/")
