"""What reached the customer's inbox: the emails the worker sent (through Django's mail backend, as
the demo's dev mailbox receives them), matched to the outbox rows they came from, with their links."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core import mail

from tests.support.pages import Page
from touchpoint.outbox.models import OutboxMessage

_URL = re.compile(r"https?://[^\s<>\"')\]]+")


@dataclass(frozen=True)
class Received:
    """One email as the customer has it."""

    to: tuple[str, ...]
    subject: str
    text: str
    html: str
    headers: dict[str, str]
    row: OutboxMessage | None  # the outbox row it was sent from (matched by Message-ID)
    links: tuple[str, ...] = field(default=())

    @property
    def touchpoint(self) -> str:
        return self.row.touchpoint if self.row is not None else ""

    @property
    def tone(self) -> str:
        return self.row.tone if self.row is not None else ""

    @property
    def reply_to(self) -> str:
        return self.headers.get("Reply-To", "")

    def describe(self) -> str:
        what = f"{self.touchpoint or 'not a touch point'}, {self.tone or 'no tone'}"
        return f"“{self.subject}” ({what}) to {', '.join(self.to)}"


def _links(text: str, html: str) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for url in _URL.findall(text):
        found[url.rstrip(".,;:!?")] = None
    if html:
        for href, _ in Page.parse(html).links():
            if href.startswith(("http://", "https://")):
                found[href] = None
    return tuple(found)


class Mailbox:
    """The emails sent since the walk began; ``new()`` gives those not read yet."""

    def __init__(self) -> None:
        self.read = len(mail.outbox)

    def new(self) -> list[Received]:
        fresh = mail.outbox[self.read :]
        self.read = len(mail.outbox)
        return [self._received(message) for message in fresh]

    @staticmethod
    def _received(message: Any) -> Received:
        html = next((str(content) for content, kind in getattr(message, "alternatives", []) if kind == "text/html"), "")
        headers = {str(k): str(v) for k, v in (message.extra_headers or {}).items()}
        row = None
        message_id = headers.get("Message-ID", "")
        if message_id:
            row = next(
                (
                    r
                    for r in OutboxMessage.objects.filter(recipient__in=message.to).order_by("-id")[:50]
                    if (r.headers or {}).get("Message-ID") == message_id
                ),
                None,
            )
        return Received(
            to=tuple(message.to),
            subject=str(message.subject),
            text=str(message.body),
            html=html,
            headers=headers,
            row=row,
            links=_links(str(message.body), html),
        )
