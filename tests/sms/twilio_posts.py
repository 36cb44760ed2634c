"""Posts as Twilio makes them: form fields, signed with the account's auth token over the URL it
called (the shop's public address) and the fields (twilio's own ``RequestValidator``)."""

from __future__ import annotations

from itertools import count
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from twilio.request_validator import RequestValidator

TOKEN = "twilio-auth-token-0123456789abcdef"
SHOP_NUMBER = "+447700900000"
STATUS_PATH = "/hooks/sms/twilio/status"
INBOUND_PATH = "/hooks/sms/twilio/inbound"
_sids = count(1)


def new_sid(prefix: str = "SM") -> str:
    return f"{prefix}{next(_sids):032x}"


def signature(path: str, fields: dict[str, str], *, token: str | None = None, url: str | None = None) -> str:
    """As Twilio signs: with the auth token the shop has set (``token``: another one, a forger's)."""
    token = settings.TWILIO_AUTH_TOKEN if token is None else token
    return str(RequestValidator(token).compute_signature(url or f"{settings.TOUCHPOINT_PUBLIC_URL}{path}", fields))


def twilio_post(
    path: str,
    fields: dict[str, str],
    *,
    signed: str | None = None,
    headers: dict[str, str] | None = None,
    token: str | None = None,
) -> Any:
    given = {"X-Twilio-Signature": signature(path, fields, token=token) if signed is None else signed}
    return Client().post(
        path,
        data=urlencode(fields),
        content_type="application/x-www-form-urlencoded",
        headers={**given, **(headers or {})},
    )


def text_from(number: str, body: str, *, sid: str | None = None, **extra: str) -> Any:
    """The customer at ``number`` texts ``body`` to the shop's number."""
    fields = {
        "MessageSid": sid or new_sid(),
        "SmsSid": sid or "",
        "AccountSid": "AC" + "0" * 32,
        "From": number,
        "To": SHOP_NUMBER,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "ApiVersion": "2010-04-01",
        **extra,
    }
    fields["SmsSid"] = fields["MessageSid"]
    return twilio_post(INBOUND_PATH, fields)


def receipt(sid: str, status: str, *, error_code: str = "", to: str = "+447700900123") -> Any:
    """Twilio reports what became of the text ``sid``."""
    fields = {
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "AccountSid": "AC" + "0" * 32,
        "From": SHOP_NUMBER,
        "To": to,
        "ApiVersion": "2010-04-01",
    }
    if error_code:
        fields["ErrorCode"] = error_code
    return twilio_post(STATUS_PATH, fields)


@pytest.fixture
def twilio_account(settings: Any) -> None:
    """The shop's Twilio account, as docs/sms.md has it set (no server: nothing is sent here)."""
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_FROM_NUMBER = SHOP_NUMBER
