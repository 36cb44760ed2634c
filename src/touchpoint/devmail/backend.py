"""An email backend that keeps every message in the dev mailbox (``/dev/mail/``) instead of sending it.

Use it with ``TOUCHPOINT_EMAIL_BACKEND=touchpoint.devmail.backend.CaptureBackend``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend

from touchpoint.devmail.services import mail_capture


class CaptureBackend(BaseEmailBackend):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(alias=kwargs.get("alias"))

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            html = ""
            if isinstance(message, EmailMultiAlternatives):
                html = next((str(content) for content, mimetype in message.alternatives if mimetype == "text/html"), "")
            parsed = message.message()
            mail_capture(
                from_email=str(message.from_email),
                to=list(message.recipients()),
                subject=str(message.subject),
                headers=[(name, str(value)) for name, value in parsed.items()],
                body_text=str(message.body),
                body_html=html,
            )
        return len(email_messages)
