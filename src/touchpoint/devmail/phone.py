"""The demo's phone network: what Twilio would post to the shop about the demo's texts, signed as
Twilio signs it (``X-Twilio-Signature``, by twilio's own ``RequestValidator``, with
``TWILIO_AUTH_TOKEN``) and sent over HTTP to ``{TOUCHPOINT_PUBLIC_URL}/hooks/sms/twilio/…``, so the
webhooks that take Twilio's posts in production are the ones the demo exercises:

- **a reply from the customer's phone**, typed under a text in the dev mailbox (STOP, START, HELP or
  any words), goes to ``/hooks/sms/twilio/inbound`` at once (:func:`reply_send`);
- **the switched-off phone**: a text to :data:`SWITCHED_OFF` is captured like any other, but the
  carrier reports it undelivered (Twilio's error 30003) to the text's status callback; the worker
  job :func:`phone_work` posts that receipt, and the shop sends the touch point by email instead.

Nothing is kept here: a text waiting for its receipt is one still marked ``sent`` (the receipt moves
it on), so a receipt that can't be posted (the web app not up yet) is simply posted on a later pass,
for a day. Only while texts are captured in the dev mailbox and ``TWILIO_AUTH_TOKEN`` is set
(``make run`` sets both)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

import structlog
from django.conf import settings
from twilio.request_validator import RequestValidator

from touchpoint.core.clock import now
from touchpoint.demopay.jobs import post
from touchpoint.outbox.channels.sms import STATUS_CALLBACK_PATH, status_callback_url
from touchpoint.outbox.models import MessageStatus, OutboxMessage

log = structlog.get_logger("touchpoint.devmail.phone")

INBOUND_PATH = "/hooks/sms/twilio/inbound"
CAPTURE = "touchpoint.devmail.sms.CaptureSmsProvider"
# One demo customer's phone is switched off: every text to it comes back undelivered (Ofcom's drama range).
SWITCHED_OFF = "+447700900999"
UNREACHABLE = ("30003", "Unreachable destination handset")  # Twilio's error for a phone that is off
API_VERSION = "2010-04-01"
MAX_PER_PASS = 10  # POSTs per pass: each waits on the app, and the worker's lease must outlast them
RECEIPT_WINDOW = timedelta(days=1)  # a text still unreported after this is left as sent
# Texts whose receipt the shop refused (a token set differently, say): not posted again by this process,
# whose log says why, so a misconfigured demo doesn't post the same receipt every second for a day.
_refused: set[int] = set()


@dataclass(frozen=True)
class Posted:
    """What the shop's webhook answered: its HTTP status and the start of its answer."""

    url: str
    status: int
    answer: str

    @property
    def taken(self) -> bool:
        return 200 <= self.status < 300


def phone_on() -> bool:
    """Texts are captured in the dev mailbox and the webhooks can check a signature."""
    return bool(
        settings.TOUCHPOINT_DEV_MAILBOX and settings.TOUCHPOINT_SMS_PROVIDER == CAPTURE and settings.TWILIO_AUTH_TOKEN
    )


def account_sid() -> str:
    return settings.TWILIO_ACCOUNT_SID or "AC" + "0" * 32  # Twilio's shape; the webhooks don't check it


def new_sid(prefix: str = "SM") -> str:
    return prefix + secrets.token_hex(16)


def twilio_post(url: str, fields: dict[str, str]) -> Posted:
    """POST ``fields`` form-encoded to ``url``, signed as Twilio signs it. Raises OSError when unreachable."""
    signature = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(url, fields)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signature,
        "User-Agent": "TwilioProxy/1.1 (the demo's stand-in for Twilio)",
    }
    status, answer = post(url, urlencode(fields).encode("utf-8"), headers)
    return Posted(url=url, status=status, answer=answer)


def reply_send(*, sender: str, to: str, body: str) -> tuple[str, Posted]:
    """The customer's phone at ``sender`` texts ``body`` to the shop's number ``to``, as Twilio's
    "A message comes in" webhook posts it. The text's SID and the shop's answer. Raises OSError."""
    sid = new_sid()
    fields = {
        "ToCountry": "GB",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "SmsSid": sid,
        "SmsStatus": "received",
        "Body": body,
        "To": to,
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": account_sid(),
        "From": sender,
        "FromCountry": "GB",
        "ApiVersion": API_VERSION,
    }
    return sid, twilio_post(f"{settings.TOUCHPOINT_PUBLIC_URL}{INBOUND_PATH}", fields)


def undelivered_texts(*, limit: int) -> list[OutboxMessage]:
    """Texts to the switched-off phone the carrier hasn't reported on yet."""
    return list(
        OutboxMessage.objects.filter(
            channel="sms",
            recipient=SWITCHED_OFF,
            status=MessageStatus.SENT,
            delivery="sent",
            sent_at__gte=now() - RECEIPT_WINDOW,
        )
        .exclude(provider_ref="")
        .exclude(pk__in=_refused)
        .order_by("sent_at", "id")[:limit]
    )


def receipt_post(message: OutboxMessage) -> Posted:
    """The carrier's word on a text to the switched-off phone: undelivered, error 30003."""
    code, _ = UNREACHABLE
    fields = {
        "SmsSid": message.provider_ref,
        "SmsStatus": "undelivered",
        "MessageStatus": "undelivered",
        "To": message.recipient,
        "MessageSid": message.provider_ref,
        "AccountSid": account_sid(),
        "From": settings.TWILIO_FROM_NUMBER or settings.TOUCHPOINT_SHOP_NAME,
        "ApiVersion": API_VERSION,
        "ErrorCode": code,
    }
    return twilio_post(status_callback_url(message), fields)


def phone_work(*, worker_id: str, batch: int, lease_seconds: float) -> int:
    """One pass: post the receipts due for the switched-off phone. How many were posted."""
    if not phone_on():
        return 0
    worked = 0
    for message in undelivered_texts(limit=min(batch, MAX_PER_PASS)):
        try:
            posted = receipt_post(message)
        except OSError as exc:  # the web app isn't answering (yet): the text is still "sent", so next pass
            log.warning("devmail.phone.unreachable", message=message.pk, path=STATUS_CALLBACK_PATH, error=str(exc))
            break
        worked += 1
        if posted.taken:
            log.info("devmail.phone.receipt", message=message.pk, status=posted.status)
        else:
            _refused.add(message.pk)
            log.error("devmail.phone.refused", message=message.pk, status=posted.status, answer=posted.answer[:500])
    return worked
