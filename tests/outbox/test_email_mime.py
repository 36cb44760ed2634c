"""The email channel's own MIME bytes read back exactly as written, and other backends still work."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings

from touchpoint.outbox.channels.email import EmailChannel, mime_bytes
from touchpoint.outbox.models import OutboxMessage

TEXT = (
    "Hi Zoë,\n\nYour nano-4g is right as rain – résumé.\n.a line starting with a dot\nFrom here on\n" + "x" * 200 + "\n"
)
HTML = "<p>Hi Zoë,</p>\n<p>Right as rain – <strong>really</strong>.</p>\n"
REFS = " ".join(f"<TP-ABCDE.{n}.0123456789abcdef@touchpoint.localhost>" for n in range(10))


def outgoing(**overrides: Any) -> OutboxMessage:
    values: dict[str, Any] = {
        "channel": "email",
        "recipient": "zoe@example.com",
        "subject": "TP-ABCDE: Your nano-4g is right as rain – “résumé” " + "long " * 19 + "end",
        "body_text": TEXT,
        "body_html": HTML,
        "headers": {
            "Message-ID": "<TP-ABCDE.11.0123456789abcdef@touchpoint.localhost>",
            "In-Reply-To": "<TP-ABCDE.10.0123456789abcdef@touchpoint.localhost>",
            "References": REFS,
            "Reply-To": "reply+abc123@touchpoint.localhost",
        },
        **overrides,
    }
    return OutboxMessage(**values)


def parse(data: bytes) -> EmailMessage:
    """As a mailbox stores it: local line ends."""
    parsed = email.message_from_bytes(data.replace(b"\r\n", b"\n"), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_the_bytes_parse_back_to_exactly_the_message_written() -> None:
    message = outgoing()
    built = mime_bytes(message, "Norm at the Répair Shop <norm@touchpoint.localhost>")
    assert built is not None
    sender, data = built
    assert sender == "norm@touchpoint.localhost"
    assert all(len(line) <= 78 for line in data.split(b"\r\n"))
    assert b"\n" not in data.replace(b"\r\n", b"")
    got = parse(data)
    assert got["Subject"] == message.subject
    assert got["From"] == "Norm at the Répair Shop <norm@touchpoint.localhost>"
    assert got["To"] == "zoe@example.com"
    assert got["Message-ID"] == message.headers["Message-ID"]
    assert got["In-Reply-To"] == message.headers["In-Reply-To"]
    assert str(got["References"]).split() == REFS.split()
    assert (got["Reply-To"], got["Auto-Submitted"]) == ("reply+abc123@touchpoint.localhost", "auto-generated")
    assert got.get_content_type() == "multipart/alternative"
    text, html = got.get_body(("plain",)), got.get_body(("html",))
    assert text is not None and html is not None
    assert text.get_content() == TEXT
    assert html.get_content() == HTML


def test_a_text_only_message_is_a_single_part() -> None:
    built = mime_bytes(outgoing(body_html=""), "norm@touchpoint.localhost")
    assert built is not None
    got = parse(built[1])
    assert (got.get_content_type(), got.get_content()) == ("text/plain", TEXT)


@pytest.mark.parametrize(
    "overrides",
    [{"recipient": "zoë@exämple.com"}, {"headers": {"Message-ID": "<a@b>", "X-Evil": "one\r\nBcc: x@y.z"}}],
)
def test_what_the_fast_path_cannot_write_is_left_to_django(overrides: dict[str, Any]) -> None:
    assert mime_bytes(outgoing(**overrides), "norm@touchpoint.localhost") is None


@pytest.mark.django_db  # the sender is the shop's, as set in the console
@override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}})
def test_any_other_backend_gets_a_django_email_with_the_same_headers() -> None:
    with EmailChannel() as channel:
        channel.send(outgoing())
    [sent] = mail.outbox
    assert sent.extra_headers["References"] == REFS
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    assert sent.alternatives[0].content == HTML
