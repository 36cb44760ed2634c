"""Parcels in the admin: found by tracking number, filtered by whether they have been delivered."""

from __future__ import annotations

from typing import Any

import pytest

from tests.quotes.repair import crew, customer_says, pay_offline, walk_to
from tests.support.factories import CustomerFactory
from tests.support.orders import place_repair_order
from touchpoint.cases.models import Case
from touchpoint.shipping.models import Shipment
from touchpoint.shipping.services import scan_record

pytestmark = pytest.mark.django_db


def dispatch(case: Case, tracking_number: str) -> Case:
    """Shipping scans the parcel out at the scan station, with the carrier's tracking number."""
    result = scan_record(
        code=case.reference, action="dispatched", user=crew(), carrier="DPD", tracking_number=tracking_number
    )
    assert result.outcome == "recorded", result.message
    return Case.objects.get(pk=case.pk)


def test_parcels_are_found_by_tracking_number_and_filtered_by_delivery(admin_client: Any) -> None:
    # Given a prepaid-box repair whose kit went out and whose device went home, each parcel scanned out
    case = dispatch(pay_offline(place_repair_order(CustomerFactory(), prepaid_box=True)), "dpd 111")
    case = walk_to(customer_says(case, "box_delivered"), "return_to_pack")
    dispatch(case, "RM222")
    assert sorted(Shipment.objects.values_list("leg", "tracking_number")) == [("box", "DPD111"), ("return", "RM222")]
    # The search finds a parcel by its number as the carrier prints it
    found = admin_client.get("/admin/shipping/shipment/?q=DPD111").content.decode()
    assert "DPD111" in found and "RM222" not in found
    # Neither parcel has a delivery recorded (no carrier reports one yet): both are listed as not delivered
    out = admin_client.get("/admin/shipping/shipment/?delivered_at__isempty=1").content.decode()
    assert "DPD111" in out and "RM222" in out
    delivered = admin_client.get("/admin/shipping/shipment/?delivered_at__isempty=0").content.decode()
    assert "DPD111" not in delivered and "RM222" not in delivered


def test_a_parcels_page_lists_its_carriers_events_read_only(admin_client: Any, settings: Any) -> None:
    from tests.support.carriers import configure, deliver, dispatched, recorded

    # Given a kit dispatched at the scan station and the carrier's first scans, by its webhook
    configure(settings)
    customer = dispatched()
    assert deliver("aftership", recorded("aftership", "in_transit")).status_code == 200
    shipment = Shipment.objects.get(case=customer.case)
    # When an admin opens the parcel
    page = admin_client.get(f"/admin/shipping/shipment/{shipment.pk}/change/").content.decode()
    # Then its events are listed as the carrier said them, and none can be added or changed by hand
    assert "Item received at Leeds Mail Centre" in page
    assert "InTransit_002" in page
    assert 'name="events-TOTAL_FORMS" value="2"' in page  # the two events, and no empty form to add one
    assert 'name="events-0-description"' not in page
