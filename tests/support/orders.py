"""Mail-in repair orders placed the way a customer places them: through ``order_place``, the
service behind the order page, so every case opens with the complete intake the journey declares
(model, problem, description, prepaid box, price, return address), never with data set by hand."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from itertools import count

from tests.support.factories import CustomerFactory
from touchpoint.cases.journeys import journey_register
from touchpoint.cases.models import Case, JourneyVersion
from touchpoint.catalog.models import DeviceKind, DeviceModel
from touchpoint.customers.models import Customer
from touchpoint.customers.services import Contact
from touchpoint.flows.intake import Order, order_place
from touchpoint.journeys.library import library_file

NANO = "nano-4g"
NANO_PRICE = Decimal("39.00")
_nonces = count(1)


def register_library(name: str) -> JourneyVersion:
    """A shipped journey, registered as ``journeys_sync`` does (checked once per test, not per case)."""
    path = library_file(name)
    assert path is not None
    source = path.read_text()
    known = JourneyVersion.objects.filter(name=name, sha256=hashlib.sha256(source.encode()).hexdigest()).first()
    return known or journey_register(source=source, filename=str(path))


def shop_catalog() -> DeviceModel:
    """The one device the tests repair: the Nano (4th gen), diagnosis and repair £39.00."""
    device, _ = DeviceModel.objects.get_or_create(
        slug=NANO, defaults={"name": "Nano (4th gen)", "kind": DeviceKind.MUSIC_PLAYER, "diagnosis_price": NANO_PRICE}
    )
    return device


def contact_of(customer: Customer) -> Contact:
    """What ``customer`` types on the order form: their own details, a Leeds address when we hold none."""
    return Contact(
        name=customer.name,
        email=customer.email,
        phone=customer.phone,
        address_line1=customer.address_line1 or "1 Park Row",
        address_line2=customer.address_line2,
        town=customer.town or "Leeds",
        postcode=customer.postcode or "LS1 5AB",
        country=customer.country or "GB",
        preferred_channel=customer.preferred_channel,
        plain_messages=customer.plain_messages,
    )


def place_repair_order(
    customer: Customer | None = None,
    *,
    prepaid_box: bool = False,
    model: str = NANO,
    problem: str = "not_sure",
    description: str = "",
    contact: Contact | None = None,
) -> Case:
    """``customer`` orders a repair on the order page (the shipped journey and the catalog are set up
    first), with their own details or the ``contact`` they type this time; the case waits for
    payment, with the order's touch point written."""
    register_library("mail-in-repair")
    shop_catalog()
    customer = customer or CustomerFactory()
    order = Order(
        model=model,
        problem=problem,
        prepaid_box=prepaid_box,
        contact=contact or contact_of(customer),
        description=description,
    )
    return order_place(order=order, nonce=f"test-order-{next(_nonces)}")
