"""What the SMS channel asks of a provider, and what it answers.

A provider raises the outbox's own failures, so the worker treats a text as it treats an email:
:class:`~touchpoint.outbox.channels.base.TemporaryFailure` (try again with backoff),
:class:`~touchpoint.outbox.channels.base.PermanentFailure` (dead, a person's task), and
:class:`~touchpoint.outbox.channels.base.RecipientOptedOut` (dead, and the number is never texted again).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from touchpoint.outbox.channels.base import PermanentFailure, RecipientOptedOut, TemporaryFailure

__all__ = ["PermanentFailure", "RecipientOptedOut", "SmsProvider", "SmsSent", "TemporaryFailure"]


@dataclass(frozen=True)
class SmsSent:
    """The provider took the text: its name for it (a Twilio SID: receipts find the message by it)
    and the first delivery status it gave (Twilio: ``queued`` or ``accepted``)."""

    ref: str
    status: str


class SmsProvider(Protocol):
    def send(self, *, to: str, body: str, status_callback: str) -> SmsSent:
        """Hand one text to ``to`` (E.164) to the provider; ``status_callback`` is where it reports delivery."""
        ...
