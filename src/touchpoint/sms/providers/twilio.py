"""Twilio's Messages API through the official ``twilio`` library.

One ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` per text, with ``StatusCallback`` set
so Twilio reports delivery to our receipts webhook. Twilio's answers are sorted as the outbox needs
(https://www.twilio.com/docs/api/errors): 21610 (the recipient sent STOP) → the number opted out;
429 (too many requests), a 5xx or no answer at all → try again later; anything else it refuses
(21211 an invalid number, 21408 a region not enabled, 20003 bad credentials…) → permanent.
"""

from __future__ import annotations

from django.conf import settings
from requests import RequestException
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from touchpoint.sms.providers.base import PermanentFailure, RecipientOptedOut, SmsSent, TemporaryFailure

UNSUBSCRIBED = 21610  # "Attempt to send to unsubscribed recipient"


def failure_of(exc: TwilioRestException) -> PermanentFailure | TemporaryFailure:
    """The outbox's failure for an error answer from Twilio."""
    text = f"Twilio {exc.status} (error {exc.code}): {exc.msg}"
    if exc.code == UNSUBSCRIBED:
        return RecipientOptedOut(text)
    if exc.status == 429 or exc.status >= 500:
        return TemporaryFailure(text)
    return PermanentFailure(text)


class TwilioProvider:
    def __init__(self) -> None:
        sid, token = settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN
        if not sid or not token:
            raise PermanentFailure("Twilio isn't configured: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
        if not settings.TWILIO_FROM_NUMBER and not settings.TWILIO_MESSAGING_SERVICE_SID:
            raise PermanentFailure("Twilio has no sender: set TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
        # No retries inside the library: the outbox retries with backoff, and a lease is not held for long
        self.client = Client(sid, token, http_client=TwilioHttpClient(timeout=settings.TWILIO_TIMEOUT, max_retries=0))
        if settings.TWILIO_API_BASE_URL:
            self.client.api.base_url = settings.TWILIO_API_BASE_URL

    def send(self, *, to: str, body: str, status_callback: str) -> SmsSent:
        sender: dict[str, str] = (
            {"messaging_service_sid": settings.TWILIO_MESSAGING_SERVICE_SID}
            if settings.TWILIO_MESSAGING_SERVICE_SID
            else {"from_": settings.TWILIO_FROM_NUMBER}
        )
        try:
            message = self.client.messages.create(to=to, body=body, status_callback=status_callback, **sender)
        except TwilioRestException as exc:
            raise failure_of(exc) from exc
        except (RequestException, OSError) as exc:  # no answer: it may come back
            raise TemporaryFailure(f"can't reach Twilio: {type(exc).__name__}: {exc}") from exc
        except TwilioException as exc:  # an answer the library couldn't read (not JSON): Twilio's side
            raise TemporaryFailure(f"Twilio: {exc}") from exc
        return SmsSent(ref=message.sid or "", status=str(message.status or ""))
