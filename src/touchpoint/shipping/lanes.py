"""What the shop's own parcels say about each lane: how long they take and how often they arrive on
time, late or not at all. Read by the watchdog (how long a parcel may go quiet), intake and insights.

A **lane** is (carrier, service level, origin area), the origin area being the sender's postcode area
(:func:`postcode_area`). For the kit going out and the device going home the shop is the sender (the
shop's address in its settings); for the device coming in, the customer (the address given with the
order). A parcel's lane is written on it when it leaves (:func:`lane_stamp`).

Per lane, over its newest :data:`MAX_SAMPLES` finished parcels:

- **transit**: delivered − the carrier's first scan with the parcel in hand (else the dispatch), in
  hours; p50 and p90 are nearest-rank percentiles (a time some parcel really took);
- **on time** / **late**: delivered by / after the carrier's expected date (a date without a time
  means by the end of that day); a delivery with no expected date is neither;
- **lost**: not delivered and given up on: sent back to the sender, no longer tracked by the
  carrier, or silent past the watchdog's bound (counted as delivered instead if it turns up).

The worker keeps them (:func:`lane_figures_work`, a job in ``worker/jobs.py``): every
:data:`settings.TOUCHPOINT_LANE_REFRESH_SECONDS` at most, it works out again only the lanes whose
parcels the carrier has finished with since it last looked (found from the tracking events received
since then), so the cost follows the new deliveries, not the shop's age. The watchdog works out a
lane again itself when it gives up on one of its parcels."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q, QuerySet

from touchpoint.cases.models import Case
from touchpoint.core.clock import now
from touchpoint.journeys.carrier import IN_HAND_EXCLUDED
from touchpoint.journeys.simulate import percentile
from touchpoint.shipping.models import LaneFigure, Leg, Shipment, TrackingEvent
from touchpoint.shop.selectors import shop_settings

MAX_SAMPLES = 500
# What ends a parcel's road for the figures: delivered, or given up on by the carrier.
GIVEN_UP = ("return_to_sender", "expired")
FINISHING = ("delivered", *GIVEN_UP)
# The newest events a pass reads are those received since the last pass, less this: an event whose
# transaction committed a little after a later one began is still seen (working a lane out twice is harmless).
LOOKBACK = timedelta(minutes=10)

_UK_AREA = re.compile(r"^([A-Z]{1,2})\d")
_UK_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*\d[A-Z]{2}\b")


@dataclass(frozen=True)
class Lane:
    carrier: str
    service_level: str
    origin_area: str


def postcode_area(postcode: str) -> str:
    """The sender's postcode area, the lane's origin: a UK postcode's leading letters ("SW1A 1AA" →
    "SW", "M1 1AE" → "M"); any other postcode's first two characters ("10115" → "10", a region of
    most countries' codes); blank when there is none."""
    compact = "".join(postcode.split()).upper()
    match = _UK_AREA.match(compact)
    if match:
        return match.group(1)
    return "".join(c for c in compact if c.isalnum())[:2]


def shop_postcode() -> str:
    """The postcode in the shop's address (its settings): the last UK postcode written in it, else
    its last line's last word."""
    lines = shop_settings().address_lines
    for line in reversed(lines):
        found = _UK_POSTCODE.findall(line.upper())
        if found:
            return str(found[-1])
    return lines[-1].split()[-1] if lines and lines[-1].split() else ""


def origin_area(*, case: Case, leg: str) -> str:
    """Where a parcel of ``case``'s ``leg`` starts: the shop for the kit and the device going home,
    the customer (the return address given with the order, else the customer's record) for the
    device coming in."""
    if leg != Leg.INBOUND:
        return postcode_area(shop_postcode())
    given = case.data.get("return_address") if isinstance(case.data, dict) else None
    if isinstance(given, dict) and str(given.get("postcode", "")).strip():
        return postcode_area(str(given["postcode"]))
    return postcode_area(case.customer.postcode)


def lane_stamp(*, shipment: Shipment, case: Case) -> list[str]:
    """Write ``shipment``'s origin area when it has none (not saved: returns the fields changed)."""
    if shipment.origin_area:
        return []
    shipment.origin_area = origin_area(case=case, leg=shipment.leg)[:10]
    return ["origin_area"] if shipment.origin_area else []


def lane_of(shipment: Shipment) -> Lane:
    return Lane(shipment.carrier, shipment.service_level, shipment.origin_area)


def lane_figure(lane: Lane) -> LaneFigure | None:
    """The stored figures of ``lane`` (one query), or None when none of its parcels has finished."""
    return LaneFigure.objects.filter(
        carrier=lane.carrier, service_level=lane.service_level, origin_area=lane.origin_area
    ).first()


@dataclass(frozen=True)
class Sample:
    """One finished parcel, as the figures read it."""

    delivered_at: datetime | None
    started_at: datetime  # the carrier's first scan with it in hand, else when it left
    expected_by: datetime | None
    lost: bool


def on_time(delivered_at: datetime, expected_by: datetime) -> bool:
    """Delivered by the expected moment; a date the carrier gave without a time means by the end of
    that day (the providers send "2026-12-02", read as its midnight)."""
    if (expected_by.hour, expected_by.minute, expected_by.second, expected_by.microsecond) == (0, 0, 0, 0):
        return delivered_at < expected_by + timedelta(days=1)
    return delivered_at <= expected_by


