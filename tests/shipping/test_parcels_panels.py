"""The parcels panels on the customer's case page and the console's case view: shown once a parcel
can be followed, and not even asked for before a parcel can have left."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.portal.story import crew, repair_at
from tests.support.carriers import dispatched
from tests.support.timers import time_runs_out

pytestmark = pytest.mark.django_db


def staff_page(reference: str) -> str:
    client = Client()
    client.force_login(crew())
    return client.get(f"/console/cases/{reference}/").content.decode()


def test_before_the_kit_leaves_neither_page_asks_for_parcels() -> None:
    customer = repair_at("box_to_send")
    with CaptureQueriesContext(connection) as queries:
        page = customer.page()
        staff = staff_page(customer.case.reference)
    assert "Following your parcel" not in page
    assert 'id="case-parcels"' not in staff
    assert not any("shipping_shipment" in query["sql"] for query in queries.captured_queries)


def test_a_parcel_sent_without_a_tracking_number_has_nothing_to_follow() -> None:
    customer = dispatched(tracking_number="")
    assert customer.case.state == "box_in_post"
    assert "Following your parcel" not in customer.page()
    assert 'id="case-parcels"' not in staff_page(customer.case.reference)


def test_a_tracked_parcel_is_shown_before_the_carrier_says_anything() -> None:
    customer = dispatched()
    page = customer.page()
    assert "Following your parcel" in page
    assert "Your repair kit: No news from the carrier yet" in page
    assert 'Royal Mail, tracking number <strong class="tracking-number">RM123456785GB</strong>' in page
    staff = staff_page(customer.case.reference)
    assert "Repair kit to the customer: No news from the carrier yet" in staff
    assert "No scans from the carrier yet." in staff


def test_a_parcel_with_no_scans_is_not_shown_once_its_trip_is_over() -> None:
    # Given a kit dispatched with a tracking number whose carrier never sent a scan
    customer = dispatched()
    # When the customer says it arrived
    response = customer.act("box_delivered", confirm=True)
    assert response.status_code == 303
    assert customer.case.state == "awaiting_device"
    # Then neither page has a parcel saying "no news" about a trip that is over
    assert "Following your parcel" not in customer.page()
    assert 'id="case-parcels"' not in staff_page(customer.case.reference)


def test_while_people_trace_a_silent_parcel_its_tracking_number_is_shown() -> None:
    # Given a kit whose carrier never scanned it, and the wait limit ran out: the shipping team traces it
    customer = dispatched()
    time_runs_out(customer.case)
    assert customer.case.state == "box_lost"
    assert "RM123456785GB" in customer.page()
    assert "RM123456785GB" in staff_page(customer.case.reference)
