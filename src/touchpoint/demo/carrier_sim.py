"""The demo's carrier: a worker job that plays the tracking aggregator for the demo's parcels, posting
signed AfterShip ``tracking_update`` webhooks over HTTP to ``{TOUCHPOINT_PUBLIC_URL}/hooks/carriers/aftership``
on a plausible schedule, so the parcels panels, the journey's carrier moves and the watchdog are seen
working without a real carrier.

Which parcels: every parcel the carrier holds for an open case now (``shipping.selectors.carrier_leg``:
a kit or a device in the post, one being traced, the device's trip in once the kit has arrived), with
a tracking number and not yet delivered. Each one gets its next checkpoint a few minutes (of the clock
the app runs on) after the last one we heard, until its story ends:

- most parcels: pre_transit → in_transit → out_for_delivery → delivered;
- one parcel at a time (the oldest new one, while three or more are held): lost, pre_transit →
  in_transit → exception, then silence;
- another: late, pre_transit → in_transit, then it stops scanning (the watchdog's case).

Nothing is kept here: what a parcel has been told so far is its own history (``TrackingEvent``), whose
raw checkpoints are sent again with each new one, as AfterShip sends a tracking's whole history, so
the endpoint's deduplication keeps each checkpoint once. Only while the demo is on (the demo card
provider) and the AfterShip secret is set (``make run`` sets both)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import structlog
from django.conf import settings

from touchpoint.cases.journeys import journey_of
from touchpoint.core.clock import now
from touchpoint.demopay.jobs import post
from touchpoint.demopay.services import demo_enabled
from touchpoint.shipping.carriers import PROVIDERS
from touchpoint.shipping.models import Leg, Shipment, TrackingEvent
from touchpoint.shipping.selectors import carrier_leg

log = structlog.get_logger("touchpoint.demo.carrier")

PROVIDER = "aftership"
WEBHOOK_PATH = "/hooks/carriers/aftership"
MAX_PER_PASS = 10  # POSTs per pass: each waits on the app, and the worker's lease must outlast them
Fate = Literal["delivered", "late", "lost"]

# Each checkpoint the demo's carrier can send: the canonical status it reads as, and AfterShip's words.
CHECKPOINTS: dict[str, tuple[str, str, str]] = {
    "pre_transit": ("InfoReceived", "InfoReceived_001", "We've received your item's details from the sender"),
    "in_transit": ("InTransit", "InTransit_002", "Item received at the mail centre"),
    "out_for_delivery": ("OutForDelivery", "OutForDelivery_001", "Your item is out for delivery"),
    "delivered": ("Delivered", "Delivered_001", "Delivered and signed for"),
    "exception": ("Exception", "Exception_013", "We're sorry, your item can't be found in our network"),
}
STORIES: dict[Fate, tuple[str, ...]] = {
    "delivered": ("pre_transit", "in_transit", "out_for_delivery", "delivered"),
    "late": ("pre_transit", "in_transit"),
    "lost": ("pre_transit", "in_transit", "exception"),
}
# Where each leg's parcel is seen on its way: the shop's mail centre or the customer's.
PLACES: dict[str, tuple[str, str]] = {
    Leg.BOX: ("Leeds Mail Centre", "Bristol Delivery Office"),
    Leg.INBOUND: ("Bristol Mail Centre", "Leeds Delivery Office"),
    Leg.RETURN: ("Leeds Mail Centre", "Bristol Delivery Office"),
}


def step_after() -> timedelta:
    """How long after the last news the next checkpoint comes (``TOUCHPOINT_DEMO_CARRIER_STEP_SECONDS``)."""
    return timedelta(seconds=float(getattr(settings, "TOUCHPOINT_DEMO_CARRIER_STEP_SECONDS", 90)))


@dataclass(frozen=True)
class Held:
    """A parcel the carrier holds for an open case, with what it has said about it so far."""

    shipment: Shipment
    told: list[TrackingEvent]


def parcels_held() -> list[Held]:
    """The parcels the carrier holds now, oldest first, each with its history from this provider."""
    candidates = (
        Shipment.objects.filter(delivered_at__isnull=True, case__closed_at__isnull=True)
        .exclude(tracking_number="")
        .select_related("case__journey")
        .order_by("created_at", "id")
    )
    held = [s for s in candidates if carrier_leg(journey=journey_of(s.case.journey), state=s.case.state) == s.leg]
    told: dict[int, list[TrackingEvent]] = {s.pk: [] for s in held}
    events = TrackingEvent.objects.filter(shipment__in=held, provider=PROVIDER).order_by("occurred_at", "id")
    for event in events:
        told[event.shipment_id].append(event)
    return [Held(s, told[s.pk]) for s in held]


def fates(held: list[Held]) -> dict[int, Fate]:
    """Each held parcel's story. A parcel's fate is chosen before its first checkpoint and sent with it
    (``demo_fate``, kept in the checkpoint's raw record), so it never changes as other parcels come and
    go. While three or more parcels are held and none is lost (or late), the oldest new one is; so a
    parcel just sent in a near-empty shop always arrives, and the demo always shows one of each."""
    out: dict[int, Fate] = {}
    for parcel in held:
        if parcel.told:
            pinned = parcel.told[0].raw.get("demo_fate") if isinstance(parcel.told[0].raw, dict) else None
            out[parcel.shipment.pk] = pinned if pinned in STORIES else "delivered"
    for parcel in held:
        if parcel.shipment.pk in out:
            continue
        missing: list[Fate] = [f for f in ("lost", "late") if f not in out.values()]
        out[parcel.shipment.pk] = missing[0] if len(held) >= 3 and missing else "delivered"
    return out


def next_checkpoint(held: Held, fate: Fate, *, at: datetime) -> dict[str, Any] | None:
    """The parcel's next checkpoint when one is due by ``at``, else None (not yet, or its story is over).
    Its time is when it fell due, so the same step sent twice is one checkpoint to the endpoint."""
    story = STORIES[fate]
    if len(held.told) >= len(story):
        return None
    last = held.told[-1].received_at if held.told else held.shipment.created_at
    due = last + step_after()
    if due > at:
        return None
    status = story[len(held.told)]
    tag, subtag, words = CHECKPOINTS[status]
    origin, near = PLACES.get(held.shipment.leg, PLACES[Leg.BOX])
    first = {"demo_fate": fate} if not held.told else {}
    return {
        **first,
        "slug": "royal-mail",
        "checkpoint_time": due.isoformat(),
        "tag": tag,
        "subtag": subtag,
        "message": words,
        "location": origin if status in ("pre_transit", "in_transit", "exception") else near,
        "country_iso3": "GBR",
    }


def tracking_update(held: Held, checkpoint: dict[str, Any]) -> bytes:
    """AfterShip's ``tracking_update`` for the parcel: every checkpoint it has sent, then the new one."""
    checkpoints = [event.raw for event in held.told] + [checkpoint]
    shipment = held.shipment
    body = {
        "event": "tracking_update",
        "event_id": str(uuid.uuid4()),
        "msg": {
            "tracking_number": shipment.tracking_number,
            "slug": "royal-mail",
            "tag": checkpoint["tag"],
            "subtag": checkpoint["subtag"],
            "subtag_message": checkpoint["message"],
            "updated_at": checkpoint["checkpoint_time"],
            "shipment_type": shipment.service_level or "Royal Mail Tracked 48",
            "courier_tracking_link": f"https://www.royalmail.com/track-your-item#/tracking-results/{shipment.tracking_number}",
            "checkpoints": checkpoints,
        },
    }
    return json.dumps(body).encode()


def carrier_sim_work(*, worker_id: str, batch: int, lease_seconds: float) -> int:
    """One pass: post the next checkpoint of each held parcel whose next one is due. How many were posted.

    Idle unless the demo is on and the AfterShip secret is set. An answer other than 200 is logged
    and the step is tried again next pass (nothing was kept, so it is still the parcel's next)."""
    secret = str(getattr(settings, "TOUCHPOINT_CARRIER_AFTERSHIP_SECRET", ""))
    if not demo_enabled() or not secret:
        return 0
    held = parcels_held()
    fate = fates(held)
    at, posted = now(), 0
    url = f"{settings.TOUCHPOINT_PUBLIC_URL}{WEBHOOK_PATH}"
    for parcel in held:
        if posted >= min(batch, MAX_PER_PASS):
            break
        checkpoint = next_checkpoint(parcel, fate[parcel.shipment.pk], at=at)
        if checkpoint is None:
            continue
        body = tracking_update(parcel, checkpoint)
        headers = {"Content-Type": "application/json", **PROVIDERS[PROVIDER].sign(body, secret)}
        try:
            status, answer = post(url, body, headers)
        except OSError as exc:  # the web app is starting or gone: the same step next pass
            log.warning("demo carrier: the app is unreachable", url=url, error=str(exc))
            return posted
        posted += 1
        if status != 200:
            log.warning("demo carrier: the webhook refused", status=status, answer=answer[:300])
    return posted
