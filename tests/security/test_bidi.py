"""Words a customer writes can't reorder what staff and the public see around them (issue 13).

A right-to-left override (U+202E) makes "Great <U+202E>gnp.exe" read "Great exe.png", and a file named
"receipt<U+202E>gnp.exe" read "receiptexe.png". Each test writes such text through the product (the
feedback form, the case page's message form with a photo, the order form) and reads the pages it
shows up on: no direction control reaches the page raw, each is drawn as U+FFFD, and the words sit
in an isolated element."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from tests.inbox.mails import mail
from tests.quotes.repair import repair_case
from tests.support.factories import CustomerFactory, StaffFactory
from tests.support.orders import place_repair_order
from touchpoint.api.signing import signature_for
from touchpoint.cases.models import Case
from touchpoint.inbox.models import InboundAttachment
from touchpoint.links.services import link_issue
from touchpoint.staff.models import Role
from touchpoint.wall.models import WallItem

pytestmark = pytest.mark.django_db

NONCE = "0123456789abcdef0123456789abcdef"
SECRET = "whsec-test-0123456789"
RLO, PDF, LRI, PDI = "\u202e", "\u202c", "\u2066", "\u2069"
EVERY_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def staff(role: str = Role.AGENT) -> Client:
    client = Client()
    client.force_login(StaffFactory(role=role, teams=["intake", "bench", "shipping", "care"]))
    return client


def page_of(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_review_cannot_reorder_the_wall(client: Client) -> None:
    case = repair_case(CustomerFactory(name="Ann Lee", town="Leeds"), "feedback_asked")
    token = link_issue(case=case)
    sent = client.post(
        reverse("portal:feedback_send", args=[token]),
        {
            "csat": "5",
            "comment": f"Fixed in two days {RLO}gnp.exe",
            "consent_publish": "on",
            "display_name": f"Ann{RLO}",
            "town": f"{LRI}Leeds{PDI}",
            "version": case.version,
        },
    )
    assert sent.status_code == 302
    lead = staff(Role.LEAD)
    moderation = page_of(lead, "/console/wall/")
    assert not EVERY_CONTROL.search(moderation)
    item = WallItem.objects.get()
    assert lead.post(f"/console/wall/{item.pk}/", {"action": "publish"}).status_code == 302

    wall = page_of(Client(), "/reviews")

    assert not EVERY_CONTROL.search(wall)
    assert '<p dir="auto">Fixed in two days \ufffdgnp.exe</p>' in wall
    assert "<bdi>Ann\ufffd</bdi>, <bdi>\ufffdLeeds\ufffd</bdi>" in wall


def tiny_png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 120, 200)).save(out, "PNG")
    return SimpleUploadedFile("photo.png", out.getvalue())


def test_a_message_and_a_file_name_cannot_reorder_the_console(client: Client, new_case: Case, settings: Any) -> None:
    # Words from the case page's form; a file name from an email (browsers' uploads lose the
    # controls on the way in, Django keeps only printable characters; mail keeps them).
    token = link_issue(case=new_case)
    sent = client.post(
        f"/c/{token}/messages/",
        {"text": f"Call me on {RLO}0000 694 3110{PDF} please", "nonce": NONCE, "photos": [tiny_png()]},
    )
    assert sent.status_code == 302
    settings.TOUCHPOINT_INBOUND_WEBHOOK_SECRET = SECRET
    raw = mail(
        to=f"reply+{new_case.reply_token}@touchpoint.localhost",
        subject=f"My receipt {RLO}gnp.exe",
        attachments=[(f"receipt{RLO}fdp.txt", "application/pdf", b"%PDF-1.4 not really")],
    )
    stamp = str(int(time.time()))
    mailed = Client().post(
        "/hooks/email",
        data=raw,
        content_type="message/rfc822",
        headers={
            "X-Touchpoint-Timestamp": stamp,
            "X-Touchpoint-Signature": signature_for(secret=SECRET, timestamp=stamp, body=raw),
        },
    )
    assert mailed.status_code == 200
    attachment = InboundAttachment.objects.get(content_type="application/pdf")
    agent = staff()

    case_page = page_of(agent, f"/console/cases/{new_case.reference}/")
    served = agent.get(f"/console/cases/{new_case.reference}/files/{attachment.pk}/")

    assert not EVERY_CONTROL.search(case_page)
    assert "Call me on \ufffd0000 694 3110\ufffd please" in case_page
    url = f"/console/cases/{new_case.reference}/files/{attachment.pk}/"
    assert f'<a href="{url}"><bdi>receipt\ufffdfdp.txt</bdi></a>' in case_page
    # The name the browser saves the file under can't turn around either.
    disposition = served["Content-Disposition"]
    assert not EVERY_CONTROL.search(disposition) and "%E2%80%AE" not in disposition.upper()
    assert disposition == "attachment; filename*=utf-8''receipt%EF%BF%BDfdp.txt"
    # The customer's own page shows their words back the same way.
    mine = page_of(client, f"/c/{token}/")
    assert not EVERY_CONTROL.search(mine)
    assert "Call me on \ufffd0000 694 3110\ufffd please" in mine


def test_a_name_on_an_order_cannot_reorder_the_queues(client: Client) -> None:
    customer = CustomerFactory(name=f"Ann {RLO}eeL", email="ann@example.com")
    case = place_repair_order(customer)
    agent = staff()

    for url in ("/console/?q=all", f"/console/?search={case.reference}", f"/console/cases/{case.reference}/"):
        shown = page_of(agent, url)
        assert not EVERY_CONTROL.search(shown), url
        assert "Ann \ufffdeeL" in shown, url
    case_page = page_of(agent, f"/console/cases/{case.reference}/")
    assert "<small>Mail-in repair · <bdi>Ann \ufffdeeL</bdi></small>" in case_page


@given(st.text())
def test_the_pages_byte_rewrite_is_the_text_rewrite(text: str) -> None:
    # The middleware works on a page's UTF-8 bytes (no decoding); the filter and file names on text.
    from touchpoint.core.bidi import _CONTROLS_UTF8, _SHOWN_AS_UTF8, bidi_visible

    encoded = text.encode("utf-8", "surrogatepass")
    assert _CONTROLS_UTF8.sub(_SHOWN_AS_UTF8, encoded) == bidi_visible(text).encode("utf-8", "surrogatepass")
