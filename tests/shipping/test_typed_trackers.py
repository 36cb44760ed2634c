"""Issue 15's gap: a tracking number typed at the scan station is tracked too. The worker registers it
with the shop's tracking aggregator (AfterShip, EasyPost or Shippo, on loopback with recorded answers:
tests/shipping/recorded/), recording the provider and its id, so the aggregator's webhooks speak for
the parcel and the poller asks about it; once only; a carrier it can't name, a refusal, or an
aggregator that stays down each become a task, and the parcel works as before meanwhile. Parcels made
through the order page and the scan station; the worker's pass; the providers' signed webhooks.
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from tests.portal.story import Customer, acted, crew, repair_at
from tests.support.carrier_api_server import CarrierApi, configure_labels
from tests.support.carriers import TRACKING_NUMBER, deliver, recorded
from touchpoint.cases.models import Task, TimelineEntry
from touchpoint.core.clock import at, now
from touchpoint.shipping.models import Leg, Shipment
from touchpoint.worker.loop import Worker

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("carrier_secrets")]

DEVICE_NUMBER = "RM987654321GB"  # the recorded trackers' parcel: the device posted from Bristol to the shop
REGISTERED = {
    "easypost": {"tracker": {"tracking_code": TRACKING_NUMBER, "carrier": "RoyalMail"}},
    "aftership": {"tracking_number": TRACKING_NUMBER, "slug": "royal-mail"},
    "shippo": {"carrier": "royal_mail", "tracking_number": TRACKING_NUMBER},
}
IDS = {
    "easypost": "trk_7c1e5a9d3b2f4e6a8c0d1f3b5a7e9c2d",
    "aftership": "5b0f3e8a9c1d4f7e8a2b6c4d0e9f1a3b",
    "shippo": f"royal_mail/{TRACKING_NUMBER}",
}


class Clock:
    """The worker at a chosen minute after the test began."""

    def __init__(self) -> None:
        self.start = now()

    def work(self, minutes: float) -> datetime:
        moment = self.start + timedelta(minutes=minutes)
        with at(moment):
            Worker(worker_id="w1").run(until_idle=True)
        return moment


def kit_dispatched(*, carrier: str = "Royal Mail", inbound: str = "") -> Customer:
    """A prepaid-box repair whose kit the shipping team scans out at the station, typing the carrier and
    the kit's tracking number as the receipt shows it (and the return label's, when given)."""
    customer = repair_at("box_to_send")
    staff = Client()
    staff.force_login(crew())
    response = staff.post(
        "/console/scan/",
        {
            "code": customer.case.reference,
            "action": "dispatched",
            "carrier": carrier,
            "tracking_number": "rm 1234 5678 5gb",
            "inbound_tracking_number": inbound,
        },
    )
    assert response.status_code == 302
    assert customer.case.state == "box_in_post"
    return customer


def kit(customer: Customer) -> Shipment:
    return Shipment.objects.get(case=customer.case, leg=Leg.BOX)


def tracker_tasks(customer: Customer) -> list[Task]:
    return list(Task.objects.filter(case=customer.case, source_key__startswith="tracker").order_by("pk"))


@pytest.mark.parametrize("provider", ["aftership", "easypost", "shippo"])
def test_a_typed_number_is_registered_once_and_the_aggregators_webhooks_move_the_case(
    provider: str, api: CarrierApi, settings: Any
) -> None:
    # Given the shop's typed numbers are tracked by the aggregator (its webhooks, no polling)
    configure_labels(settings, api, tracker=provider)
    # When the kit is dispatched at the scan station with a typed number
    customer = kit_dispatched()
    clock = Clock()
    # Then nothing is asked in the web request: the parcel waits for the worker, untracked yet
    assert api.requests == []
    assert kit(customer).provider == ""

    # When the worker runs
    clock.work(0)
    # Then the aggregator was asked to track it, in its own words for the carrier
    [asked] = api.registrations(provider)
    assert {k: v for k, v in (asked.body or {}).items() if k != "metadata"} == REGISTERED[provider]
    if provider == "shippo":
        assert asked.body == {**REGISTERED["shippo"], "metadata": f"{customer.case.reference} box"}
    # And the parcel records who tracks it and the provider's id; not polled (its webhooks speak)
    parcel = kit(customer)
    assert (parcel.provider, parcel.provider_shipment_id, parcel.next_poll_at) == (provider, IDS[provider], None)
    assert (parcel.carrier, parcel.tracking_number) == ("Royal Mail", TRACKING_NUMBER)

    # When the worker runs again, hours later
    clock.work(180)
    # Then it isn't registered a second time
    assert len(api.registrations(provider)) == 1
    assert tracker_tasks(customer) == []

    # When the aggregator's signed webhook says the kit was delivered
    response = deliver(provider, recorded(provider, "delivered"))
    # Then the case moves on by the carrier's word
    assert response.status_code == 200
    assert "recorded" in [u["outcome"] for u in response.json()["updates"]]
    assert customer.case.state == "awaiting_device"
    assert TimelineEntry.objects.get(case=customer.case, event="box_delivered").actor_kind == "carrier"


def test_a_typed_number_of_a_polled_aggregator_is_polled_until_it_arrives(api: CarrierApi, settings: Any) -> None:
    # Given EasyPost tracks typed numbers and is polled (no webhooks)
    configure_labels(settings, api, tracker="easypost", poll=["easypost"])
    # And the kit went out with the return label's number typed too; the customer has the kit
    customer = kit_dispatched(inbound="rm 9876 5432 1gb")
    clock = Clock()
    clock.work(0)
    acted(customer, "box_delivered")
    assert customer.case.state == "awaiting_device"
    # Then both numbers were registered, and the device's parcel is polled from now
    assert sorted(s.body["tracker"]["tracking_code"] for s in api.registrations("easypost") if s.body) == [
        TRACKING_NUMBER,
        DEVICE_NUMBER,
    ]
    device = Shipment.objects.get(case=customer.case, leg=Leg.INBOUND)
    assert device.provider == "easypost"
    assert device.provider_shipment_id.startswith("trk_")

    # When the poll finds the carrier's first scans of the device's parcel
    api.tracker = "trackers_in_transit"
    clock.work(61)
    # Then the carrier's scan posts the device
    assert customer.case.state == "device_in_transit"
    assert TimelineEntry.objects.get(case=customer.case, event="device_posted").actor_kind == "carrier"
    # And its delivery at our door, polled later, brings it to the bench; polling it stops
    api.tracker = "trackers_delivered"
    clock.work(122)
    assert customer.case.state == "resting"
    assert Shipment.objects.get(pk=device.pk).next_poll_at is None
    assert len(api.registrations("easypost")) == 2


def test_a_carrier_the_aggregator_cant_be_told_is_a_task_and_the_parcel_works_as_before(
    api: CarrierApi, settings: Any
) -> None:
    configure_labels(settings, api, tracker="shippo")
    # Given a kit dispatched with a carrier no table knows
    customer = kit_dispatched(carrier="Bob's Vans")
    clock = Clock()
    # When the worker runs, and again later
    clock.work(0)
    clock.work(120)
    # Then the aggregator is never asked, and the shipping team has one task saying why
    assert api.registrations("shippo") == []
    [task] = tracker_tasks(customer)
    assert task.owner == "team:shipping"
    assert task.title == f"Carrier not recognised: “Bob's Vans” for parcel {TRACKING_NUMBER}"
    assert "hasn't been asked to track it" in task.detail
    parcel = kit(customer)
    assert (parcel.provider, parcel.next_poll_at) == ("", None)
    # And the task is on the console's case page
    staff = Client()
    staff.force_login(crew())
    page = staff.get(f"/console/cases/{customer.case.reference}/").content.decode()
    assert "Carrier not recognised" in page
    # And the parcel works as before: a webhook the shop set up by hand still moves the case
    response = deliver("shippo", recorded("shippo", "delivered"))
    assert response.status_code == 200
    assert customer.case.state == "awaiting_device"


def test_a_refused_number_is_a_task_at_once_without_retries(api: CarrierApi, settings: Any) -> None:
    configure_labels(settings, api, tracker="easypost")
    api.refuse_trackers = True
    customer = kit_dispatched()
    clock = Clock()
    # When the worker asks EasyPost, which refuses the number (its recorded 422)
    clock.work(0)
    clock.work(60)
    # Then it was asked once; a task says what EasyPost answered; the parcel stays untracked
    assert len(api.registrations("easypost")) == 1
    [task] = tracker_tasks(customer)
    assert task.title == f"EasyPost isn't tracking parcel {TRACKING_NUMBER}: registering it failed"
    assert "easypost answered 422" in task.detail
    assert "could not be matched to the carrier given" in task.detail
    assert (kit(customer).provider, kit(customer).next_poll_at) == ("", None)


def test_an_aggregator_that_stays_down_is_tried_four_times_then_a_task(api: CarrierApi, settings: Any) -> None:
    configure_labels(settings, api, tracker="aftership")
    api.fail_next = 1000
    customer = kit_dispatched()
    clock = Clock()
    # When the worker tries at once and again with backoff (30 s, 1 min, 2 min)
    for minutes in (0, 1, 2):
        clock.work(minutes)
    # Then three failures, no task yet, the next try due
    parcel = kit(customer)
    assert parcel.poll_failures == 3
    assert parcel.next_poll_at is not None
    assert tracker_tasks(customer) == []
    # When the fourth fails
    clock.work(5)
    # Then a task, and no more tries
    [task] = tracker_tasks(customer)
    assert "AfterShip isn't tracking parcel" in task.title
    assert "asked 4 times" in task.detail
    assert "aftership answered 503" in task.detail
    asked = len(api.requests)
    clock.work(60 * 24)
    assert len(api.requests) == asked
    assert kit(customer).provider == ""


def test_an_answer_lost_on_the_way_is_found_not_registered_again(api: CarrierApi, settings: Any) -> None:
    configure_labels(settings, api, tracker="aftership")
    customer = kit_dispatched()
    clock = Clock()
    # Given AfterShip makes the tracking but its answer is lost (a 500)
    api.lose_next_register = True
    clock.work(0)
    assert (kit(customer).provider, kit(customer).poll_failures) == ("", 1)
    # When the worker tries again after the backoff
    clock.work(1)
    # Then it finds the tracking by its number and records it, without creating a second one
    assert len(api.registrations("aftership")) == 1
    assert (kit(customer).provider, kit(customer).provider_shipment_id) == ("aftership", IDS["aftership"])
    assert tracker_tasks(customer) == []


def test_with_no_tracker_configured_nothing_is_asked(api: CarrierApi, settings: Any) -> None:
    configure_labels(settings, api)
    customer = kit_dispatched()
    Clock().work(0)
    assert api.requests == []
    assert (kit(customer).provider, kit(customer).next_poll_at) == ("", None)
