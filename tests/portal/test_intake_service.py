"""Placing an order (``order_place``): the customer and the case written together, once, with
exactly the data the mail-in-repair journey reads; refusals write nothing."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from tests.support.factories import CustomerFactory
from touchpoint.cases import journeys
from touchpoint.cases.journeys import journey_of, journey_register
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.catalog.models import DeviceModel, Problem
from touchpoint.customers.models import Customer
from touchpoint.customers.services import Contact
from touchpoint.flows.intake import Order, OrderRefused, order_place
from touchpoint.journeys.library import library_file
from touchpoint.outbox.models import OutboxMessage
from touchpoint.shop import selectors
from touchpoint.touchpoints import overrides


@pytest.fixture
def shop(db: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The mail-in-repair journey and a small catalog (one retired model, one retired problem).

    The journey is registered and committed before the shop takes orders, as at a deploy, and the
    process's kept copies (the journey's newest version, the shop's settings, its templates) are not
    rechecked during the test however slow the machine (``RECHECK_SECONDS``; tests/cases/test_journey_kept.py,
    tests/shop/test_cache.py show the recheck), so statement counts are a running site's."""
    for room in (journeys, selectors, overrides):
        monkeypatch.setattr(room, "RECHECK_SECONDS", 3600.0)
    path = library_file("mail-in-repair")
    assert path is not None
    with django_capture_on_commit_callbacks(execute=True):
        journey_register(source=path.read_text(), filename=str(path))
    DeviceModel.objects.create(slug="nano-player-4g", name="Nano Player 4G", kind="music_player", diagnosis_price=29)
    DeviceModel.objects.create(slug="slate-tab-air-10", name="Slate Tab Air 10", kind="tablet", diagnosis_price=49)
    DeviceModel.objects.create(slug="brick-phone", name="Brick Phone", kind="phone", active=False)
    Problem.objects.create(slug="battery", label="Battery runs down fast", position=1)
    Problem.objects.create(slug="screen", label="Cracked or dead screen", position=2)
    Problem.objects.create(slug="floppy", label="Floppy drive jammed", position=3, active=False)
    Problem.objects.create(slug="not_sure", label="Not sure what's wrong", position=9)


CONTACT = Contact(
    name="Maya Okafor",
    email="Maya@Example.com",
    phone="07700 900123",
    address_line1="12 Mill Lane",
    address_line2="Flat 2",
    town="Bristol",
    postcode="bs1 4dj",
    country="GB",
    preferred_channel="email",
    plain_messages=True,
)
ORDER = Order(model="nano-player-4g", problem="not_sure", prepaid_box=True, contact=CONTACT, description="Went quiet.")


def test_an_order_opens_a_case_with_the_journeys_data_and_a_new_customer(shop: None) -> None:
    case = order_place(order=ORDER, nonce="n-1")

    assert case.journey.name == "mail-in-repair"
    assert case.state == "awaiting_payment"
    intake = {
        "model": "nano-player-4g",
        "problem": "not_sure",
        "prepaid_box": True,
        "problem_notes": "Went quiet.",
        "diagnosis_price": 29.0,
        "return_address": {
            "name": "Maya Okafor",
            "line1": "12 Mill Lane",
            "line2": "Flat 2",
            "town": "Bristol",
            "postcode": "BS1 4DJ",
            "country": "GB",
        },
    }
    # Exactly the intake, and the values every case of the journey starts with
    assert case.data == {**intake, **journey_of(case.journey).initial_data()}
    customer = Customer.objects.get()
    assert case.customer == customer
    assert (customer.name, customer.email, customer.phone) == ("Maya Okafor", "maya@example.com", "+447700900123")
    assert (customer.address_line1, customer.address_line2, customer.town, customer.postcode, customer.country) == (
        "12 Mill Lane",
        "Flat 2",
        "Bristol",
        "BS1 4DJ",
        "GB",
    )
    assert (customer.preferred_channel, customer.plain_messages) == ("email", True)
    opened = TimelineEntry.objects.get(case=case)
    assert (opened.event, opened.actor_kind, opened.idempotency_key) == ("opened", "customer", "intake:n-1")
    assert list(OutboxMessage.objects.filter(case=case).values_list("touchpoint", "recipient")) == [
        ("order_received", "maya@example.com")
    ]


