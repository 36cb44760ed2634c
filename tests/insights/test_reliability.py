"""Issue 15, part 8: the insights page draws each carrier's reliability per service and lane (on time,
late, lost; transit p50 and p90) from the lane figures the worker kept from real deliveries: parcels
dispatched at the scan station and delivered (or lost) by the carrier's signed webhooks."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.shipping.parcel_story import T0, H, carrier_says, delivered_kit, kit_sent, worker_pass
from tests.support.factories import StaffFactory
from touchpoint.staff.models import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("carrier_secrets")]


def lead() -> Client:
    client = Client()
    client.force_login(StaffFactory(role=Role.LEAD))
    return client


def section(html: str) -> str:
    start = html.index('<section id="carrier_reliability"')
    return html[start : html.index("</section>", start)]


def test_before_any_parcel_finishes_the_chart_says_why_it_is_empty() -> None:
    html = lead().get("/console/insights/").content.decode()
    part = section(html)
    assert ">Carrier reliability</h2>" in part
    assert "No tracked parcel has been delivered or lost yet" in part
    assert "<svg" not in part


def test_the_chart_is_drawn_from_the_shops_own_deliveries(django_assert_num_queries: Any) -> None:
    # Given two kits delivered (one by the carrier's expected day, one the day after) and one lost
    delivered_kit("RM000000031GB", T0, 20, expected="2026-11-03")
    delivered_kit("RM000000032GB", T0 + 2 * H, 40, expected="2026-11-03")
    kit_sent("RM000000033GB", T0 + 4 * H)
    carrier_says("RM000000033GB", [("InTransit", T0 + 5 * H), ("Exception", T0 + 9 * H)])
    # When the worker has worked the lanes out
    worker_pass(T0 + 72 * H)
    client = lead()
    client.get("/console/insights/?days=365")  # the first read works the window's figures out (a small shop)
    # Then the page draws the lane: on time, late and lost, and its transit times, in words
    # 5: the session, the lead, their device, the journeys' titles and the window's stored figures
    # (the lane figures among them, read once when they were worked out, however many lanes)
    with django_assert_num_queries(5):
        html = client.get("/console/insights/?days=365").content.decode()
    part = section(html)
    label = "Royal Mail · Royal Mail Tracked 24 · from BS"
    assert f'<text class="ins-label" x="0" y="16" font-size="13" fill="#1d232b">{label}</text>' in part
    assert "on time 50 % of 2 · 1 late · 1 lost" in part
    assert "<title>1 on time</title>" in part and "<title>1 late</title>" in part and "<title>1 lost</title>" in part
    assert ">20.0h – 40.0h</text>" in part  # p50 bar, p90 whisker
    for heading in ("Carrier", "Service", "From (postcode area)", "Delivered", "On time", "Late", "Lost"):
        assert f'<th scope="col">{heading}</th>' in part
    cells = "".join(f"<td>{cell}</td>" for cell in ("Royal Mail", "Royal Mail Tracked 24", "BS", 2, 1, 1, 1, 50))
    assert cells in part
    # And the figures download as CSV
    csv = client.get("/console/insights/carrier_reliability.csv").content.decode().splitlines()
    assert csv[0] == "carrier,service,from_area,deliveries,on_time,late,lost,on_time_pct,p50_hours,p90_hours"
    assert csv[1] == "Royal Mail,Royal Mail Tracked 24,BS,2,1,1,1,50,20.0,40.0"
