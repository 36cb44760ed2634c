"""Text messages through the provider named in ``TOUCHPOINT_SMS_PROVIDER`` (Twilio by default).

The provider is loaded by dotted path, as channels are: the SMS package sits above the outbox
(its receipts and replies read outbox messages), so the outbox never imports it. A text goes to
``message.recipient`` (E.164) with ``body_text``; the provider's SID and first status are
recorded as the message is marked sent, so delivery receipts find it."""

from __future__ import annotations

from functools import cache
from types import TracebackType
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.utils.module_loading import import_string

from touchpoint.core.clock import now
from touchpoint.customers.models import Customer
from touchpoint.outbox.channels.base import PermanentFailure, RecipientOptedOut, Sent
from touchpoint.outbox.models import OutboxMessage
from touchpoint.outbox.texts import sms_opt_out_record

if TYPE_CHECKING:
    from touchpoint.sms.providers.base import SmsProvider

# Where the provider reports delivery (the receipts webhook, api/sms_hooks.py)
STATUS_CALLBACK_PATH = "/hooks/sms/twilio/status"


@cache
def _provider_class(path: str) -> type[SmsProvider]:
    cls: type[SmsProvider] = import_string(path)
    return cls


def status_callback_url(message: OutboxMessage) -> str:
    """Where the provider reports this text's delivery. Our id for the text rides in the address
    (which Twilio signs), so a receipt that comes before we have recorded the provider's id for the
    text still finds it."""
    return f"{settings.TOUCHPOINT_PUBLIC_URL}{STATUS_CALLBACK_PATH}?m={message.pk}"


class SmsChannel:
    def __init__(self) -> None:
        self.provider: SmsProvider | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.provider = None

    def send(self, message: OutboxMessage) -> Sent:
        to = message.recipient
        if not to.startswith("+"):
            raise PermanentFailure(f"{to!r} is not a number in E.164 (+ and the country code): can't text it")
        # A STOP that arrived after the text was written: never text an opted-out number
        if Customer.objects.filter(phone=to, sms_opted_out_at__isnull=False).exists():
            raise PermanentFailure(f"{to} opted out of texts after this one was written: not sent")
        if self.provider is None:  # made at the first text, so a misconfigured provider fails that text only
            self.provider = _provider_class(settings.TOUCHPOINT_SMS_PROVIDER)()
        try:
            sent = self.provider.send(to=to, body=message.body_text, status_callback=status_callback_url(message))
        except RecipientOptedOut as exc:
            sms_opt_out_record(phone=to, at=now(), why=f"the provider refused: {exc}", case=message.case)
            raise
        return Sent(provider_ref=sent.ref, delivery=sent.status)
