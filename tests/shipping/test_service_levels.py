"""Issue 15, part 8: the shop's service levels. A lead adds, edits and retires them in the console
(audited, never deleted); the order form offers the active ones with their price and the on-time share
the shop's own deliveries measured (lane figures kept by the worker from carriers' webhooks); the
customer's choice is recorded with the order and the worker buys the label for exactly that service."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.portal.story import CONTACT, acted, catalog, crew, repair_at, repair_order
from tests.portal.test_intake_service import shop  # noqa: F401 - the fixture
from tests.portal.test_intake_views import GOOD, URL, start
from tests.portal.test_order_queries import ORDER_QUERIES, place_orders
from tests.shipping.parcel_story import SERVICE, T0, H, delivered_kit, worker_pass
from tests.shipping.test_labels_bought import NUMBER, dispatch_kit, work
from tests.shop.given import lead_client
from tests.support.carrier_api_server import CarrierApi, carrier_api, configure_labels
from tests.support.carriers import configure
from tests.support.factories import StaffFactory
from touchpoint.cases.models import Case
from touchpoint.shipping import service_levels
from touchpoint.shipping.models import LaneFigure, Leg, ServiceLevel, Shipment
from touchpoint.shop.models import Area, SettingChange
from touchpoint.staff.models import Role

pytestmark = pytest.mark.django_db
LEVELS = reverse("console:shop_service_levels")

TRACKED_48 = {
    "code": "royal-mail-tracked-48",
    "name": "Royal Mail Tracked 48",
    "provider": "easypost",
    "carrier": "RoyalMail",
    "service": "Tracked48",
    "price": "3.20",
    "promised_days": "2",
    "position": "0",
    "active": "on",
}
TRACKED_24 = {
    **TRACKED_48,
    "code": "royal-mail-tracked-24",
    "name": "Royal Mail Tracked 24",
    "service": "Tracked24",
    "price": "4.50",
    "promised_days": "1",
    "position": "1",
}


def add(client: Client, values: dict[str, str]) -> Any:
    return client.post(LEVELS, values)


def test_a_lead_adds_edits_and_retires_service_levels_and_each_change_is_audited() -> None:
    lead = lead_client()
    # The tab is there, the list empty
    page = lead.get(LEVELS)
    assert page.status_code == 200
    assert "No service levels yet" in page.content.decode()
    # When the lead adds two
    assert add(lead, TRACKED_48).status_code == 302
    assert add(lead, TRACKED_24).status_code == 302
    # Then both are listed with their price in the shop's money
    listed = lead.get(LEVELS).content.decode()
    assert "Royal Mail Tracked 48" in listed and "£3.20" in listed and "£4.50" in listed
    level = ServiceLevel.objects.get(code="royal-mail-tracked-24")
    assert (level.price_minor, level.promised_days, level.carrier, level.service, level.active) == (
        450,
        1,
        "RoyalMail",
        "Tracked24",
        True,
    )
    # When the lead changes its price
    edit = reverse("console:shop_service_level", args=["royal-mail-tracked-24"])
    form = lead.get(edit)
    assert form.status_code == 200 and 'value="4.50"' in form.content.decode()
    changed = {k: v for k, v in TRACKED_24.items() if k != "code"} | {"price": "4.95"}
    assert lead.post(edit, changed).status_code == 302
    assert ServiceLevel.objects.get(code="royal-mail-tracked-24").price_minor == 495
    # And retires it: kept, no longer active
    retire = reverse("console:shop_service_level_retire", args=["royal-mail-tracked-24"])
    assert lead.post(retire, {"offer": "no"}).status_code == 302
    assert not ServiceLevel.objects.get(code="royal-mail-tracked-24").active
    assert "retired" in lead.get(LEVELS).content.decode()
    # Then every change is in the audit, under the shop with the level's code, shown on the page
    audit = SettingChange.objects.filter(area=Area.SERVICE_LEVEL, subject="service:royal-mail-tracked-24")
    assert {(c.field, c.before, c.after) for c in audit if c.before} == {
        ("price_minor", "450", "495"),
        ("active", "yes", "no"),
    }
    assert ("service:royal-mail-tracked-24: price_minor") in lead.get(LEVELS).content.decode()
    # And it can be offered again
    assert lead.post(retire, {"offer": "yes"}).status_code == 302
    assert ServiceLevel.objects.get(code="royal-mail-tracked-24").active


def test_bad_input_is_refused_saying_what_to_fix_and_nothing_is_stored() -> None:
    lead = lead_client()
    bad = {**TRACKED_48, "code": "Royal Mail!", "price": "four pounds", "promised_days": "0", "carrier": ""}
    refused = add(lead, bad)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Nothing was added" in page
    assert "A code has only lower-case letters, digits and hyphens" in page
    assert "Enter an amount like 39.00." in page
    assert "Write at least 1 working day." in page
    assert "Write the carrier as the aggregator names it" in page
    assert 'value="four pounds"' in page  # what was typed is kept
    assert not ServiceLevel.objects.exists()
    # The same code twice: told to edit the first
    add(lead, TRACKED_48)
    again = add(lead, TRACKED_48)
    assert again.status_code == 400
    assert "There is already a service level royal-mail-tracked-48: edit it instead." in again.content.decode()
    assert ServiceLevel.objects.count() == 1
    # An unknown level's page is a 404, not a 500
    assert lead.get(reverse("console:shop_service_level", args=["no-such-level"])).status_code == 404
    retire = reverse("console:shop_service_level_retire", args=["no-such-level"])
    assert lead.post(retire, {"offer": "no"}).status_code == 404


def test_only_leads_and_admins_edit_service_levels() -> None:
    agent = Client()
    agent.force_login(StaffFactory(username="andy", role=Role.AGENT))
    assert agent.get(LEVELS).status_code == 403
    assert add(agent, TRACKED_48).status_code == 403
    assert not ServiceLevel.objects.exists()
    anonymous = Client().get(LEVELS)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]


# --- The order form offers them, the choice is kept, the label bought is the one chosen -----------


@pytest.fixture
def api() -> Iterator[CarrierApi]:
    with carrier_api() as server:
        yield server


def lanes_measured(settings: Any) -> None:
    """Three kits the carrier (AfterShip's signed webhooks) delivered on Royal Mail Tracked 24: two by
    its expected day, one a day late; then the worker's lane job works the lane out."""
    configure(settings)
    delivered_kit("RM000000051GB", T0, 20, expected="2026-11-03")
    delivered_kit("RM000000052GB", T0 + 24 * H, 20, expected="2026-11-04")
    delivered_kit("RM000000053GB", T0 + 48 * H, 50, expected="2026-11-05")
    worker_pass(T0 + 10 * 24 * H)
    lane = LaneFigure.objects.get()
    assert (lane.carrier, lane.service_level, lane.on_time, lane.late) == ("Royal Mail", SERVICE, 2, 1)


def order_page(client: Client) -> str:
    response = client.get(reverse("portal:intake"))
    assert response.status_code == 200
    return response.content.decode()


def offered(html: str) -> list[tuple[str, bool, str]]:
    """The service levels the order form offers: (code, preselected, the words beside it)."""
    found = re.findall(
        r'(<input type="radio" name="service_level" value="([^"]+)"[^>]*>) <span>(.*?)</span></span>', html, re.S
    )
    return [(code, " checked" in tag, " ".join(re.sub(r"<[^>]+>", " ", words).split())) for tag, code, words in found]


def test_the_order_form_offers_the_levels_with_price_and_measured_on_time_share_and_the_label_bought_is_the_one_chosen(
    api: CarrierApi, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the shop's own deliveries measured Royal Mail Tracked 24 (three parcels: a small shop's
    # threshold, so the share is shown; the product's is 20)
    lanes_measured(settings)
    monkeypatch.setattr(service_levels, "MEASURED_FROM", 3)
    # And a lead added two service levels in the console
    lead = lead_client()
    assert add(lead, TRACKED_48).status_code == 302
    assert add(lead, TRACKED_24).status_code == 302

    # When a customer opens the order form
    catalog()
    customer = Client()
    html = order_page(customer)
    # Then it offers both, the first preselected, each with its price and what the shop measured
    assert offered(html) == [
        ("royal-mail-tracked-48", True, "Royal Mail Tracked 48 £3.20 · new: not measured yet"),
        ("royal-mail-tracked-24", False, "Royal Mail Tracked 24 £4.50 · on time 67 % of 3 parcels"),
    ]

    # When they order a prepaid box and choose the second
    chosen = repair_at("box_to_send", customer, service_level="royal-mail-tracked-24")
    # Then the choice is kept with the order, and their case page says it with its price
    assert chosen.case.data["service_level"] == "royal-mail-tracked-24"
    page = chosen.page()
    assert "How your device travels to us" in page and "Royal Mail Tracked 24, £4.50" in page

    # When the worker buys the prepaid label through the aggregator
    configure_labels(settings, api, labels="easypost")
    work()
    # Then it bought the Tracked 24 rate (rate_6c…, £4.10) for this parcel, not the first level's
    parcel = Shipment.objects.get(case=chosen.case, leg=Leg.INBOUND)
    assert (parcel.service_level, parcel.tracking_number) == ("royal-mail-tracked-24", NUMBER)
    bought = [seen.body for seen in api.requests if seen.path.endswith("/buy")]
    assert {"rate": {"id": "rate_6c2b1d0e9f8a4b3c2d1e0f9a8b7c6d5e"}} in bought

    # When the kit goes out, arrives, and the customer posts the device on the label bought
    dispatch_kit(chosen)
    acted(chosen, "box_delivered")
    acted(chosen, "device_posted")
    # Then the console's parcels panel says what the customer chose, beside the parcel bought for it
    staff = Client()
    staff.force_login(crew())
    view = staff.get(f"/console/cases/{chosen.case.reference}/").content.decode()
    assert NUMBER in view and "royal-mail-tracked-24" in view
    assert "Chosen with the order for the device's trip in: Royal Mail Tracked 24, £4.50" in view


def test_a_level_not_offered_is_refused_saying_so_and_what_was_typed_is_kept() -> None:
    lead = lead_client()
    add(lead, TRACKED_48)
    add(lead, TRACKED_24)
    lead.post(reverse("console:shop_service_level_retire", args=["royal-mail-tracked-24"]), {"offer": "no"})
    catalog()
    customer = Client()
    nonce = re.search(r'name="nonce" value="([^"]+)"', order_page(customer))
    assert nonce is not None
    post = {
        **CONTACT,
        "model": "nano-player-4g",
        "problem": "not_sure",
        "shipping": "box",
        "nonce": nonce.group(1),
        "description": "It went quiet.",
    }
    for code in ("royal-mail-tracked-24", "no-such-service", "x" * 500):
        refused = customer.post(reverse("portal:intake"), {**post, "service_level": code})
        assert refused.status_code == 422
        page = refused.content.decode()
        assert "That way of sending isn&#x27;t offered any more: choose one of those shown." in page
        assert 'value="It went quiet."' in page or "It went quiet." in page
        # Only the level still offered is shown, preselected
        assert [(c, on) for c, on, _ in offered(page)] == [("royal-mail-tracked-48", True)]
    assert not Case.objects.exists()
    # Choosing the one offered places the order
    placed = customer.post(reverse("portal:intake"), {**post, "service_level": "royal-mail-tracked-48"})
    assert placed.status_code == 303
    assert Case.objects.get().data["service_level"] == "royal-mail-tracked-48"


def test_with_no_service_levels_the_order_form_is_as_before_and_nothing_is_recorded() -> None:
    customer = repair_order()
    assert offered(order_page(Client())) == []
    assert "service_level" not in customer.case.data
    assert "How your device travels to us" not in customer.page()


def test_posting_it_yourself_records_no_service_level() -> None:
    add(lead_client(), TRACKED_48)
    customer = repair_order(prepaid_box=False, service_level="royal-mail-tracked-48")
    assert "service_level" not in customer.case.data


@pytest.mark.usefixtures("shop")
def test_an_order_choosing_a_level_costs_two_statements_more(django_assert_num_queries: Any) -> None:
    """The order POST's count (tests/portal/test_order_queries.py) plus: the shop's active levels, to
    check the choice against (1), and the choice written to the case's data (1). With no levels
    offered the form sends no choice and the count is unchanged (that test)."""
    place_orders(1)  # as that test does: the shop has taken an order (the journey is loaded)
    add(lead_client(), TRACKED_48)
    client = Client(REMOTE_ADDR="192.0.2.77")
    nonce = start(client)
    client.cookies.clear()
    with django_assert_num_queries(ORDER_QUERIES + 2):
        response = client.post(
            URL,
            {
                **GOOD,
                "shipping": "box",
                "email": "new@example.com",
                "nonce": nonce,
                "service_level": "royal-mail-tracked-48",
            },
        )
    assert response.status_code == 303
    assert Case.objects.get(customer__email="new@example.com").data["service_level"] == "royal-mail-tracked-48"


def test_the_fields_own_check_says_a_level_not_offered_as_the_customer_goes() -> None:
    add(lead_client(), TRACKED_48)
    customer = Client()
    order_page(customer)
    check = reverse("portal:intake_check")
    refused = customer.post(check, {"field": "service_level", "service_level": "no-such-service"})
    assert refused.status_code == 200
    assert "That way of sending isn&#x27;t offered any more" in refused.content.decode()
    fine = customer.post(check, {"field": "service_level", "service_level": "royal-mail-tracked-48"})
    assert "offered any more" not in fine.content.decode()
