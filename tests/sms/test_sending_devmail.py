"""In the demo, texts land in the dev mailbox beside the emails: a customer who chose texts on the
order page finds the order's text there, marked as a text, with its number, body and segments."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.test import Client, override_settings
from django.utils.html import escape

from tests.portal.test_intake_service import shop  # noqa: F401 - the fixture
from tests.sms.test_sending import TEXTS, order_by_text, worker_pass
from touchpoint.devmail.models import CapturedMail
from touchpoint.outbox.models import MessageStatus, OutboxMessage
from touchpoint.text.sms import sms_segments

pytestmark = pytest.mark.usefixtures("shop")
NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
CAPTURE = {"default": {"BACKEND": "touchpoint.devmail.backend.CaptureBackend", "OPTIONS": {}}}


@pytest.fixture
def demo() -> Iterator[None]:
    """The demo's settings: mail and texts kept in the dev mailbox."""
    with override_settings(
        TOUCHPOINT_DEV_MAILBOX=True,
        ROOT_URLCONF="tests.devmail.urls",
        MAILERS=CAPTURE,
        TOUCHPOINT_SMS_PROVIDER="touchpoint.devmail.sms.CaptureSmsProvider",
    ):
        yield


def test_a_text_is_kept_in_the_dev_mailbox_and_shown_as_a_text(client: Client, demo: None) -> None:
    case = order_by_text(client)
    assert TEXTS["phone"] == "07700 900 123"

    worker_pass(NOON)

    [text] = CapturedMail.objects.all()
    sent = OutboxMessage.objects.get(case=case)
    assert (text.channel, text.to, text.case_reference, text.subject) == (
        "sms",
        "+447700900123",
        case.reference,
        sent.subject,
    )
    assert text.body_text == sent.body_text and text.body_html == "" and text.tone == "playful"
    assert (sent.status, sent.delivery) == (MessageStatus.SENT, "delivered")
    assert sent.provider_ref.startswith("SMdev")
    listing = client.get("/dev/mail/").content.decode()
    assert (
        f'<span class="devmail-kind">Text</span> <a href="/dev/mail/{text.pk}/">{escape(sent.subject)}</a>' in listing
    )
    page = client.get(f"/dev/mail/{text.pk}/").content.decode()
    count = sms_segments(text.body_text)
    assert count.encoding == "GSM-7" and count.segments in (1, 2)
    assert f"{count.segments} segment{'s' if count.segments > 1 else ''} (GSM-7, {count.units} units)" in page
    assert "<dt>To</dt><dd>+447700900123</dd>" in page
    assert "<h2>HTML</h2>" not in page and "<h2>Headers</h2>" not in page


def test_a_customer_who_chose_email_still_gets_mail_beside_the_texts(client: Client, demo: None) -> None:
    case = order_by_text(client, channel="email")

    worker_pass(NOON)

    [mail] = CapturedMail.objects.all()
    assert (mail.channel, mail.to, mail.case_reference) == ("email", "tom@example.com", case.reference)
    assert "devmail-kind" not in client.get("/dev/mail/").content.decode()
