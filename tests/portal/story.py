"""Reaching the states the portal's tests need, kept apart here until the route walker walks the
whole story through the product's surfaces.

What the customer does goes through their pages with the test client: the order form (``/repair/``),
the problem report form (``/report/``) and the action panel on their case page. What staff do calls
the very services their surfaces call, never data set by hand: ``case_advance`` as a member of the
team for the bench, intake and shipping steps (the console's action buttons and scan station),
``quote_propose`` for the diagnosis (the console's quote panel) and ``offline_payment_record`` for
a bank transfer (the console's payment panel)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from html import unescape
from typing import Any

from django.test import Client
from django.urls import reverse

from tests.support.factories import StaffFactory
from touchpoint.cases.actors import staff_actor
from touchpoint.cases.models import Case
from touchpoint.catalog.models import DeviceModel, Problem
from touchpoint.flows.advance import case_advance
from touchpoint.flows.payments import offline_payment_record
from touchpoint.flows.quotes import LineInput, quote_propose
from touchpoint.links.services import link_resolve
from touchpoint.payments.models import OfflineMethod
from touchpoint.staff.models import StaffUser

CONTACT = {
    "name": "Maya Okafor",
    "email": "maya@example.com",
    "phone": "07700 900123",
    "address_line1": "12 Mill Lane",
    "address_line2": "",
    "town": "Bristol",
    "postcode": "BS1 4DJ",
    "country": "GB",
    "channel": "email",
}


def catalog() -> None:
    """What the order form offers: one music player, and "not sure what's wrong"."""
    DeviceModel.objects.get_or_create(
        slug="nano-player-4g",
        defaults={"name": "Nano Player 4G", "kind": "music_player", "diagnosis_price": Decimal("29.00")},
    )
    Problem.objects.get_or_create(slug="battery", defaults={"label": "Battery runs down fast", "position": 1})
    Problem.objects.get_or_create(slug="not_sure", defaults={"label": "Not sure what's wrong", "position": 9})


def crew() -> StaffUser:
    """One person in every team the staff steps need."""
    existing = StaffUser.objects.filter(username="crew").first()
    return existing or StaffFactory(username="crew", teams=["intake", "bench", "shipping", "care", "warehouse"])


@dataclass
class Customer:
    """A customer and their case, as they reach it: by its link in a test client."""

    client: Client
    token: str

    @property
    def case(self) -> Case:
        resolved = link_resolve(self.token)
        assert resolved.link is not None
        return Case.objects.select_related("customer", "journey").get(pk=resolved.link.case_id)

    @property
    def url(self) -> str:
        return reverse("portal:case", args=[self.token])

    def page(self) -> str:
        response = self.client.get(self.url)
        assert response.status_code == 200, response.status_code
        return response.content.decode()

    def form_of(self, event: str, html: str | None = None) -> dict[str, str]:
        """The hidden fields of the action ``event``'s form as the page draws it (event, version, nonce)."""
        page = html if html is not None else self.page()
        found = re.search(rf'<form[^>]*id="act-{event}"[^>]*>(.*?)</form>', page, re.S)
        assert found is not None, f"the page offers no action {event}"
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', found.group(1)))
        return {name: unescape(value) for name, value in fields.items() if name != "csrfmiddlewaretoken"}

    def act(self, event: str, *, confirm: bool = False, **values: str) -> Any:
        """Take ``event`` from the case page as the customer would: the form as drawn, with ``values``
        typed into its fields (named without the form's prefix)."""
        post = self.form_of(event)
        if confirm:
            post["confirm"] = "yes"
        post.update({f"{event}-{name}": value for name, value in values.items()})
        return self.client.post(reverse("portal:action_take", args=[self.token]), post)


def token_of(response: Any) -> str:
    location = response["Location"]
    found = re.fullmatch(r"/c/([^/]+)/", location)
    assert found is not None, location
    return found.group(1)


def repair_order(client: Client | None = None, *, prepaid_box: bool = True, **contact: str) -> Customer:
    """A mail-in repair ordered on ``/repair/`` ("not sure what's wrong"), landing on its case page."""
    catalog()
    client = client or Client()
    html = client.get(reverse("portal:intake")).content.decode()
    nonce = re.search(r'name="nonce" value="([^"]+)"', html)
    assert nonce is not None
    post = {
        **CONTACT,
        **contact,
        "model": "nano-player-4g",
        "problem": "not_sure",
        "description": "It went quiet.",
        "shipping": "box" if prepaid_box else "post",
        "nonce": nonce.group(1),
    }
    response = client.post(reverse("portal:intake"), post)
    assert response.status_code == 303, response.content.decode()[:2000]
    return Customer(client, token_of(response))


