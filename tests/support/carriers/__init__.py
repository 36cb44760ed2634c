"""Recorded carrier webhooks (one folder per provider, each with a README saying where its shape
comes from), and how the tests sign and send them as the provider would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.test import Client

from touchpoint.shipping.carriers import PROVIDERS

HERE = Path(__file__).parent
TRACKING_NUMBER = "RM123456785GB"
SECRETS = {
    "aftership": "as-webhook-secret-0123456789",
    "easypost": "ep-webhook-secret-ﬁ-0123456789",  # a ligature: the NFKD-normalised key differs from the raw one
    "shippo": "shippo-hmac-secret-0123456789",
}


def recorded(provider: str, name: str) -> bytes:
    return (HERE / provider / f"{name}.json").read_bytes()


def recorded_json(provider: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(recorded(provider, name))
    return data


def signed(provider: str, body: bytes, secret: str | None = None) -> dict[str, str]:
    """The headers ``provider`` sends with ``body``, signed with its secret as it signs them."""
    headers: dict[str, str] = PROVIDERS[provider].sign(body, SECRETS[provider] if secret is None else secret)
    return headers


def deliver(provider: str, body: bytes, headers: dict[str, str] | None = None) -> Any:
    """POST ``body`` to the provider's webhook, signed correctly unless ``headers`` are given."""
    sent = signed(provider, body) if headers is None else headers
    return Client().post(f"/hooks/carriers/{provider}", data=body, content_type="application/json", headers=sent)


def dispatched(*, state: str = "box_to_send", tracking_number: str = "rm 1234 5678 5gb") -> Any:
    """A prepaid-box repair ordered on the order page and walked to ``state`` (the box or the device
    ready to go), then dispatched at the scan station with the carrier's tracking number, typed as it
    reads on the receipt. Returns the customer (``tests.portal.story.Customer``)."""
    from tests.portal.story import crew, repair_at

    customer = repair_at(state)
    staff = Client()
    staff.force_login(crew())
    response = staff.post(
        "/console/scan/",
        {
            "code": customer.case.reference,
            "action": "dispatched",
            "carrier": "Royal Mail",
            "tracking_number": tracking_number,
        },
    )
    assert response.status_code == 302
    return customer


def configure(settings: Any) -> None:
    for provider, secret in SECRETS.items():
        setattr(settings, f"TOUCHPOINT_CARRIER_{provider.upper()}_SECRET", secret)
