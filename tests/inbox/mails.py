"""Build raw test mail the way real clients and servers send it."""

from __future__ import annotations

import time
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from django.test import Client

from touchpoint.api.signing import signature_for
from touchpoint.core.clock import now


def mail(
    *,
    sender: str = "Ian Kearns <ian@example.com>",
    to: str = "Norm <norm@touchpoint.localhost>",
    subject: str = "About my player",
    body: str = "Hello,\n\nWhen will it be ready?\n",
    message_id: str | None = None,
    in_reply_to: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(now())
    message["Message-ID"] = message_id or make_msgid(domain="mail.example.com")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for filename, content_type, data in attachments or []:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def bounce(*, failed: str, original_subject: str = "TP-AAAAA: your repair", returned_id: str = "") -> bytes:
    """A delivery status notification (RFC 3464) as Postfix sends it, returning the failed mail's
    headers (with ``returned_id`` as its Message-ID when given)."""
    returned = f"Message-ID: {returned_id}\r\n" if returned_id else ""
    boundary = "dsn-boundary-1"
    return (
        "From: MAILER-DAEMON@mx.example.com (Mail Delivery System)\r\n"
        "To: norm@touchpoint.localhost\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: {make_msgid(domain='mx.example.com')}\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n'
        "\r\n"
        f"--{boundary}\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n"
        "\r\n"
        f"I'm sorry to have to inform you that your message could not be delivered to {failed}.\r\n"
        "\r\n"
        f"--{boundary}\r\n"
        "Content-Type: message/delivery-status\r\n"
        "\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n"
        "\r\n"
        f"Final-Recipient: rfc822; {failed}\r\n"
        "Action: failed\r\n"
        "Status: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n"
        "\r\n"
        f"--{boundary}\r\n"
        "Content-Type: text/rfc822-headers\r\n"
        "\r\n"
        f"From: norm@touchpoint.localhost\r\nTo: {failed}\r\nSubject: {original_subject}\r\n{returned}"
        "\r\n"
        f"--{boundary}--\r\n"
    ).encode()


def webhook_post(raw: bytes, *, secret: str) -> Any:
    """The mail provider's inbound webhook as it calls us: ``raw`` signed with ``secret`` now."""
    stamp = str(int(time.time()))
    return Client().post(
        "/hooks/email",
        data=raw,
        content_type="message/rfc822",
        headers={
            "X-Touchpoint-Timestamp": stamp,
            "X-Touchpoint-Signature": signature_for(secret=secret, timestamp=stamp, body=raw),
        },
    )
