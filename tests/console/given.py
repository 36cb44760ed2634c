"""Cases as the customer's own surfaces open them, for the console's tests.

A mail-in repair opens with what the order form gathers (model, problem, description, prepaid box,
price, return address), an order problem with what the report form gathers: the data a customer
gives at intake, checked by the journey as the real forms' cases are. Later steps go through the
console (test client) or the scan station."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.test import Client
from django.urls import reverse

from tests.support.factories import CustomerFactory
from touchpoint.cases.actors import CUSTOMER
from touchpoint.cases.journeys import journey_register
from touchpoint.cases.models import Case, JourneyVersion, TimelineEntry
from touchpoint.catalog.models import DeviceKind, DeviceModel, Problem
from touchpoint.customers.models import Customer
from touchpoint.flows.advance import case_open
from touchpoint.journeys.library import library_file
from touchpoint.staff.models import StaffUser

ADDRESS = {
    "name": "Ian Kearns",
    "line1": "4 Mill Lane",
    "line2": "",
    "town": "Leeds",
    "postcode": "LS1 4AB",
    "country": "GB",
}


def register(name: str) -> JourneyVersion:
    path = library_file(name)
    assert path is not None
    return journey_register(source=path.read_text(), filename=str(path))


def catalog() -> None:
    """The device and problems the orders below pick."""
    DeviceModel.objects.get_or_create(
        slug="nano-4g",
        defaults={"name": "Nano Player 4G", "kind": DeviceKind.MUSIC_PLAYER, "diagnosis_price": Decimal("29.00")},
    )
    Problem.objects.get_or_create(slug="battery", defaults={"label": "Battery doesn't hold a charge"})


def repair_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "model": "nano-4g",
        "problem": "not_sure",
        "problem_notes": "",
        "prepaid_box": False,
        "diagnosis_price": "29.00",
        "return_address": ADDRESS,
    }
    return {**data, **changes}


def open_repair(customer: Customer | None = None, **changes: Any) -> Case:
    """A mail-in repair as the order form opens it (the customer is its actor)."""
    register("mail-in-repair")
    catalog()
    customer = customer or CustomerFactory(name="Ian Kearns", email="ian@example.com")
    return case_open(journey="mail-in-repair", customer=customer, actor=CUSTOMER, data=repair_data(**changes)).case


def open_order_problem(customer: Customer | None = None, **changes: Any) -> Case:
    """An order problem as the report form opens it: the wrong item arrived and must go back."""
    register("order-problem")
    customer = customer or CustomerFactory(name="Ana Lopez", email="ana@example.com")
    data: dict[str, Any] = {
        "order_number": "SO-1042",
        "what_happened": "wrong_item",
        "problem_notes": "A blue case came instead of the red one.",
        "order_total": "24.00",
        "return_needed": True,
        **changes,
    }
    return case_open(journey="order-problem", customer=customer, actor=CUSTOMER, data=data).case


def signed_in(user: StaffUser) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_url(case: Case, action: str = "") -> str:
    return reverse(f"console:case{'_' + action if action else ''}", args=[case.reference])


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def state_of(case: Case) -> tuple[str, int, int, dict[str, Any]]:
    """What a refused action must leave as it was: state, version, timeline length, data."""
    now = fresh(case)
    return now.state, now.version, TimelineEntry.objects.filter(case=case).count(), now.data


def offered(client: Client, case: Case) -> list[str]:
    """The generic events the console offers this person now, in page order."""
    html = client.get(page_url(case)).content.decode()
    section = html.split('id="actions-h"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'name="event" value="([a-z_]+)"', section)


def by_hand(client: Client, case: Case) -> list[str]:
    """The carrier's and system's steps the console offers this person to record by hand."""
    html = client.get(page_url(case)).content.decode()
    return re.findall(r'<form method="post" action="[^"]+/record/" class="manual-form" id="manual-([a-z_]+)"', html)


def act(client: Client, case: Case, event: str, nonce: str, **given: str) -> Any:
    """Press a console button (with the values its event asks for, as typed)."""
    form = {"event": event, "version": fresh(case).version, "nonce": nonce}
    form.update({f"{event}-{name}": value for name, value in given.items()})
    return client.post(page_url(case, "event"), form)


def record(client: Client, case: Case, event: str, reason: str, nonce: str, *, confirm: bool = True) -> Any:
    """Record a carrier's or system's step by hand, with the reason and the confirmation."""
    form = {"event": event, "reason": reason, "version": fresh(case).version, "nonce": nonce}
    if confirm:
        form["confirm"] = "1"
    return client.post(page_url(case, "record"), form)
