"""Lane figures (issue 15, part 6): what a lane is, and the worker keeping its figures as parcels are
delivered (only lanes with news, at most every few minutes), from kits dispatched at the scan station
and delivered by the carrier's signed webhooks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.shipping.parcel_story import SERVICE, T0, H, carrier_says, delivered_kit, kit_sent, shipment, worker_pass
from tests.support.carriers import configure
from touchpoint.shipping.lanes import on_time, postcode_area
from touchpoint.shipping.models import LaneFigure


@pytest.mark.parametrize(
    ("postcode", "area"),
    [
        ("SW1A 1AA", "SW"),
        ("sw1a1aa", "SW"),
        ("M1 1AE", "M"),
        ("EH12 9DN", "EH"),
        ("BS1 4QT", "BS"),
        ("10115", "10"),
        ("", ""),
    ],
)
def test_the_origin_area_is_the_postcodes_area(postcode: str, area: str) -> None:
    assert postcode_area(postcode) == area


def test_a_date_without_a_time_means_by_the_end_of_that_day() -> None:
    day = datetime(2026, 11, 3, tzinfo=UTC)
    assert on_time(datetime(2026, 11, 3, 23, 59, tzinfo=UTC), day)
    assert not on_time(datetime(2026, 11, 4, 0, 0, tzinfo=UTC), day)
    moment = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
    assert on_time(moment, moment)
    assert not on_time(datetime(2026, 11, 3, 12, 1, tzinfo=UTC), moment)


@pytest.mark.django_db
def test_the_worker_works_a_lane_out_again_when_its_parcels_are_delivered(settings: Any) -> None:
    configure(settings)
    # Given a kit delivered 20 hours after its first scan
    delivered_kit("RM000000041GB", T0, 20)
    assert shipment("RM000000041GB").origin_area == "BS"  # the shop's postcode, BS1 4QT
    # When the worker looks: the lane is worked out from it
    worker_pass(T0 + 30 * H)
    lane = LaneFigure.objects.get()
    assert (lane.carrier, lane.service_level, lane.origin_area, lane.deliveries, lane.p90_hours) == (
        "Royal Mail",
        SERVICE,
        "BS",
        1,
        20.0,
    )
    # Given a second kit on its way, and the worker looking again just before it is delivered (no news)
    sent, first = T0 + 31 * H, T0 + 32 * H
    kit_sent("RM000000042GB", sent)
    carrier_says("RM000000042GB", [("InTransit", first)])
    worker_pass(first + 30 * H - H / 60)
    # When it is delivered 30 hours after its first scan (the webhook comes two minutes later)
    carrier_says("RM000000042GB", [("InTransit", first), ("Delivered", first + 30 * H)])
    # Then a pass within five minutes of the last look reads nothing again yet
    worker_pass(first + 30 * H + 3 * H / 60)
    assert LaneFigure.objects.get().deliveries == 1
    # And the next pass after that works the lane out with both
    worker_pass(first + 30 * H + 5 * H / 60)
    lane = LaneFigure.objects.get()
    assert (lane.deliveries, lane.p50_hours, lane.p90_hours) == (2, 20.0, 30.0)
