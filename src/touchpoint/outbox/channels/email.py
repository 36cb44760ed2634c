"""Email through Django's email framework: SMTP by default, any EMAIL_BACKEND (e.g. anymail) works."""

from __future__ import annotations

import contextlib
import smtplib
from types import TracebackType
from typing import Any, Self

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers

from touchpoint.outbox.channels.base import PermanentFailure, TemporaryFailure
from touchpoint.outbox.models import OutboxMessage

AUTOMATED_HEADERS = {"Auto-Submitted": "auto-generated"}  # RFC 3834, on every message, notices included


class EmailChannel:
    def __init__(self) -> None:
        self.connection: Any = None

    def __enter__(self) -> Self:
        self.connection = mailers.default
        return self

    def _ensure_open(self) -> None:
        """One SMTP session for the whole batch; reopened after an error broke it."""
        try:
            self.connection.open()
        except (smtplib.SMTPException, OSError) as exc:
            raise TemporaryFailure(f"can't connect to the mail server: {type(exc).__name__}: {exc}") from exc

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):  # the server hung up first; no matter
                self.connection.close()
            self.connection = None

    def send(self, message: OutboxMessage) -> None:
        mail = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers={**AUTOMATED_HEADERS, **message.headers},
        )
        if message.body_html:
            mail.attach_alternative(message.body_html, "text/html")
        self._ensure_open()
        try:
            self.connection.send_messages([mail])
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if all(400 <= code < 500 for code in codes):
                raise TemporaryFailure(f"recipient deferred: {exc.recipients}") from exc
            raise PermanentFailure(f"recipient refused: {exc.recipients}") from exc
        except smtplib.SMTPResponseException as exc:
            self._reset()
            text = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
            if 500 <= exc.smtp_code < 600:
                raise PermanentFailure(text) from exc
            raise TemporaryFailure(text) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            self._reset()
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc

    def _reset(self) -> None:
        """After an error the SMTP session may be unusable; the next send reconnects."""
        if self.connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):  # broken either way; next send reopens
                self.connection.close()
