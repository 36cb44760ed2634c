"""EasyPost tracker webhooks.

Signature: ``X-Hmac-Signature: hmac-sha256-hex=<hex>``, the hex HMAC-SHA256 of the raw body keyed with
the webhook secret NFKD-normalised and UTF-8 encoded, as EasyPost's client libraries check it
(``validate_webhook``; https://docs.easypost.com/guides/webhooks-guide#hmac-validation). The event
(``tracker.created`` / ``tracker.updated``) carries the Tracker in ``result`` with every
``tracking_details`` entry so far; each is one update. Statuses are the Tracker's published
``status`` values: https://docs.easypost.com/docs/trackers#tracker-object."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
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

NAME = "easypost"
SIGNATURE_HEADER = "X-Hmac-Signature"
PREFIX = "hmac-sha256-hex="
TRACKER_EVENTS = frozenset({"tracker.created", "tracker.updated"})

STATUS_MAP: dict[str, str] = {
    "unknown": "unknown",
    "pre_transit": "pre_transit",
    "in_transit": "in_transit",
    "out_for_delivery": "out_for_delivery",
    "delivered": "delivered",
    "available_for_pickup": "available_for_pickup",
    "return_to_sender": "return_to_sender",
    "failure": "exception",
    "cancelled": "exception",  # the label was voided: the parcel will not travel as booked
    "error": "unknown",  # EasyPost could not read the carrier: nothing is known about the parcel
}
# status_detail values that say more than their status.
DETAIL_MAP: dict[str, str] = {"expired": "expired", "return": "return_to_sender"}


def sign(body: bytes, secret: str) -> dict[str, str]:
    key = unicodedata.normalize("NFKD", secret).encode()
    return {SIGNATURE_HEADER: PREFIX + hmac.new(key, body, hashlib.sha256).hexdigest()}


def verify(headers: Mapping[str, str], body: bytes, secret: str) -> bool:
    given = header(headers, SIGNATURE_HEADER)
    if not secret or not given:
        return False
    return same(sign(body, secret)[SIGNATURE_HEADER], given)


def canonical(status: str, detail: str = "") -> str:
    return DETAIL_MAP.get(detail) or STATUS_MAP.get(status, "unknown")


def _location(value: Any, where: str) -> str:
    if value is None:
        return ""
    found = obj(value, where)
    return place(*(text(found.get(key), f"{where}.{key}") for key in ("city", "state", "zip", "country")))


def parse(body: bytes) -> list[CarrierUpdate]:
    data = load_json(body)
    if text(data.get("description"), "description", required=True) not in TRACKER_EVENTS:
        return []  # batch, shipment and refund events share the webhook: they say nothing of a parcel
    tracker = obj(data.get("result"), "result")
    number = tracking(tracker.get("tracking_code"), "result.tracking_code")
    link = text(tracker.get("public_url"), "result.public_url", limit=500)
    common: dict[str, Any] = {
        "tracking_number": number,
        "carrier": text(tracker.get("carrier"), "result.carrier", limit=60),
        "tracking_url": link if link.startswith("https://") else "",
        "expected_by": maybe_moment(tracker.get("est_delivery_date"), "result.est_delivery_date"),
    }
    updates = []
    for index, detail in enumerate(items(tracker.get("tracking_details"), "result.tracking_details")):
        where = f"result.tracking_details[{index}]"
        status = text(detail.get("status"), f"{where}.status", required=True, limit=40)
        status_detail = text(detail.get("status_detail"), f"{where}.status_detail", limit=60)
        at = moment(detail.get("datetime"), f"{where}.datetime")
        words = text(detail.get("message"), f"{where}.message", limit=MAX_WORDS) or text(
            detail.get("description"), f"{where}.description", limit=MAX_WORDS
        )
        location = _location(detail.get("tracking_location"), f"{where}.tracking_location")
        updates.append(
            CarrierUpdate(
                status=canonical(status, status_detail),
                status_code=f"{status}/{status_detail}" if status_detail else status,
                description=words,
                location=location,
                occurred_at=at,
                event_id=digest(NAME, number, at.isoformat(), status, status_detail, words, location),
                raw=detail,
                **common,
            )
        )
    if not updates:  # a new tracker with no scan yet: its own status is the news
        status = text(tracker.get("status"), "result.status", required=True, limit=40)
        status_detail = text(tracker.get("status_detail"), "result.status_detail", limit=60)
        at = moment(tracker.get("updated_at") or data.get("created_at"), "result.updated_at")
        updates.append(
            CarrierUpdate(
                status=canonical(status, status_detail),
                status_code=f"{status}/{status_detail}" if status_detail else status,
                description="",
                location="",
                occurred_at=at,
                event_id=digest(NAME, number, text(data.get("id"), "id", required=True, limit=100)),
                raw={key: tracker.get(key) for key in ("status", "status_detail", "updated_at")},
                **common,
            )
        )
    return updates
