"""The demo card page switched on, and a customer with a mail-in repair order waiting for payment.

The order is placed as the order page places it (``tests.support.orders``); everything after
goes through the customer's pages, the demo card page and the worker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests.support.factories import CustomerFactory
from tests.support.orders import place_repair_order
from tests.support.pages import Page, path_of
from touchpoint.cases.models import Case
from touchpoint.links.services import link_token

DEMO_SECRET = "whsec_demo_tests_touchpoint"
GOOD_CARD = {"number": "4242 4242 4242 4242", "expiry": "12 / 34", "cvc": "123", "name": "Ian Kearns"}


@pytest.fixture
def demo_card(settings: Any) -> None:
    settings.TOUCHPOINT_PAYMENT_PROVIDERS = ["offline", "demo"]
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = DEMO_SECRET
    settings.TOUCHPOINT_CURRENCY = "gbp"


@dataclass
class Order:
    case: Case
    token: str

    @property
    def page(self) -> str:
        return f"/c/{self.token}/"

    def fresh(self) -> Case:
        return Case.objects.get(pk=self.case.pk)


def place_order(*, prepaid_box: bool = False) -> Order:
    case = place_repair_order(CustomerFactory(name="Ian Kearns", email="ian@example.com"), prepaid_box=prepaid_box)
    return Order(case, link_token(case=case))


def press(client: Client, url: str, control_id: str, fill: dict[str, Any] | None = None) -> Any:
    """Open ``url`` and press the button ``control_id`` (typing ``fill`` into its form first)."""
    page = Page.parse(client.get(url).content.decode(), url=f"http://testserver{url}")
    node = page.by_id(control_id)
    assert node is not None, f"no #{control_id} on {url}"
    form = page.form_of(node)
    assert form is not None, f"#{control_id} on {url} is in no form"
    method, address, data = form.submission(button=node, fill=fill)
    assert method == "post"
    return client.post(path_of(address), data)


def to_checkout(client: Client, order: Order) -> str:
    """The customer presses "Pay by card" on their case page; the path of the card page it leads to."""
    response = press(client, order.page, "act-card_submitted")
    assert response.status_code == 303, response.content.decode()[:2000]
    location = response["Location"]
    assert location.startswith("http://testserver/demo-pay/checkout/cs_test_"), location
    return path_of(location)


def pay(client: Client, checkout: str, card: dict[str, str] | None = None) -> Any:
    """Type ``card`` on the demo card page and press Pay."""
    page = Page.parse(client.get(checkout).content.decode(), url=f"http://testserver{checkout}")
    form = next(f for f in page.forms if f.action == checkout)
    _, address, data = form.submission(fill=card or GOOD_CARD)
    return client.post(path_of(address), data)
