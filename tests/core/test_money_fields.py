"""Issue 13, item 6: every field that takes money refuses ``1_000`` (Python's ``Decimal`` and ``int``
take underscores) with a message saying how to write it, through each surface that has one, and
nothing is written. ``core.forms.MoneyField`` is the one field they all use."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.console.given import signed_in
from tests.portal.story import Customer
from tests.portal.test_actions import snapshot, text_of
from tests.portal.test_actions_asking import GOOD as ASKING_GOOD
from tests.portal.test_actions_asking import JOURNEY as ASKING
from tests.support.factories import CustomerFactory, StaffFactory
from tests.support.orders import place_repair_order, shop_catalog
from touchpoint.cases.actors import CUSTOMER, SYSTEM
from touchpoint.cases.journeys import journey_register
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.catalog.models import DeviceModel
from touchpoint.flows.advance import case_open
from touchpoint.links.services import link_issue
from touchpoint.payments.models import Payment
from touchpoint.remedies.models import Remedy

pytestmark = pytest.mark.django_db
UNDERSCORES = "Write the amount without underscores, like 1000.00 or 1,000.00."
PRICING = Path(__file__).with_name("pricing.yaml")


def test_the_payments_panel_refuses_1_000(settings: Any) -> None:
    settings.TOUCHPOINT_PAYMENT_PROVIDERS = ["offline"]
    case = place_repair_order(CustomerFactory())
    client = signed_in(StaffFactory(username="priya", teams=["intake"]))
    form = {"version": str(case.version), "amount": "1_000", "method": "bank_transfer", "reference": ""}
    response = client.post(reverse("console:payment_record", args=[case.reference]), form)
    assert response.status_code == 400
    assert UNDERSCORES in unescape(response.content.decode())
    assert 'value="1_000"' in response.content.decode()  # what was typed is kept
    assert Payment.objects.count() == 0


def test_the_remedies_panel_refuses_1_000(new_case: Case) -> None:
    client = signed_in(StaffFactory(username="jo", teams=["care"]))
    page = client.get(reverse("console:case_remedies", args=[new_case.reference])).content.decode()
    version = re.search(r'name="goodwill_credit-version" value="(\d+)"', page)
    nonce = re.search(r'name="goodwill_credit-nonce" value="([^"]+)"', page)
    assert version is not None and nonce is not None
    form = {
        "kind": "goodwill_credit",
        "goodwill_credit-version": version.group(1),
        "goodwill_credit-nonce": nonce.group(1),
        "goodwill_credit-amount": "1_0",
        "goodwill_credit-reason": "Late box",
        "action": "apply",
    }
    response = client.post(reverse("console:remedy_give", args=[new_case.reference]), form)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<p class="field-error" id="id_goodwill_credit-amount-error">{UNDERSCORES}</p>' in unescape(html)
    assert 'value="1_0"' in html
    assert Remedy.objects.count() == 0


def test_the_report_form_refuses_1_000(client: Client) -> None:
    from tests.portal.test_report import GOOD, start

    response = client.post("/report/", {**GOOD, "order_total": "1_000", "nonce": start(client)})
    assert response.status_code == 422  # the public forms' answer to a form with mistakes
    assert UNDERSCORES in unescape(response.content.decode())
    assert Case.objects.count() == 0


def test_a_customers_action_that_asks_for_money_refuses_1_000(client: Client) -> None:
    journey_register(source=ASKING.read_text(), filename=str(ASKING))
    case = case_open(journey="portal-asking", customer=CustomerFactory(), actor=CUSTOMER).case
    booking = Customer(client, link_issue(case=case))
    before = snapshot(booking.case)
    response = booking.act("chosen", confirm=True, **{**ASKING_GOOD, "budget": "1_000"})
    assert response.status_code == 400
    assert f'<p class="error" id="err-chosen-budget">{UNDERSCORES}</p>' in unescape(response.content.decode())
    assert "Something needs another look before we can take it" in text_of(response.content.decode())
    assert snapshot(booking.case) == before


def test_a_console_event_that_asks_for_money_refuses_1_000() -> None:
    journey_register(source=PRICING.read_text(), filename=str(PRICING))
    case = case_open(journey="core-pricing", customer=CustomerFactory(), actor=SYSTEM).case
    client = signed_in(StaffFactory(username="jo", teams=["care"]))
    html = client.get(reverse("console:case", args=[case.reference])).content.decode()
    nonce = re.search(r'id="event-priced".*?name="nonce" value="([^"]+)"', html, re.S)
    assert nonce is not None, "the console offers the priced form"
    form = {"event": "priced", "version": str(case.version), "nonce": nonce.group(1), "priced-price": "1_000"}
    response = client.post(reverse("console:case_event", args=[case.reference]), form)
    assert response.status_code == 400
    assert UNDERSCORES in unescape(response.content.decode())
    case.refresh_from_db()
    assert (case.state, TimelineEntry.objects.filter(case=case, event="priced").count()) == ("to_price", 0)


def test_the_catalogs_prices_in_the_admin_refuse_1_000() -> None:
    nano = shop_catalog()
    client = signed_in(StaffFactory(username="admin", is_staff=True, is_superuser=True))
    url = reverse("admin:catalog_devicemodel_change", args=[nano.pk])
    form = {
        "name": nano.name,
        "slug": nano.slug,
        "kind": nano.kind,
        "diagnosis_price": "1_000",
        "active": "on",
    }
    response = client.post(url, form)
    assert response.status_code == 200  # the admin's own way of saying "see the errors below"
    assert UNDERSCORES in unescape(response.content.decode())
    assert DeviceModel.objects.get(pk=nano.pk).diagnosis_price == Decimal("39.00")


@pytest.mark.parametrize("written", ["1_000", '"1_000"'])
def test_the_remedies_policy_refuses_1_000_in_an_amount(written: str) -> None:
    from touchpoint.remedies.models import PolicyVersion
    from touchpoint.remedies.services.policies import policy_active

    policy_active()
    client = signed_in(StaffFactory(username="root", is_staff=True, is_superuser=True))
    source = (
        "name: small-shop\nremedies:\n  goodwill_credit:\n    over_limit: refuse\n    rules:\n"
        f"      - id: everyone\n        roles: [agent, lead, admin]\n        max_amount: {written}\n"
    )
    response = client.post("/admin/remedies/policyversion/add/", {"source": source, "note": "more", "active": "on"})
    assert response.status_code == 200  # the form again, with the finding
    assert (
        "line 8, column 21: P022 bad-value: `1_000` is not an amount — write it without underscores, "
        "like `1000` or `1000.00`" in unescape(response.content.decode())
    )
    assert list(PolicyVersion.objects.values_list("name", "active")) == [("demo-shop", True)]
