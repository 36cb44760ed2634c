"""AfterShip Tracking webhooks.

Signature: ``aftership-hmac-sha256`` is base64(HMAC-SHA256(webhook secret, raw body)), as
https://www.aftership.com/docs/tracking/webhook/webhook-signature says. The event (``tracking_update``)
carries the whole tracking in ``msg`` with every checkpoint so far; each checkpoint is one update.
Statuses are AfterShip's delivery statuses (tags) and sub-statuses (subtags):
https://www.aftership.com/docs/tracking/enum/delivery-statuses and …/enum/delivery-sub-statuses."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from touchpoint.shipping.carriers.base import (
    MAX_WORDS,
    CarrierUpdate,
    Malformed,
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

NAME = "aftership"
SIGNATURE_HEADER = "aftership-hmac-sha256"

# AfterShip's nine tags, in canonical statuses.
STATUS_MAP: dict[str, str] = {
    "Pending": "unknown",
    "InfoReceived": "pre_transit",
    "InTransit": "in_transit",
    "OutForDelivery": "out_for_delivery",
    "AttemptFail": "attempt_failed",
    "Delivered": "delivered",
    "AvailableForPickup": "available_for_pickup",
    "Exception": "exception",
    "Expired": "expired",
}
# Subtags that say more than their tag: the parcel is going, or has gone, back to the sender.
SUBTAG_MAP: dict[str, str] = {
    "Exception_010": "return_to_sender",  # returning to sender
    "Exception_011": "return_to_sender",  # returned to sender
}


def sign(body: bytes, secret: str) -> dict[str, str]:
    mac = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return {SIGNATURE_HEADER: base64.b64encode(mac).decode()}


def verify(headers: Mapping[str, str], body: bytes, secret: str) -> bool:
    given = header(headers, SIGNATURE_HEADER)
    if not secret or not given:
        return False
    return same(sign(body, secret)[SIGNATURE_HEADER], given)


def canonical(tag: str, subtag: str = "") -> str:
    return SUBTAG_MAP.get(subtag) or STATUS_MAP.get(tag, "unknown")


def parse(body: bytes) -> list[CarrierUpdate]:
    data = load_json(body)
    event = text(data.get("event"), "event")
    if event and event != "tracking_update":
        return []  # other notifications (e.g. an estimated delivery change alone) move nothing
    msg = obj(data.get("msg"), "msg")
    number = tracking(msg.get("tracking_number"), "msg.tracking_number")
    slug = text(msg.get("slug"), "msg.slug", limit=60)
    link = text(msg.get("courier_tracking_link"), "msg.courier_tracking_link", limit=500)
    expected = maybe_moment(msg.get("expected_delivery"), "msg.expected_delivery")
    common: dict[str, Any] = {
        "tracking_number": number,
        "carrier": slug,
        "tracking_url": link if link.startswith("https://") else "",
        "expected_by": expected,
        "service_level": text(msg.get("shipment_type"), "msg.shipment_type", limit=60),
    }
    updates = []
    for index, point in enumerate(items(msg.get("checkpoints"), "msg.checkpoints")):
        where = f"msg.checkpoints[{index}]"
        tag = text(point.get("tag"), f"{where}.tag", required=True, limit=40)
        subtag = text(point.get("subtag"), f"{where}.subtag", limit=40)
        at = moment(point.get("checkpoint_time"), f"{where}.checkpoint_time")
        words = text(point.get("message"), f"{where}.message", limit=MAX_WORDS) or text(
            point.get("subtag_message"), f"{where}.subtag_message", limit=MAX_WORDS
        )
        location = text(point.get("location"), f"{where}.location") or place(
            text(point.get("city"), f"{where}.city"),
            text(point.get("state"), f"{where}.state"),
            text(point.get("country_iso3"), f"{where}.country_iso3"),
        )
        updates.append(
            CarrierUpdate(
                status=canonical(tag, subtag),
                status_code=subtag or tag,
                description=words,
                location=location,
                occurred_at=at,
                event_id=digest(NAME, number, at.isoformat(), tag, subtag, words, location),
                raw=point,
                **common,
            )
        )
    if not updates:  # no checkpoint yet: the tracking's own tag is the news
        tag = text(msg.get("tag"), "msg.tag", required=True, limit=40)
        subtag = text(msg.get("subtag"), "msg.subtag", limit=40)
        at = moment(msg.get("updated_at"), "msg.updated_at")
        event_id = text(data.get("event_id"), "event_id", limit=100)
        if not event_id:
            raise Malformed("event_id is missing: a tracking with no checkpoints needs the event's id")
        updates.append(
            CarrierUpdate(
                status=canonical(tag, subtag),
                status_code=subtag or tag,
                description=text(msg.get("subtag_message"), "msg.subtag_message", limit=MAX_WORDS),
                location="",
                occurred_at=at,
                event_id=digest(NAME, number, event_id),
                raw={key: msg.get(key) for key in ("tag", "subtag", "subtag_message", "updated_at")},
                **common,
            )
        )
    return updates