def figures_of(samples: Sequence[Sample]) -> dict[str, float | int | None]:
    """The lane's figures from its finished parcels (pure)."""
    hours = [
        max((s.delivered_at - s.started_at).total_seconds(), 0.0) / 3600 for s in samples if s.delivered_at is not None
    ]
    timed = [on_time(s.delivered_at, s.expected_by) for s in samples if s.delivered_at and s.expected_by]
    return {
        "deliveries": len(hours),
        "p50_hours": percentile(hours, 50) if hours else None,
        "p90_hours": percentile(hours, 90) if hours else None,
        "on_time": sum(timed),
        "late": len(timed) - sum(timed),
        "lost": sum(1 for s in samples if s.lost),
    }


def _finished(lane: Lane) -> Q:
    """A parcel of ``lane`` the carrier is done with: delivered, given up on by the carrier, or
    given up on by the watchdog (it fired, and nothing was heard since: a scan re-arms it)."""
    given_up = Q(status__in=GIVEN_UP) | Q(watchdog_fired_at__isnull=False)
    return Q(carrier=lane.carrier, service_level=lane.service_level, origin_area=lane.origin_area) & (
        Q(delivered_at__isnull=False) | given_up
    )


def lane_rows(lane: Lane) -> QuerySet[Shipment, tuple[Any, ...]]:
    """The newest :data:`MAX_SAMPLES` finished parcels of ``lane``, as the figures read them.

    Newest by id, not by ``created_at`` (the same order: a parcel is recorded when it leaves): the
    ``shipment_lane`` index (carrier, service level, origin area, id) is read backwards, so only the
    lane's own parcels are walked, and the walk stops at the 500th finished one (bench/bench_lanes.py)."""
    newest = (
        Shipment.objects.filter(_finished(lane))
        .exclude(tracking_number="")
        .order_by("-pk")
        .values_list("pk", flat=True)[:MAX_SAMPLES]
    )
    # The first scans are summed over those parcels only: grouped first, the walk couldn't stop early.
    return (
        Shipment.objects.filter(pk__in=newest)
        .annotate(first_scan=Min("events__occurred_at", filter=~Q(events__status__in=IN_HAND_EXCLUDED)))
        .order_by("-pk")
        .values_list("delivered_at", "first_scan", "created_at", "expected_by")
    )


def lane_figure_compute(*, lane: Lane) -> LaneFigure | None:
    """Work out and store ``lane``'s figures from its newest finished parcels (one read, one write);
    None when it has none. Needs no transaction; opens its own for the write."""
    rows = lane_rows(lane)
    samples = [
        Sample(delivered_at, first_scan or created_at, expected_by, delivered_at is None)
        for delivered_at, first_scan, created_at, expected_by in rows
    ]
    if not samples:
        return None
    figures = figures_of(samples)
    with transaction.atomic():
        figure, _ = LaneFigure.objects.update_or_create(
            carrier=lane.carrier,
            service_level=lane.service_level,
            origin_area=lane.origin_area,
            defaults={**figures, "updated_at": now()},
        )
    return figure


def lanes_with_news(*, since: datetime | None) -> list[Lane]:
    """The lanes with a parcel the carrier finished with (an event received since ``since``, or ever)."""
    return [Lane(*row) for row in news_rows(since=since)]


def news_rows(*, since: datetime | None) -> QuerySet[Shipment, tuple[Any, ...]]:
    """The lanes (carrier, service level, origin area) of the parcels finished by events received since ``since``.

    The events received since then are found first (the ``tracking_event_received`` index), then their
    parcels by primary key: a pass costs the events of the last few minutes, not the shop's history
    (bench/bench_lanes.py). Asked as one join, SQLite's planner walked every parcel instead."""
    events = TrackingEvent.objects.filter(status__in=FINISHING)
    if since is not None:
        events = events.filter(received_at__gte=since)
    return (
        Shipment.objects.filter(pk__in=events.values("shipment_id"))
        .values_list("carrier", "service_level", "origin_area")
        .order_by()
        .distinct()
    )


def lane_figures_compute(lanes: Iterable[Lane]) -> int:
    return sum(1 for lane in lanes if lane_figure_compute(lane=lane) is not None)


def lane_figures_work(*, worker_id: str, batch: int, lease_seconds: float) -> int:
    """The worker's job: at most every ``TOUCHPOINT_LANE_REFRESH_SECONDS``, work out again the lanes
    whose parcels the carrier finished with since the last look (the newest figure's ``updated_at``),
    less :data:`LOOKBACK`. Returns how many lanes were worked out (0 between looks, so an idle
    worker sleeps). Two workers looking at once each store what they read: the figures are the same.

    With nothing new, the newest figure's time is moved on, so the next look waits its turn too."""
    at = now()
    newest = LaneFigure.objects.order_by("-updated_at").first()
    if newest is not None and at - newest.updated_at < timedelta(seconds=settings.TOUCHPOINT_LANE_REFRESH_SECONDS):
        return 0
    lanes = lanes_with_news(since=newest.updated_at - LOOKBACK if newest is not None else None)
    if not lanes:
        if newest is not None:
            LaneFigure.objects.filter(pk=newest.pk).update(updated_at=at)
        return 0
    return lane_figures_compute(lanes)


def lane_figures_refresh_all() -> int:
    """Work every lane with a finished parcel out now (the watchdog's losses included)."""
    finished = Q(delivered_at__isnull=False) | Q(status__in=GIVEN_UP) | Q(watchdog_fired_at__isnull=False)
    rows = (
        Shipment.objects.filter(finished)
        .exclude(tracking_number="")
        .values_list("carrier", "service_level", "origin_area")
        .order_by()
        .distinct()
    )
    return lane_figures_compute(Lane(*row) for row in rows)
