"""Issue 15, part 8: the shop's service levels. A lead adds, edits and retires them in the console
(audited, never deleted); the order form offers the active ones with their price and the on-time share
the shop's own deliveries measured (lane figures kept by the worker from carriers' webhooks); the
customer's choice is recorded with the order and the worker buys the label for exactly that service."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.shop.given import lead_client
from tests.support.factories import StaffFactory
from touchpoint.shipping.models import ServiceLevel
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
    audit = SettingChange.objects.filter(area=Area.SHOP, subject="service:royal-mail-tracked-24")
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
