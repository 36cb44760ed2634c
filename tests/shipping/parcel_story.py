"""Parcels with a history, made as they are made in life: a prepaid-box repair ordered on the order
page, its kit dispatched at the scan station, then the carrier's signed AfterShip webhooks at the
times the carrier scanned it; the worker's pass run at a moment of the test's choosing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.portal.story import Customer
from tests.support.carriers import deliver, dispatched, recorded_json
from touchpoint.core.clock import at
from touchpoint.shipping.models import Shipment
from touchpoint.worker.loop import Worker

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday morning
SERVICE = "Royal Mail Tracked 24"
H = timedelta(hours=1)

# (tag, where, words) for each kind of scan the tests send
SCANS = {
    "InTransit": ("Leeds Mail Centre", "Item received at Leeds Mail Centre"),
    "Delivered": ("Bristol Delivery Office", "Delivered and signed for"),
    "Exception": ("Leeds Mail Centre", "Item damaged in transit"),
}


def aftership(number: str, scans: list[tuple[str, datetime]], *, expected: str | None = None) -> bytes:
    """AfterShip's ``tracking_update`` (its recorded shape, tests/support/carriers/aftership) for
    parcel ``number`` with ``scans`` (tag, when) as its checkpoints."""
    data: dict[str, Any] = recorded_json("aftership", "in_transit")
    msg = data["msg"]
    template = msg["checkpoints"][-1]
    msg.update(tracking_number=number, title=number, shipment_type=SERVICE, expected_delivery=expected)
    msg["checkpoints"] = [
        {
            **template,
            "tag": tag,
            "subtag": f"{tag}_001",
            "message": SCANS[tag][1],
            "location": SCANS[tag][0],
            "checkpoint_time": when.isoformat(),
            "created_at": when.isoformat(),
        }
        for tag, when in scans
    ]
    return json.dumps(data).encode()


def carrier_says(number: str, scans: list[tuple[str, datetime]], *, expected: str | None = None) -> None:
    """The carrier's webhook with ``scans`` so far, delivered when the newest happened."""
    with at(max(when for _, when in scans) + timedelta(minutes=2)):
        response = deliver("aftership", aftership(number, scans, expected=expected))
    assert response.status_code == 200, response.content


def kit_sent(number: str, when: datetime) -> Customer:
    """A prepaid-box repair ordered and its kit dispatched at the scan station at ``when``."""
    with at(when):
        customer: Customer = dispatched(tracking_number=number)
    return customer


def delivered_kit(number: str, sent: datetime, transit_hours: float, *, expected: str | None = None) -> Customer:
    """A kit that left at ``sent``, was first scanned an hour later and delivered ``transit_hours`` after that."""
    customer = kit_sent(number, sent)
    first = sent + H
    carrier_says(number, [("InTransit", first)])
    carrier_says(number, [("InTransit", first), ("Delivered", first + transit_hours * H)], expected=expected)
    return customer


def worker_pass(moment: datetime) -> None:
    """The worker, at ``moment``, until it finds nothing more to do."""
    with at(moment):
        Worker(worker_id="test-worker").run(until_idle=True)


def shipment(number: str) -> Shipment:
    return Shipment.objects.get(tracking_number=number)
