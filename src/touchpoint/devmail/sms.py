"""A text provider that keeps every text in the dev mailbox (``/dev/mail/``) instead of sending it.

The demo uses it (``TOUCHPOINT_SMS_PROVIDER=touchpoint.devmail.sms.CaptureSmsProvider``, the default
where the dev mailbox is on): a customer who chose texts finds them beside the emails. A text to the
demo's switched-off phone is kept too, but only as sent: the demo's phone network
(:mod:`touchpoint.devmail.phone`) then reports it undelivered to the shop's receipts webhook."""

from __future__ import annotations

import secrets

from django.conf import settings

from touchpoint.devmail.phone import SWITCHED_OFF, UNREACHABLE
from touchpoint.devmail.services import text_capture
from touchpoint.sms.providers.base import SmsSent


class CaptureSmsProvider:
    def send(self, *, to: str, body: str, status_callback: str) -> SmsSent:
        off = to == SWITCHED_OFF
        code, words = UNREACHABLE
        note = [("X-Demo-Phone", f"switched off: the carrier reports this text undelivered ({code} {words})")]
        text_capture(
            from_number=settings.TWILIO_FROM_NUMBER or settings.TOUCHPOINT_SHOP_NAME,
            to=to,
            body=body,
            headers=note if off else [],
        )
        # A made-up SID in Twilio's shape; the mailbox is where the text ends, so it counts as delivered
        return SmsSent(ref=f"SMdev{secrets.token_hex(14)}", status="sent" if off else "delivered")
