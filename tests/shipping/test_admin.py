"""Parcels in the admin: found by tracking number, filtered by whether they have been delivered."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.factories import CustomerFactory
from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.services.advance import case_open
from touchpoint.core.clock import now
from touchpoint.shipping.models import Leg, Shipment
from touchpoint.shipping.services import shipment_record

pytestmark = pytest.mark.django_db


def test_parcels_are_found_by_tracking_number_and_filtered_by_delivery(admin_client: Any, mini_journey: Any) -> None:
    case = case_open(journey="mini-repair", customer=CustomerFactory(), actor=SYSTEM).case
    shipment_record(case=case, leg=Leg.BOX, carrier="DPD", tracking_number="dpd 111")
    home = shipment_record(case=case, leg=Leg.RETURN, carrier="Royal Mail", tracking_number="RM222")
    Shipment.objects.filter(pk=home.pk).update(delivered_at=now())
    found = admin_client.get("/admin/shipping/shipment/?q=DPD111").content.decode()
    assert "DPD111" in found and "RM222" not in found
    out = admin_client.get("/admin/shipping/shipment/?delivered_at__isempty=1").content.decode()
    assert "DPD111" in out and "RM222" not in out
