"""Shippo tracking webhooks (``track_updated``).

Signature: Shippo's HMAC option, documented at https://docs.goshippo.com/docs/tracking/webhooksecurity
(section "HMAC Security"; it is switched on per account by Shippo): the header
``Shippo-Auth-Signature: t=<unix seconds>,v1=<hex>``, where ``<hex>`` is HMAC-SHA256 of
``"<t>." + raw body`` with the secret Shippo shares, the same shape as Stripe's. A timestamp more than
five minutes from our clock is refused, so a captured request can't be replayed later. Shippo's other
two options (an IP allowlist, a token in the URL) prove less and are not accepted here.

The event carries the Track in ``data`` with its ``tracking_history``; each entry is one update, its
``object_id`` the event's id. Statuses: ``tracking_status.status`` and its ``substatus.code``
(https://docs.goshippo.com/docs/tracking/tracking#tracking-status)."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from typing import Any

from touchpoint.shipping.carriers.base import (
    MAX_WORDS,
    CarrierUpdate,
    digest,
    items,
    load_json,
    maybe_moment,
    moment,
    obj,
    place,
    text,
    tracking,
)
from touchpoint.shipping.carriers.signing import header, same

NAME = "shippo"
SIGNATURE_HEADER = "Shippo-Auth-Signature"
MAX_SKEW_SECONDS = 300
_PARTS = re.compile(r"^t=([0-9]{1,12}),v1=([0-9a-fA-F]{64})$")

STATUS_MAP: dict[str, str] = {
    "PRE_TRANSIT": "pre_transit",
    "TRANSIT": "in_transit",
    "DELIVERED": "delivered",
    "RETURNED": "return_to_sender",
    "FAILURE": "exception",
    "UNKNOWN": "unknown",
}
# Substatus codes that say more than their status (Shippo's published list).
SUBSTATUS_MAP: dict[str, str] = {
    "out_for_delivery": "out_for_delivery",
    "pickup_available": "available_for_pickup",
    "delivery_attempted": "attempt_failed",
    "notice_left": "attempt_failed",
    "return_to_sender": "return_to_sender",
    "package_lost": "exception",
    "package_damaged": "exception",
    "package_disposed": "exception",
    "package_undeliverable": "exception",
    "address_issue": "exception",
}


def sign(body: bytes, secret: str, *, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    mac = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {SIGNATURE_HEADER: f"t={stamp},v1={mac}"}


def verify(headers: Mapping[str, str], body: bytes, secret: str, *, now: float | None = None) -> bool:
    given = header(headers, SIGNATURE_HEADER)
    if not secret or not given:
        return False
    found = _PARTS.match(given.strip().replace(" ", ""))
    if found is None:
        return False
    stamp = int(found.group(1))
    if abs((time.time() if now is None else now) - stamp) > MAX_SKEW_SECONDS:
        return False
    return same(sign(body, secret, timestamp=stamp)[SIGNATURE_HEADER], given.strip().replace(" ", "").lower())


def canonical(status: str, substatus: str = "") -> str:
    known = STATUS_MAP.get(status.upper(), "unknown")
    if known == "delivered":  # a substatus never takes a delivery back
        return known
    return SUBSTATUS_MAP.get(substatus) or known


def _location(value: Any, where: str) -> str:
    if value is None:
        return ""
    found = obj(value, where)
    return place(*(text(found.get(key), f"{where}.{key}") for key in ("city", "state", "zip", "country")))


def _update(entry: dict[str, Any], where: str, number: str, common: dict[str, Any]) -> CarrierUpdate:
    status = text(entry.get("status"), f"{where}.status", required=True, limit=40).upper()
    substatus_obj = entry.get("substatus")
    code = (
        text(obj(substatus_obj, f"{where}.substatus").get("code"), f"{where}.substatus.code", limit=60)
        if (substatus_obj is not None)
        else ""
    )
    at = moment(entry.get("status_date"), f"{where}.status_date")
    words = text(entry.get("status_details"), f"{where}.status_details", limit=MAX_WORDS)
    location = _location(entry.get("location"), f"{where}.location")
    event_id = text(entry.get("object_id"), f"{where}.object_id", limit=100) or digest(
        NAME, number, at.isoformat(), status, code, words, location
    )
    return CarrierUpdate(
        status=canonical(status, code),
        status_code=f"{status}/{code}" if code else status,
        description=words,
        location=location,
        occurred_at=at,
        event_id=event_id,
        raw=entry,
        **common,
    )


def parse(body: bytes) -> list[CarrierUpdate]:
    data = load_json(body)
    if text(data.get("event"), "event", required=True) != "track_updated":
        return []  # transaction and batch events share the webhook: they say nothing of a parcel's travel
    track = obj(data.get("data"), "data")
    number = tracking(track.get("tracking_number"), "data.tracking_number")
    link = text(track.get("tracking_url_provider"), "data.tracking_url_provider", limit=500)
    level = track.get("servicelevel")
    common: dict[str, Any] = {
        "tracking_number": number,
        "carrier": text(track.get("carrier"), "data.carrier", limit=60),
        "tracking_url": link if link.startswith("https://") else "",
        "expected_by": maybe_moment(track.get("eta"), "data.eta"),
        "service_level": text(obj(level, "data.servicelevel").get("name"), "data.servicelevel.name", limit=60)
        if level is not None
        else "",
    }
    history = items(track.get("tracking_history"), "data.tracking_history")
    updates = [_update(entry, f"data.tracking_history[{i}]", number, common) for i, entry in enumerate(history)]
    if not updates and track.get("tracking_status") is not None:
        updates.append(
            _update(obj(track["tracking_status"], "data.tracking_status"), "data.tracking_status", number, common)
        )
    return updates
