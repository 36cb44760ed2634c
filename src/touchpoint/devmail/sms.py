"""A text provider that keeps every text in the dev mailbox (``/dev/mail/``) instead of sending it.

The demo uses it (``TOUCHPOINT_SMS_PROVIDER=touchpoint.devmail.sms.CaptureSmsProvider``, the default
where the dev mailbox is on): a customer who chose texts finds them beside the emails."""

from __future__ import annotations

import secrets

from django.conf import settings

from touchpoint.devmail.services import text_capture
from touchpoint.sms.providers.base import SmsSent


class CaptureSmsProvider:
    def send(self, *, to: str, body: str, status_callback: str) -> SmsSent:
        text_capture(from_number=settings.TWILIO_FROM_NUMBER or settings.TOUCHPOINT_SHOP_NAME, to=to, body=body)
        # A made-up SID in Twilio's shape; the mailbox is where the text ends, so it counts as delivered
        return SmsSent(ref=f"SMdev{secrets.token_hex(14)}", status="delivered")
