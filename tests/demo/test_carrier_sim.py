"""The demo's carrier (issue 15 part 9): the worker job posts signed AfterShip webhooks for the demo's
parcels on a schedule, through the real webhook endpoint (Django's test client stands in for HTTP;
``test_carrier_sim_run.py`` goes over a real socket): most parcels are delivered, the oldest is lost
(an exception, then silence) and the second oldest goes late (it stops scanning)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from tests.portal.story import Customer
from tests.support.carriers import configure, deliver
from tests.support.carriers import dispatched as kit_dispatched
from touchpoint.core import clock
from touchpoint.core.clock import now
from touchpoint.demo import carrier_sim
from touchpoint.demo.carrier_sim import carrier_sim_work
from touchpoint.shipping.models import Shipment, TrackingEvent

pytestmark = pytest.mark.django_db

STEP = 60


@pytest.fixture(autouse=True)
def demo_on(settings: Any, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """The demo's settings (the demo card provider, the carriers' secrets, a minute a step), and the
    job's HTTP POST answered by the app itself through the test client."""
    configure(settings)
    settings.TOUCHPOINT_PAYMENT_PROVIDERS = ["offline", "demo"]
    settings.TOUCHPOINT_DEMO_CARRIER_STEP_SECONDS = STEP
    settings.TOUCHPOINT_PUBLIC_URL = "http://testserver"
    posted: list[tuple[str, int]] = []

    def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        response = Client().post(urlsplit(url).path, data=body, content_type="application/json", headers=headers)
        posted.append((urlsplit(url).path, response.status_code))
        return response.status_code, response.content.decode()

    monkeypatch.setattr(carrier_sim, "post", post)
    return posted


def work() -> int:
    return carrier_sim_work(worker_id="test", batch=20, lease_seconds=60)


def minutes_later(start: Any, minutes: float) -> Any:
    return clock.at(start + timedelta(minutes=minutes))


def statuses(customer: Customer) -> list[str]:
    return list(
        TrackingEvent.objects.filter(shipment__case=customer.case)
        .order_by("occurred_at")
        .values_list("status", flat=True)
    )


def test_a_kit_is_scanned_minute_by_minute_until_delivered_and_the_case_moves_on(
    demo_on: list[tuple[str, int]],
) -> None:
    start = now()
    with clock.at(start):
        customer = kit_dispatched(tracking_number="RM100000001GB")
        assert work() == 0  # nothing due yet: the carrier hasn't had the parcel a minute
    for minute, expected in enumerate(["pre_transit", "in_transit", "out_for_delivery", "delivered"], start=1):
        with minutes_later(start, minute * 1.01):
            assert work() == 1
            assert statuses(customer)[-1] == expected
    # Each was a signed POST to the AfterShip webhook the app took
    assert demo_on == [("/hooks/carriers/aftership", 200)] * 4
    assert customer.case.state == "awaiting_device"
    assert "Your repair kit: Delivered" in customer.page()
    assert "Delivered and signed for" in customer.page()
    # And once delivered, the carrier says no more
    with minutes_later(start, 30):
        assert work() == 0
    assert len(statuses(customer)) == 4


def test_with_three_parcels_held_the_oldest_is_lost_the_next_goes_late_and_the_newest_arrives() -> None:
    start = now()
    with clock.at(start):
        lost = kit_dispatched(tracking_number="RM100000002GB")
    with clock.at(start + timedelta(seconds=1)):
        late = kit_dispatched(tracking_number="RM100000003GB")
    with clock.at(start + timedelta(seconds=2)):
        arrives = kit_dispatched(tracking_number="RM100000004GB")
    for minute in range(1, 8):
        with minutes_later(start, minute * 1.02):
            work()
    # The lost one: an exception, which the journey sends to a person tracing it, then silence
    assert statuses(lost) == ["pre_transit", "in_transit", "exception"]
    assert lost.case.state == "box_lost"
    assert "be found in our network" in lost.page()
    # The late one: in the post, then no more scans (the watchdog's to notice)
    assert statuses(late) == ["pre_transit", "in_transit"]
    assert late.case.state == "box_in_post"
    assert Shipment.objects.get(case=late.case).status == "in_transit"
    # The rest are delivered
    assert statuses(arrives) == ["pre_transit", "in_transit", "out_for_delivery", "delivered"]
    assert arrives.case.state == "awaiting_device"


def test_a_step_sent_twice_is_kept_once(demo_on: list[tuple[str, int]]) -> None:
    start = now()
    with clock.at(start):
        customer = kit_dispatched(tracking_number="RM100000005GB")
        (held,) = carrier_sim.parcels_held()
    with minutes_later(start, 1.01):
        # Two workers' passes at once build the same step: its time is when it fell due, not when sent
        checkpoint = carrier_sim.next_checkpoint(held, "delivered", at=now())
        assert checkpoint is not None
        body = carrier_sim.tracking_update(held, checkpoint)
        again = carrier_sim.tracking_update(held, carrier_sim.next_checkpoint(held, "delivered", at=now()) or {})
        for sent in (body, again):
            assert deliver("aftership", sent).status_code == 200
        # And the next pass has nothing new to say this minute
        assert work() == 0
    assert statuses(customer) == ["pre_transit"]


def test_the_carrier_is_idle_unless_the_demo_is_on(settings: Any) -> None:
    start = now()
    with clock.at(start):
        kit_dispatched(tracking_number="RM100000006GB")
    settings.TOUCHPOINT_PAYMENT_PROVIDERS = ["offline"]
    with minutes_later(start, 5):
        assert work() == 0
    settings.TOUCHPOINT_PAYMENT_PROVIDERS = ["offline", "demo"]
    settings.TOUCHPOINT_CARRIER_AFTERSHIP_SECRET = ""
    with minutes_later(start, 5):
        assert work() == 0
    assert TrackingEvent.objects.count() == 0
