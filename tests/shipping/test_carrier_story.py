"""Issue 15, parts 1-3 and 7: a prepaid-box repair ordered on the order page, its kit dispatched at
the scan station with a tracking number, then moved only by the carrier's signed webhooks: progress
shown, the delivery moves the case on; replayed, reordered, forged and malformed deliveries change
nothing. Run on SQLite and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.portal.story import _REPAIR, Customer, crew
from tests.support.carriers import TRACKING_NUMBER, deliver, recorded, recorded_json, signed
from tests.support.carriers import dispatched as dispatch_at_scan_station
from touchpoint.cases.models import Case, TimelineEntry, Timer, TimerStatus
from touchpoint.shipping.models import Shipment, TrackingEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("carrier_secrets")]


def dispatched() -> Customer:
    """The kit goes out: the shipping team scans it at the station with the carrier's tracking number."""
    customer = dispatch_at_scan_station()
    assert customer.case.state == "box_in_post"
    return customer


def snapshot(case: Case) -> tuple[Any, ...]:
    now = Case.objects.get(pk=case.pk)
    shipment = Shipment.objects.get(case=case)
    return (
        now.state,
        now.version,
        TimelineEntry.objects.filter(case=case).count(),
        TrackingEvent.objects.count(),
        shipment.status,
        shipment.status_at,
        shipment.delivered_at,
    )


