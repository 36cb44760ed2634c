"""Email through Django's email framework: SMTP by default, any EMAIL_BACKEND (e.g. anymail) works.

With Django's own SMTP backend the channel writes the MIME bytes itself (:func:`mime_bytes`) and
hands them to the backend's open ``smtplib`` session: Django's ``EmailMessage.message()`` builds
every header through the ``email`` package's header registry, about 3.7 ms a message (267
messages/s before a byte is sent); the stdlib's older compat32 classes take 0.7 ms, still most of
a message's cost. The bytes here (folded headers, quoted-printable UTF-8 parts) take a tenth of
that. Any other backend (anymail, the dev mailbox) gets an ``EmailMultiAlternatives`` as usual.
"""

from __future__ import annotations

import contextlib
import secrets
import smtplib
from email.header import Header
from email.quoprimime import body_encode
from email.utils import formataddr, formatdate, parseaddr
from functools import lru_cache
from types import TracebackType
from typing import Any, Self

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import InterfaceError, OperationalError

from touchpoint.outbox.attachments import Attachment, AttachmentNotReady, attachments_make
from touchpoint.outbox.channels.base import PermanentFailure, TemporaryFailure
from touchpoint.outbox.models import OutboxMessage
from touchpoint.shop.selectors import shop_from_email

AUTOMATED_HEADERS = {"Auto-Submitted": "auto-generated"}  # RFC 3834, on every message, notices included
MAX_LINE = 78  # fold headers here (RFC 5322 2.1.1); 998 is the hard limit


def _fold(name: str, value: str) -> str | None:
    """``Name: value`` folded at spaces to lines of at most 78 characters; non-ASCII values as
    RFC 2047 encoded words. None for a value that can't be a header (a line break, a word past 998)."""
    if "\n" in value or "\r" in value:
        return None
    if not value.isascii():
        return f"{name}: " + Header(value, "utf-8", header_name=name).encode(linesep="\r\n")
    line, lines = f"{name}:", []
    for word in value.split(" "):
        if len(line) + 1 + len(word) > MAX_LINE and line.strip() and line != f"{name}:":
            lines.append(line)
            line = ""
        line += " " + word
    lines.append(line)
    return None if any(len(one) > 998 for one in lines) else "\r\n".join(lines)


@lru_cache(maxsize=4096)
def _address(value: str) -> str | None:
    """``Name <addr>`` with the name encoded if need be; None when the address itself isn't ASCII."""
    name, addr = parseaddr(value)
    if not addr or not addr.isascii() or "\n" in value or "\r" in value:
        return None
    return formataddr((name, addr), charset="utf-8") if name else addr


@lru_cache(maxsize=64)
def _envelope(from_email: str) -> str:
    return parseaddr(from_email)[1]


def _text_part(body: str, subtype: str, *, closing: str = "\r\n") -> str:
    """One text part; ``closing`` is the line end that belongs to the next boundary (RFC 2046 5.1.1)."""
    octets = body.replace("\r\n", "\n").encode("utf-8").decode("latin-1")  # quoprimime works on octets
    encoded = body_encode(octets, maxlinelen=76, eol="\r\n")
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: quoted-printable\r\n\r\n{encoded}{closing}"
    )


def mime_bytes(message: OutboxMessage, from_email: str) -> tuple[str, bytes] | None:
    """(envelope sender, the message as SMTP-ready bytes: CRLF line ends, quoted-printable UTF-8
    parts, folded headers), or None when it needs Django's path (a non-ASCII address: Django's
    backend IDNA-encodes domains; a header value no header can hold)."""
    sender, recipient = _address(from_email), _address(message.recipient)
    if sender is None or recipient is None:
        return None
    headers = {
        "From": sender,
        "To": recipient,
        "Subject": message.subject,
        "Date": formatdate(localtime=settings.EMAIL_USE_LOCALTIME),
        **AUTOMATED_HEADERS,
        **message.headers,
        "MIME-Version": "1.0",
    }
    lines = [_fold(name, str(value)) for name, value in headers.items()]
    if any(line is None for line in lines):
        return None
    head = "\r\n".join(line for line in lines if line is not None)
    if message.body_html:
        boundary = f"=_tp_{secrets.token_hex(12)}"
        body = (
            f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
            f"--{boundary}\r\n{_text_part(message.body_text, 'plain')}"
            f"--{boundary}\r\n{_text_part(message.body_html, 'html')}"
            f"--{boundary}--\r\n"
        )
    else:
        body = _text_part(message.body_text, "plain", closing="")
    return _envelope(from_email), f"{head}\r\n{body}".encode("ascii")


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
        files = self._attachments(message)
        self._ensure_open()
        # Files need multipart/mixed: Django's path builds it (they are few, the time goes on the PDF).
        fast = (
            mime_bytes(message, shop_from_email()) if isinstance(self.connection, SMTPBackend) and not files else None
        )
        try:
            if fast is not None and self.connection.connection is not None:
                sender, data = fast
                self.connection.connection.sendmail(sender, [message.recipient], data)
            else:
                self.connection.send_messages([self._django_message(message, files)])
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

    @staticmethod
    def _attachments(message: OutboxMessage) -> list[Attachment]:
        if not message.attachments:
            return []
        try:
            return attachments_make(message=message)
        except (OperationalError, InterfaceError):
            raise  # the database, not the file: the worker reconnects and tries again
        except AttachmentNotReady as exc:
            raise TemporaryFailure(f"attachment {message.attachments} not ready: {exc}") from exc
        except Exception as exc:  # a file we can't make won't appear by retrying: a person decides
            raise PermanentFailure(
                f"could not make attachment {message.attachments}: {type(exc).__name__}: {exc}"
            ) from exc

    def _django_message(self, message: OutboxMessage, files: list[Attachment] | None = None) -> EmailMultiAlternatives:
        mail = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            from_email=shop_from_email(),
            to=[message.recipient],
            headers={**AUTOMATED_HEADERS, **message.headers},
        )
        if message.body_html:
            mail.attach_alternative(message.body_html, "text/html")
        for file in files or []:
            mail.attach(file.filename, file.content, file.mimetype)
        return mail

    def _reset(self) -> None:
        """After an error the SMTP session may be unusable; the next send reconnects."""
        if self.connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):  # broken either way; next send reopens
                self.connection.close()
