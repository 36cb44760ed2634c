"""What a lead sets on the shop's page is what customers get: the sender of every email, the name a
staff reply is signed with, the bank details on the payment page; and the page is in the lead's nav."""

from __future__ import annotations

import html

import pytest
from django.core import mail
from django.test import Client

from tests.portal.test_intake_service import shop  # noqa: F401 - the fixture
from tests.portal.test_intake_views import GOOD, URL, start
from tests.shop.given import SHOP, lead_client, shop_form
from tests.support.factories import StaffFactory
from touchpoint.outbox.models import OutboxMessage
from touchpoint.shop.selectors import shop_settings
from touchpoint.worker.loop import Worker

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shop")]


def test_the_sender_set_in_the_console_sends_the_customers_mail(settings: object) -> None:
    lead = lead_client()
    assert f'href="{SHOP}"' in lead.get("/console/").content.decode()  # in the lead's nav
    changed = shop_form(lead, name="Fixit Leeds", sender_name="Fixit Leeds", sender_email="hello@fixit.example")
    assert lead.post(SHOP, changed).status_code == 302
    # When a customer orders and the worker sends what the order wrote
    customer = Client()
    placed = customer.post(URL, {**GOOD, "nonce": start(customer)})
    assert placed.status_code == 303
    Worker(worker_id="w1").run(until_idle=True)
    # Then it comes from the shop as the lead wrote it
    assert [m.from_email for m in mail.outbox] == ["Fixit Leeds <hello@fixit.example>"]


def test_an_agent_does_not_see_the_shop_in_the_nav() -> None:
    agent = Client()
    agent.force_login(StaffFactory(username="ann"))
    assert f'href="{SHOP}"' not in agent.get("/console/").content.decode()


def test_the_currency_set_before_any_payment_is_what_the_customer_is_told_and_asked_for() -> None:
    lead = lead_client()
    assert lead.post(SHOP, shop_form(lead, currency="EUR")).status_code == 302
    customer = Client()
    assert customer.post(URL, {**GOOD, "nonce": start(customer)}).status_code == 303
    message = OutboxMessage.objects.get()
    assert "€" in message.body_text and "£" not in message.body_text


def test_once_money_is_taken_the_currency_stays() -> None:
    from tests.payments.conftest import open_repair, register_mail_in_repair

    register_mail_in_repair()
    case = open_repair()
    # intake records the bank transfer on the case's page, as they see it on the statement
    intake = Client()
    intake.force_login(StaffFactory(username="pat", teams=["intake"]))
    recorded = intake.post(
        f"/console/cases/{case.reference}/payments/record",
        {"version": str(case.version), "amount": "39.00", "method": "bank_transfer", "reference": "BACS"},
    )
    assert recorded.status_code == 303
    lead = lead_client()
    page = lead.get(SHOP).content.decode()
    assert "The shop has taken payments in GBP, so its currency stays GBP" in html.unescape(page)
    # A form that says otherwise (a stale page, a hand-made request) changes nothing
    assert lead.post(SHOP, shop_form(lead, name="Fixit", currency="USD")).status_code == 302
    assert (shop_settings().currency, shop_settings().name) == ("gbp", "Fixit")
