"""What the lane figures' two reads cost with a shop's years of parcels, and which indexes they use
(docs/carriers.md, "Reliability": the cost of the lane scan). Printed, not asserted.

    .venv/bin/pytest -q -s -p no:randomly bench/bench_lanes.py                     # SQLite
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tp_bench .venv/bin/pytest … bench/bench_lanes.py  # PostgreSQL
    BENCH_LANES_PARCELS=200000 …                                                   # more history (default 50,000)

The parcels are bench data, written in bulk (not a test: nothing here goes through the product's
surfaces): one case holding them all, a year of parcels over 60 lanes (4 carriers × 3 services × 5
origin areas), nine in ten delivered, three carrier events each, received in order. Then, timed and
explained: ``lanes_with_news`` as the worker's pass asks it (events received in the last 15 minutes)
and ``lane_figure_compute`` for one lane (its newest 500 finished parcels)."""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the tests' factories


def _explain(queryset: Any) -> str:
    from django.db import connection

    analyse = {"analyze": True} if connection.vendor == "postgresql" else {}
    return str(queryset.explain(**analyse))


def _timed(fn: Any, runs: int = 5) -> str:
    """Best of ``runs``: wall-clock ms and this process's CPU ms (SQLite runs in the process; on a shared,
    loaded machine the CPU figure is the steadier one)."""
    best, best_cpu = float("inf"), float("inf")
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        fn()
        best = min(best, time.perf_counter() - started)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return f"{best * 1000:.1f} ms ({best_cpu * 1000:.1f} ms CPU)"


def test_lane_scan_cost() -> None:
    from django.db import connection
    from tests.support.factories import CustomerFactory

    from touchpoint.cases.actors import SYSTEM
    from touchpoint.cases.journeys import journey_register
    from touchpoint.core.clock import now
    from touchpoint.flows.advance import case_open
    from touchpoint.shipping.lanes import Lane, lane_figure_compute, lane_rows, lanes_with_news, news_rows
    from touchpoint.shipping.models import Shipment, TrackingEvent

    parcels = int(os.environ.get("BENCH_LANES_PARCELS", "50000"))
    source = ROOT / "tests" / "support" / "mini-repair.yaml"
    journey_register(source=source.read_text(), filename=str(source))
    case = case_open(journey="mini-repair", customer=CustomerFactory(), actor=SYSTEM, data={"model": "nano-4g"}).case
    lanes = [
        (carrier, service, area)
        for carrier in ("Royal Mail", "DPD", "Evri", "DHL")
        for service in ("Tracked 24", "Tracked 48", "Next day")
        for area in ("BS", "M", "SW", "LS", "G")
    ]
    end = now()
    start = end - timedelta(days=365)
    step = (end - start) / parcels
    built = time.perf_counter()
    rows = []
    for i in range(parcels):
        carrier, service, area = lanes[i % len(lanes)]
        created = start + i * step
        delivered = created + timedelta(hours=30) if i % 10 and created + timedelta(hours=31) < end else None
        rows.append(
            Shipment(
                case=case,
                leg="box",
                carrier=carrier,
                service_level=service,
                origin_area=area,
                tracking_number=f"RM{i:09d}GB",
                created_at=created,
                delivered_at=delivered,
                status="delivered" if delivered else "in_transit",
                status_at=delivered or created + timedelta(hours=1),
                silent_after=None if delivered else created + timedelta(hours=40),
                watchdog_fired_at=None if delivered else created + timedelta(hours=40),
            )
        )
    Shipment.objects.bulk_create(rows, batch_size=5000)
    shipments = list(Shipment.objects.order_by("pk").values_list("pk", "created_at", "delivered_at"))
    events = []
    for pk, created, delivered in shipments:
        steps = [("in_transit", created + timedelta(hours=1)), ("out_for_delivery", created + timedelta(hours=20))]
        if delivered is not None:
            steps.append(("delivered", delivered))
        for status, when in steps:
            events.append((when + timedelta(minutes=2), pk, status, when))
    events.sort()
    TrackingEvent.objects.bulk_create(
        [
            TrackingEvent(
                shipment_id=pk,
                provider="aftership",
                dedupe_key=f"bench:{pk}:{status}",
                status=status,
                occurred_at=when,
                received_at=received,
            )
            for received, pk, status, when in events
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE shipping_shipment; ANALYZE shipping_trackingevent")
        else:
            cursor.execute("ANALYZE")
    print(
        f"\n{connection.vendor}: {parcels} parcels, {len(events)} events built in {time.perf_counter() - built:.1f} s"
    )

    since = end - timedelta(minutes=15)
    lane = Lane("Royal Mail", "Tracked 48", "BS")
    found = lanes_with_news(since=since)
    took = _timed(lambda: lanes_with_news(since=since))
    print(f"lanes_with_news (last 15 min): {len(found)} lanes, best of 5: {took}")
    print(_explain(news_rows(since=since)))
    print(f"lane_figure_compute (one lane): best of 5: {_timed(lambda: lane_figure_compute(lane=lane))}")
    print(_explain(lane_rows(lane)))


if __name__ == "__main__":  # `make bench` runs each bench_*.py as a script; this one measures in pytest's test database
    if os.environ.get("BENCH_SIZE") == "small":
        os.environ.setdefault("BENCH_LANES_PARCELS", "5000")
    sys.exit(pytest.main(["-q", "-s", "-p", "no:cacheprovider", __file__]))