def test_an_order_from_a_known_address_never_writes_to_that_customer(shop: None) -> None:
    # An order form proves nobody's identity: someone typing a known address must not change that
    # customer's name, address or preferences, nor fill in what we didn't have. The order keeps its
    # own return address, name and phone.
    known = CustomerFactory(name="M. Okafor", email="maya@example.com", tier="gold", town="Leeds", plain_messages=False)

    case = order_place(order=replace(ORDER, prepaid_box=False, problem="battery"), nonce="n-2")

    known.refresh_from_db()
    assert case.customer_id == known.pk
    assert Customer.objects.count() == 1
    assert (known.name, known.town, known.postcode, known.tier, known.plain_messages) == (
        "M. Okafor",
        "Leeds",
        "",  # we had none, and a form doesn't give us one
        "gold",
        False,
    )
    assert (case.data["return_address"]["name"], case.data["return_address"]["town"]) == ("Maya Okafor", "Bristol")
    assert (case.contact_name, case.contact_phone) == (CONTACT.name, "+447700900123")  # in E.164
    assert (case.data["prepaid_box"], case.data["problem"]) == (False, "battery")


def test_the_same_nonce_twice_opens_one_case(shop: None) -> None:
    first = order_place(order=ORDER, nonce="n-3")
    again = order_place(order=ORDER, nonce="n-3")

    assert again.pk == first.pk
    assert Case.objects.count() == 1
    assert OutboxMessage.objects.count() == 1


def test_a_used_nonce_with_another_email_is_refused_and_opens_nothing(shop: None) -> None:
    first = order_place(order=ORDER, nonce="n-4")
    stranger = replace(ORDER, contact=replace(CONTACT, email="eve@example.com"))

    with pytest.raises(OrderRefused) as refused:
        order_place(order=stranger, nonce="n-4")

    assert refused.value.field is None
    assert str(refused.value) == "This order form has already been used. Reload the page to start a new order."
    assert list(Case.objects.values_list("pk", flat=True)) == [first.pk]
    assert list(Customer.objects.values_list("email", flat=True)) == ["maya@example.com"]


def test_a_used_nonce_with_a_different_order_is_refused_not_dropped(shop: None) -> None:
    first = order_place(order=ORDER, nonce="n-5")

    with pytest.raises(OrderRefused) as refused:
        order_place(order=replace(ORDER, model="slate-tab-air-10"), nonce="n-5")

    assert str(refused.value) == (
        f"This order form was already used for order {first.reference}. Reload the page to place another order."
    )
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"model": "brick-phone"}, "model", "Pick your device from the list (search by its name if it isn't shown)."),
        ({"model": "toaster"}, "model", "Pick your device from the list (search by its name if it isn't shown)."),
        ({"problem": "floppy"}, "problem", "Pick what's wrong from the list, or “Not sure what's wrong”."),
        ({"description": "x" * 2001}, "description", "Please keep the description under 2000 characters."),
        ({"name": "  "}, "name", "Tell us your name, so we know who the device belongs to."),
        ({"email": "maya@"}, "email", "Enter an email address like name@example.com: we send your updates there."),
        (
            {"address_line1": ""},
            "address_line1",
            "Enter the first line of your address: we post the device back there.",
        ),
        ({"town": ""}, "town", "Enter your town or city: we post the device back there."),
        ({"postcode": "12345"}, "postcode", "That doesn't look like a UK postcode: it should look like LS1 4AB."),
        ({"country": "Britain"}, "country", "Pick the country we post the device back to."),
        ({"preferred_channel": "fax"}, "channel", "Choose email or text message."),
        (
            {"preferred_channel": "sms", "phone": ""},
            "phone",
            "Give us a mobile number for the text messages, or choose email instead.",
        ),
    ],
)
def test_a_bad_order_is_refused_beside_its_field_and_writes_nothing(
    shop: None, change: dict[str, Any], field: str, message: str
) -> None:
    order_fields = {k: v for k, v in change.items() if k in ("model", "problem", "description")}
    contact_fields = {k: v for k, v in change.items() if k not in order_fields}
    order = replace(ORDER, contact=replace(CONTACT, **contact_fields), **order_fields)

    with pytest.raises(OrderRefused) as refused:
        order_place(order=order, nonce="n-bad")

    assert (refused.value.field, str(refused.value)) == (field, message)
    assert (Case.objects.count(), Customer.objects.count(), OutboxMessage.objects.count()) == (0, 0, 0)


def test_a_postcode_abroad_is_not_held_to_the_uk_format(shop: None) -> None:
    order = replace(ORDER, contact=replace(CONTACT, country="ie", postcode="D02 X285", phone="+44 7700 900123"))

    case = order_place(order=order, nonce="n-ie")

    assert case.data["return_address"]["country"] == "IE"
    assert case.customer.country == "IE"
    assert DeviceModel.objects.get(slug=case.data["model"]).diagnosis_price == Decimal("29.00")
