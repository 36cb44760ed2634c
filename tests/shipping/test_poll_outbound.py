"""Issue 15, the poller for the parcels the shop sends: a label bought through an aggregator that sends no
webhooks (``TOUCHPOINT_CARRIER_POLL``) for the kit out or the device home is polled from its dispatch at
the scan station, and the carrier's word moves the case. Every polled parcel stops being asked about
when the carrier's word is final, when its case has ended, or when nothing was heard for three weeks.
The aggregators are a real HTTP server on loopback answering with recorded responses
(tests/shipping/recorded/); no webhook secret is set, so only the poller can hear the carrier.
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from tests.portal.story import acted, repair_at
from tests.shipping import test_poll
from tests.shipping.test_labels_bought import dispatch_kit, tracked_48
from tests.shipping.test_labels_outbound import dispatch
from tests.shipping.test_poll import TRACKERS, Clock
from tests.support.carrier_api_server import CarrierApi, configure_labels, nth_number
from tests.support.smtp import SinkHandler
from touchpoint.cases.models import TimelineEntry
from touchpoint.shipping.models import Leg, Shipment
from touchpoint.shipping.poll import POLL_GIVE_UP_AFTER

pytestmark = pytest.mark.django_db
api, sink = test_poll.api, test_poll.sink  # its fixtures: the loopback aggregators, the SMTP sink


def polled_shop(provider: str, api: CarrierApi, settings: Any) -> Clock:
    """The shop buys its labels through ``provider``, which sends no webhooks (no secret set): it is polled."""
    configure_labels(settings, api, labels=provider, poll=[provider])
    tracked_48(provider)
    return Clock()


@pytest.mark.parametrize("provider", ["easypost", "shippo"])
def test_the_kits_bought_label_is_polled_from_its_dispatch_and_its_delivery_moves_the_case(
    provider: str, api: CarrierApi, sink: SinkHandler, settings: Any
) -> None:
    # Given a prepaid-box repair whose kit label was bought through a polled aggregator
    clock = polled_shop(provider, api, settings)
    customer = repair_at("box_to_send")
    clock.work(0)
    kit_number = nth_number(2)  # the prepaid label in the kit was bought first
    kit = Shipment.objects.get(case=customer.case, leg=Leg.BOX)
    assert (kit.tracking_number, kit.next_poll_at) == (kit_number, None)  # not polled while packed

    # When the shipping team dispatches it on that label at the scan station
    dispatch_kit(customer)
    # Then it is due to be polled an hour on
    kit.refresh_from_db()
    assert kit.next_poll_at is not None
    assert kit.next_poll_at - kit.created_at == timedelta(hours=1)

    # When the hour comes and the aggregator says the carrier delivered it
    api.tracked = kit_number
    api.tracker = TRACKERS[provider].format("delivered")
    clock.work(61)
    # Then the case moves on by the carrier's word, and polling stops
    assert api.tracker_gets(kit_number) == 1
    assert customer.case.state == "awaiting_device"
    assert TimelineEntry.objects.get(case=customer.case, event="box_delivered").actor_kind == "carrier"
    kit.refresh_from_db()
    assert (kit.status, kit.next_poll_at) == ("delivered", None)
    clock.work(24 * 60)
    assert api.tracker_gets(kit_number) == 1


def test_the_label_home_stops_being_polled_once_its_case_has_ended(
    api: CarrierApi, sink: SinkHandler, settings: Any
) -> None:
    # Given the label home, bought through a polled Shippo, left at the scan station and polled in transit
    clock = polled_shop("shippo", api, settings)
    customer = repair_at("return_to_pack")
    clock.work(0)
    assert dispatch(customer.case.reference).status_code == 302
    assert customer.case.state == "return_in_post"
    number = nth_number(1)
    api.tracker = "track_in_transit"
    clock.work(61)
    assert api.tracker_gets(number) == 1
    home = Shipment.objects.get(case=customer.case, leg=Leg.RETURN)
    assert (home.status, home.next_poll_at is not None) == ("in_transit", True)

    # When the customer says it arrived and rates the repair: the case ends
    acted(customer, "return_delivered")
    feedback = {"csat": "5", "comment": "", "display_name": "Maya", "town": "Bristol", "version": customer.case.version}
    sent = customer.client.post(reverse("portal:feedback_send", args=[customer.token]), feedback)
    assert sent.status_code in (302, 303)
    assert customer.case.closed_at is not None

    # Then the parcel is never asked about again, though the carrier hasn't said it was delivered
    clock.work(3 * 60)
    clock.work(24 * 60)
    assert api.tracker_gets(number) == 1
    home.refresh_from_db()
    assert (home.status, home.next_poll_at) == ("in_transit", None)


def test_a_parcel_nothing_was_heard_of_for_three_weeks_is_polled_no_more(
    api: CarrierApi, sink: SinkHandler, settings: Any
) -> None:
    # Given the kit dispatched on its label bought through a polled EasyPost, and the carrier silent
    clock = polled_shop("easypost", api, settings)
    customer = repair_at("box_to_send")
    clock.work(0)
    dispatch_kit(customer)
    kit_number = nth_number(2)
    clock.work(61)
    assert api.tracker_gets(kit_number) == 1  # asked, answered with no scan
    kit = Shipment.objects.get(case=customer.case, leg=Leg.BOX)
    assert kit.next_poll_at is not None and kit.status in ("", "unknown")

    # When the worker next runs after three weeks of silence
    clock.work(POLL_GIVE_UP_AFTER.total_seconds() / 60 + 62)
    # Then it isn't asked about again (the watchdog and the journey's wait limit had a person on it)
    assert api.tracker_gets(kit_number) == 1
    kit.refresh_from_db()
    assert kit.next_poll_at is None
