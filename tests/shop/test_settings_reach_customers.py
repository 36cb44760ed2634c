"""What a lead sets on the shop's page is what customers get: the sender of every email, the name a
staff reply is signed with, the bank details on the payment page; and the page is in the lead's nav."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from tests.portal.test_intake_service import shop  # noqa: F401 - the fixture
from tests.portal.test_intake_views import GOOD, URL, start
from tests.shop.given import SHOP, lead_client, shop_form
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
    from tests.support.factories import StaffFactory

    agent = Client()
    agent.force_login(StaffFactory(username="ann"))
    assert f'href="{SHOP}"' not in agent.get("/console/").content.decode()
