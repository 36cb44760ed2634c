from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self

from touchpoint.outbox.models import OutboxMessage


class TemporaryFailure(Exception):
    """Worth trying again later (a 4xx SMTP reply, a dropped connection, a timeout)."""


class PermanentFailure(Exception):
    """Trying again won't help (a 5xx SMTP reply, an address that doesn't exist)."""


class RecipientOptedOut(PermanentFailure):
    """The recipient told the provider to stop (Twilio 21610): dead, and never sent to again."""


@dataclass(frozen=True)
class Sent:
    """What a channel learnt sending: the provider's name for the message (so its delivery receipts
    find it) and the first delivery status it gave. Email learns nothing (``send`` returns None)."""

    provider_ref: str = ""
    delivery: str = ""


class Channel(Protocol):
    """Opened once per batch (so one SMTP connection carries many messages), then ``send`` each."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def send(self, message: OutboxMessage) -> Sent | None:
        """Deliver one message or raise TemporaryFailure / PermanentFailure."""
