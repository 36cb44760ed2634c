"""Issue 15, part 3 (the poller): parcels of an aggregator that sends no webhooks are asked about by the
worker. The device's parcel, on a label bought through the aggregator, moves the case from the
recorded tracker answers alone; a poll that finds nothing new changes nothing; a parcel at the door
is asked about sooner, a delivered one never again; an aggregator that keeps failing is a person's
task, and polling heals by itself. A real HTTP server on loopback answers with recorded responses
(tests/shipping/recorded/). SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client, override_settings

from tests.portal.story import Customer, acted, crew, repair_at
from tests.shipping.test_labels_bought import dispatch_kit, tracked_48
from tests.support.carrier_api_server import CarrierApi, carrier_api, configure_labels
from tests.support.smtp import SinkHandler, smtp_mailers, smtp_sink
from touchpoint.cases.models import Case, Task, TimelineEntry
from touchpoint.core.clock import at, now
from touchpoint.shipping.carriers import PROVIDERS
from touchpoint.shipping.models import Leg, Shipment, TrackingEvent
from touchpoint.shipping.postage import tracker_body
from touchpoint.worker.loop import Worker

pytestmark = pytest.mark.django_db
NUMBER = "RM987654321GB"
TRACKERS = {"easypost": "trackers_{}", "shippo": "track_{}"}


@pytest.fixture
def sink() -> Iterator[SinkHandler]:
    with smtp_sink() as (handler, port), override_settings(MAILERS=smtp_mailers(port)):
        yield handler


@pytest.fixture
def api() -> Iterator[CarrierApi]:
    with carrier_api() as server:
        yield server


class Clock:
    """The worker runs at a chosen minute after the test began, as the hours pass."""

    def __init__(self) -> None:
        self.start = now()

    def work(self, minutes: float) -> datetime:
        moment = self.start + timedelta(minutes=minutes)
        with at(moment):
            Worker(worker_id="w1").run(until_idle=True)
        return moment


def device_on_its_way(provider: str, api: CarrierApi, settings: Any) -> tuple[Customer, Clock]:
    """A prepaid-box repair whose label was bought through ``provider`` (polled, no webhooks): the kit
    went out with it, and the customer said on their page that the device is in the post."""
    configure_labels(settings, api, labels=provider, poll=[provider])
    tracked_48(provider)
    clock = Clock()
    customer = repair_at("box_to_send")
    clock.work(0)
    dispatch_kit(customer)
    clock.work(0)
    acted(customer, "box_delivered")
    acted(customer, "device_posted")
    assert customer.case.state == "device_in_transit"
    return customer, clock


def tracker_gets(api: CarrierApi) -> int:
    """Polls of the device's parcel (the kit, dispatched on its bought label, is polled too)."""
    return api.tracker_gets(NUMBER)


def snapshot(case: Case) -> tuple[Any, ...]:
    current = Case.objects.get(pk=case.pk)
    parcel = Shipment.objects.get(case=case, leg=Leg.INBOUND)
    return (
        current.state,
        current.version,
        TimelineEntry.objects.filter(case=case).count(),
        TrackingEvent.objects.filter(shipment=parcel).count(),
        parcel.status,
        parcel.status_at,
    )


@pytest.mark.parametrize("provider", ["easypost", "shippo"])
def test_the_poller_brings_the_device_to_the_bench_from_the_aggregators_answers(
    provider: str, api: CarrierApi, sink: SinkHandler, settings: Any
) -> None:
    customer, clock = device_on_its_way(provider, api, settings)
    case = customer.case
    parcel = Shipment.objects.get(case=case, leg=Leg.INBOUND)
    assert parcel.next_poll_at is not None
    # Before its poll is due nothing is asked
    assert tracker_gets(api) == 0

    # When the hour comes and the aggregator says the parcel is in the post
    api.tracker = TRACKERS[provider].format("in_transit")
    clock.work(61)
    # Then both scans are kept, the carrier has accepted the handoff, and the case waits for the delivery
    assert tracker_gets(api) == 1
    parcel.refresh_from_db()
    assert (parcel.status, parcel.poll_failures) == ("in_transit", 0)
    assert TrackingEvent.objects.filter(shipment=parcel).count() == 2
    assert customer.case.state == "device_in_transit"
    assert TimelineEntry.objects.get(case=case, event="handoff_accepted").actor_kind == "carrier"
    assert "Item received at Bristol Mail Centre" in customer.page()
    # And the next poll is an hour on
    assert parcel.next_poll_at is not None
    assert timedelta(minutes=59) < parcel.next_poll_at - (clock.start + timedelta(minutes=61)) <= timedelta(hours=1)

    # When the next poll finds the same answer
    before = snapshot(case)
    clock.work(122)
    # Then nothing changes
    assert tracker_gets(api) == 2
    assert snapshot(case) == before

    # When the parcel is out for delivery
    api.tracker = TRACKERS[provider].format("out_for_delivery")
    polled = clock.work(183)
    # Then it is asked about again within 20 minutes
    parcel.refresh_from_db()
    assert parcel.status == "out_for_delivery"
    assert parcel.next_poll_at is not None
    assert parcel.next_poll_at - polled <= timedelta(minutes=20)
    assert customer.case.state == "device_in_transit"

    # When the carrier delivers it to the shop
    api.tracker = TRACKERS[provider].format("delivered")
    clock.work(204)
    # Then the case moves on by the carrier's word: the device has arrived, and polling stops
    assert customer.case.state == "resting"
    moved = TimelineEntry.objects.get(case=case, event="device_arrived")
    assert moved.actor_kind == "carrier"
    done = Shipment.objects.get(pk=parcel.pk)
    assert (done.status, done.next_poll_at) == ("delivered", None)
    assert done.delivered_at is not None
    asked = tracker_gets(api)
    clock.work(24 * 60)
    assert tracker_gets(api) == asked
    # And staff see the whole trip in the console
    staff = Client()
    staff.force_login(crew())
    assert "Item delivered and signed for by REPAIRS" in staff.get(f"/console/cases/{case.reference}/").content.decode()