def staff_step(customer: Customer, event: str, **given: Any) -> Case:
    """A step staff take with the console's action buttons (or the scan station)."""
    return case_advance(case=customer.case, event=event, actor=staff_actor(crew()), given=given or None).case


def paid(customer: Customer) -> Case:
    """The diagnosis paid by bank transfer, recorded by intake on the console's payment panel."""
    case = customer.case
    offline_payment_record(
        case=case,
        seen_version=case.version,
        staff=crew(),
        amount=Decimal("29.00"),
        method=OfflineMethod.BANK_TRANSFER,
        reference="BACS 0042",
    )
    return customer.case


def diagnosed(customer: Customer, *, extra: Decimal | None = None) -> Case:
    """The bench's diagnosis on the console's quote panel: extra work for ``extra``, or none."""
    case = customer.case
    lines = [LineInput("New battery", "The old one holds a charge for ten minutes.", extra)] if extra else []
    return quote_propose(case=case, version=case.version, by=crew(), lines=lines, finding="He pulled through.").case


def acted(customer: Customer, event: str, **values: str) -> Case:
    response = customer.act(event, confirm=True, **values)
    assert response.status_code == 303, response.content.decode()[:3000]
    return customer.case


# How a prepaid-box repair gets from each state to the next along the happy path.
_REPAIR: dict[str, Any] = {
    "awaiting_payment": paid,
    "box_to_send": lambda c: staff_step(c, "box_dispatched"),
    "box_in_post": lambda c: acted(c, "box_delivered"),
    "awaiting_device": lambda c: acted(c, "device_posted"),
    "device_in_transit": lambda c: staff_step(c, "device_arrived"),
    "resting": lambda c: staff_step(c, "surgery_started"),
    "in_surgery": diagnosed,
    "repairing": lambda c: staff_step(c, "repair_done"),
    "quality_check": lambda c: staff_step(c, "qc_passed"),
    "return_to_pack": lambda c: staff_step(c, "return_shipped"),
    "return_in_post": lambda c: acted(c, "return_delivered"),
}


def repair_at(state: str, client: Client | None = None, **contact: str) -> Customer:
    """A prepaid-box repair, ordered on the page and walked along the happy path until it is in ``state``."""
    customer = repair_order(client, **contact)
    while customer.case.state != state:
        here = customer.case.state
        assert here in _REPAIR, f"the happy path doesn't lead from {here} to {state}"
        _REPAIR[here](customer)
    return customer


def beyond_repair(client: Client | None = None) -> Customer:
    """A repair the bench couldn't save: told honestly, and the customer chooses."""
    customer = repair_at("in_surgery", client)
    staff_step(customer, "died_on_table")
    return customer


def report_problem(client: Client | None = None, *, what_happened: str = "wrong_item", **contact: str) -> Customer:
    """A wrong or broken delivery reported on ``/report/``, landing on its case page."""
    client = client or Client()
    html = client.get(reverse("portal:report")).content.decode()
    nonce = re.search(r'name="nonce" value="([^"]+)"', html)
    assert nonce is not None
    post = {
        "order_number": "100234",
        "what_happened": what_happened,
        "order_total": "24.99",
        "words": "The box had a red cable in it, not the blue charger.",
        "name": contact.get("name", CONTACT["name"]),
        "email": contact.get("email", CONTACT["email"]),
        "phone": CONTACT["phone"],
        "channel": "email",
        "nonce": nonce.group(1),
    }
    response = client.post(reverse("portal:report"), post)
    assert response.status_code == 303, response.content.decode()[:2000]
    return Customer(client, token_of(response))


# How a reported problem gets from each state to the next along the happy path.
_PROBLEM: dict[str, Any] = {
    "reported": lambda c: staff_step(c, "replacement_requested"),
    "sent_to_warehouse": lambda c: staff_step(c, "acknowledged"),
    "picking": lambda c: staff_step(c, "packed", sku_matches_order=True, repeat_wrong_part=False),
    "replacement_in_post": lambda c: acted(c, "delivered"),
    "confirming": lambda c: acted(c, "confirmed_right"),
    "awaiting_return": lambda c: acted(c, "return_posted"),
    "return_in_post": lambda c: staff_step(c, "return_received"),
}


def problem_at(state: str, client: Client | None = None, *, what_happened: str = "wrong_item") -> Customer:
    """A reported problem walked along the happy path until it is in ``state``."""
    customer = report_problem(client, what_happened=what_happened)
    while customer.case.state != state:
        here = customer.case.state
        assert here in _PROBLEM, f"the happy path doesn't lead from {here} to {state}"
        _PROBLEM[here](customer)
    return customer