def console_page(case: Case) -> str:
    staff = Client()
    staff.force_login(crew())
    response = staff.get(f"/console/cases/{case.reference}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("provider", ["aftership", "easypost", "shippo"])
def test_the_kit_goes_from_label_to_delivered_driven_only_by_the_carriers_webhooks(provider: str) -> None:
    # Given a prepaid-box repair whose kit was dispatched with a tracking number
    customer = dispatched()
    case = customer.case
    deadline = Timer.objects.get(case=case, purpose="accept", status=TimerStatus.PENDING)
    assert "No news from the carrier yet" in customer.page()

    # When the carrier says the kit is on its way
    response = deliver(provider, recorded(provider, "in_transit"))

    # Then it is kept as progress: the case stays, the handoff is accepted by the carrier's scan
    assert response.status_code == 200
    updates = response.json()["updates"]
    assert [(u["status"], u["outcome"], u["moved_by"]) for u in updates] == [
        ("pre_transit", "recorded", None),
        ("in_transit", "recorded", None),
    ]
    assert [u["accepted"] for u in updates] == [False, True]
    assert customer.case.state == "box_in_post"
    assert Timer.objects.get(pk=deadline.pk).status == TimerStatus.CANCELLED
    accepted = TimelineEntry.objects.get(case=case, event="handoff_accepted")
    assert accepted.actor_kind == "carrier"
    shipment = Shipment.objects.get(case=case)
    assert (shipment.tracking_number, shipment.status) == (TRACKING_NUMBER, "in_transit")
    assert shipment.tracking_url.startswith("https://")
    # And the customer and staff see it in the carrier's words, with the carrier's own link
    page = customer.page()
    assert "Your repair kit: On its way" in page
    assert "Item received at Leeds Mail Centre" in page
    assert f'href="{shipment.tracking_url}"' in page
    staff_page = console_page(case)
    assert "Item received at Leeds Mail Centre" in staff_page
    assert f'href="{shipment.tracking_url}"' in staff_page

    # When the same delivery comes again (the provider retries)
    before = snapshot(case)
    again = deliver(provider, recorded(provider, "in_transit"))
    # Then nothing changes
    assert again.status_code == 200
    assert {u["outcome"] for u in again.json()["updates"]} == {"duplicate"}
    assert snapshot(case) == before

    # When a forged delivery says it was delivered (signed with the wrong secret)
    body = recorded(provider, "delivered")
    forged = deliver(provider, body, signed(provider, body, secret="not-the-shops-secret"))
    unsigned = deliver(provider, body, {})
    # Then both are refused and nothing changes
    assert (forged.status_code, unsigned.status_code) == (401, 401)
    assert "signature is missing or does not match" in forged.json()["error"]
    assert snapshot(case) == before

    # When a signed body isn't a tracking event at all
    garbage = deliver(provider, b'{"msg": [1, 2', None)
    wrong_types = deliver(provider, json.dumps({"event": 7, "msg": "x", "data": [], "description": {}}).encode())
    assert (garbage.status_code, wrong_types.status_code) == (400, 400)
    assert snapshot(case) == before

    # When the carrier delivers the kit
    delivered = deliver(provider, body)
    # Then the case moves on to the journey's next state, by the carrier
    assert delivered.status_code == 200
    assert [u["moved_by"] for u in delivered.json()["updates"] if u["moved_by"]] == ["box_delivered"]
    assert customer.case.state == "awaiting_device"
    moved = TimelineEntry.objects.filter(case=case, event="box_delivered").get()
    assert moved.actor_kind == "carrier"
    shipment.refresh_from_db()
    assert shipment.status == "delivered"
    assert shipment.delivered_at is not None
    assert "Your repair kit: Delivered" in customer.page()


def test_a_late_in_transit_after_delivered_is_kept_but_never_moves_the_case_back() -> None:
    customer = dispatched()
    case = customer.case
    assert deliver("aftership", recorded("aftership", "delivered")).status_code == 200
    assert customer.case.state == "awaiting_device"
    delivered_at = Shipment.objects.get(case=case).delivered_at
    state, version = customer.case.state, customer.case.version

    # When an arrival scan from before the delivery arrives after it
    late = deliver("aftership", recorded("aftership", "late_in_transit"))

    # Then it joins the history, in its place, and nothing moves back
    assert late.status_code == 200
    assert [u["outcome"] for u in late.json()["updates"]] == ["duplicate", "duplicate", "recorded"]
    shipment = Shipment.objects.get(case=case)
    assert (shipment.status, shipment.delivered_at) == ("delivered", delivered_at)
    assert (customer.case.state, customer.case.version) == (state, version)
    assert "Item arrived at Bristol Mail Centre" in customer.page()


def test_reordered_deliveries_end_where_the_carrier_says_whatever_order_they_come_in() -> None:
    # Given the delivery arrives before the in-transit event
    customer = dispatched()
    assert deliver("easypost", recorded("easypost", "delivered")).status_code == 200
    assert customer.case.state == "awaiting_device"
    version = customer.case.version
    # When the in-transit event comes after it
    late = deliver("easypost", recorded("easypost", "in_transit"))
    # Then it is known already (the same checkpoints), and nothing moves
    assert {u["outcome"] for u in late.json()["updates"]} == {"duplicate"}
    assert (customer.case.state, customer.case.version) == ("awaiting_device", version)


def test_the_carriers_bad_news_puts_a_person_on_the_parcel() -> None:
    # Given the kit is in the post
    customer = dispatched()
    # When the carrier says it is going back to the sender
    response = deliver("aftership", recorded("aftership", "returned_to_sender"))
    # Then the journey's exception path takes it: the shipping team traces the kit
    assert response.status_code == 200
    assert [u["moved_by"] for u in response.json()["updates"] if u["moved_by"]] == ["box_not_delivered"]
    assert customer.case.state == "box_lost"
    assert Shipment.objects.get(case=customer.case).status == "return_to_sender"
    assert "Going back to the sender" in customer.page()


def test_a_lost_parcel_reported_through_shippo_moves_the_case_to_tracing() -> None:
    customer = dispatched()
    response = deliver("shippo", recorded("shippo", "lost"))
    assert response.status_code == 200
    assert customer.case.state == "box_lost"
    assert "lost in the network" in customer.page()


def test_home_again_by_the_return_parcels_events_while_the_kits_late_news_moves_nothing() -> None:
    # Given the kit was delivered by the carrier's webhook, and the repair carried on to packing
    customer = dispatched()
    assert deliver("shippo", recorded("shippo", "delivered")).status_code == 200
    while customer.case.state != "return_to_pack":
        _REPAIR[customer.case.state](customer)
    # And the device went home with its own tracking number
    staff = Client()
    staff.force_login(crew())
    home = "RM555666777GB"
    scanned = staff.post(
        "/console/scan/",
        {"code": customer.case.reference, "action": "dispatched", "carrier": "Royal Mail", "tracking_number": home},
    )
    assert scanned.status_code == 302
    assert customer.case.state == "return_in_post"
    version = customer.case.version

    # When the kit's carrier sends one more delivery scan for the kit (a late signature record)
    late = recorded_json("shippo", "delivered")
    late["data"]["tracking_history"].append(
        {
            **late["data"]["tracking_status"],
            "object_id": "f0e1d2c3b4a54968778695a4b3c2d1e0",
            "status_date": "2026-12-05T09:00:00Z",
        }
    )
    response = deliver("shippo", json.dumps(late).encode())
    # Then it is kept with the kit, and the device's journey home doesn't move
    assert [u["outcome"] for u in response.json()["updates"]][-1] == "recorded"
    assert (customer.case.state, customer.case.version) == ("return_in_post", version)

    # When the device's own parcel is delivered
    body = recorded("aftership", "delivered").replace(TRACKING_NUMBER.encode(), home.encode())
    delivered = deliver("aftership", body)
    # Then the device is home, by the carrier's word
    assert [u["moved_by"] for u in delivered.json()["updates"] if u["moved_by"]] == ["return_delivered"]
    assert customer.case.state == "feedback_asked"
    assert customer.case.data["at_home"] is True
    page = customer.page()
    assert "Your device, on its way home: Delivered" in page
    assert "Your repair kit: Delivered" in page