def test_polls_alone_post_the_device_and_bring_it_in(api: CarrierApi, sink: SinkHandler, settings: Any) -> None:
    # Given the kit arrived and the customer hasn't said the device is in the post
    configure_labels(settings, api, labels="shippo", poll=["shippo"])
    tracked_48("shippo")
    clock = Clock()
    customer = repair_at("box_to_send")
    clock.work(0)
    dispatch_kit(customer)
    clock.work(0)
    acted(customer, "box_delivered")
    assert customer.case.state == "awaiting_device"
    # When the poll finds the carrier's first scans of the device's parcel
    api.tracker = "track_in_transit"
    clock.work(61)
    # Then the carrier's scan posts the device
    assert customer.case.state == "device_in_transit"
    assert TimelineEntry.objects.get(case=customer.case, event="device_posted").actor_kind == "carrier"
    # And its delivery at our door, polled later, brings it to the bench
    api.tracker = "track_delivered"
    clock.work(122)
    assert customer.case.state == "resting"


def test_an_aggregator_that_keeps_failing_is_a_persons_task_and_polling_heals_by_itself(
    api: CarrierApi, sink: SinkHandler, settings: Any
) -> None:
    customer, clock = device_on_its_way("shippo", api, settings)
    case = customer.case
    # Given the aggregator answers every request with 503
    api.fail_next = 1000
    # When the poller tries at its due time and again with backoff (30 s, 1, 2, 4, 8 min apart)
    for minutes in (61, 62, 64, 66, 71):
        clock.work(minutes)
    # Then no task yet after five failures
    parcel = Shipment.objects.get(case=case, leg=Leg.INBOUND)
    assert parcel.poll_failures == 5
    assert not Task.objects.filter(case=case, source_key__startswith="poll:").exists()
    # When the sixth fails
    failed_at = clock.work(80)
    # Then the shipping team has a task, and the parcel is asked about again a day later (the kit,
    # dispatched on its bought label and polled since, failed alongside: a task of its own)
    task = Task.objects.get(case=case, source_key=f"poll:{parcel.pk}:{NUMBER}")
    assert task.owner == "team:shipping"
    assert task.title == f"No news from Shippo about parcel {NUMBER}: 6 polls failed"
    assert "shippo answered 503" in task.detail
    parcel.refresh_from_db()
    assert parcel.next_poll_at == failed_at + timedelta(days=1)
    assert customer.case.state == "device_in_transit"

    # When the aggregator is back and the parcel was delivered meanwhile
    api.fail_next = 0
    api.tracker = "track_delivered"
    clock.work(80 + 24 * 60 + 1)
    # Then the next daily poll moves the case on, and the failures are forgotten
    assert customer.case.state == "resting"
    healed = Shipment.objects.get(pk=parcel.pk)
    assert (healed.poll_failures, healed.next_poll_at) == (0, None)
    assert Task.objects.filter(case=case, source_key__startswith=f"poll:{parcel.pk}:").count() == 1


def test_a_provider_not_polled_is_never_asked(api: CarrierApi, sink: SinkHandler, settings: Any) -> None:
    # Given EasyPost buys the labels but sends webhooks (not polled)
    configure_labels(settings, api, labels="easypost", poll=[])
    tracked_48("easypost")
    clock = Clock()
    customer = repair_at("box_to_send")
    clock.work(0)
    assert Shipment.objects.get(case=customer.case, leg=Leg.INBOUND).next_poll_at is None
    api.tracker = "trackers_delivered"
    # When days pass
    clock.work(3 * 24 * 60)
    # Then no tracker was asked for
    assert tracker_gets(api) == 0


def test_aftership_trackings_read_as_its_webhook_reads_them(api: CarrierApi, settings: Any) -> None:
    """AfterShip sells no labels, so no parcel of this product is bought through it yet: this checks its
    adapter's contract alone, that the trackings API's answer is what AfterShip's webhook parser reads."""
    configure_labels(settings, api, labels="", poll=["aftership"])
    api.tracker = "trackings_delivered"
    body = tracker_body("aftership", tracking_number=NUMBER, carrier="royal-mail")
    assert body is not None
    updates = PROVIDERS["aftership"].parse(body)
    assert [(u.status, u.tracking_number) for u in updates] == [
        ("in_transit", NUMBER),
        ("in_transit", NUMBER),
        ("out_for_delivery", NUMBER),
        ("delivered", NUMBER),
    ]
    assert updates[0].tracking_url.startswith("https://www.royalmail.com/")
    # The same answer twice reads as the same events (a replayed poll is a duplicate)
    again = tracker_body("aftership", tracking_number=NUMBER, carrier="royal-mail")
    assert again is not None
    assert [u.event_id for u in PROVIDERS["aftership"].parse(again)] == [u.event_id for u in updates]
    # A parcel AfterShip doesn't know reads as None, not an error
    assert tracker_body("aftership", tracking_number="RM000000000GB", carrier="royal-mail") is None
    [seen] = [s for s in api.requests if s.path == "/tracking/2024-10/trackings"][:1]
    assert seen.provider == "aftership"
    assert json.loads(json.dumps(seen.body)) is None
