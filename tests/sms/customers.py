"""Customers who order on the order page giving a mobile number, as texts customers do."""

from __future__ import annotations

from itertools import count

from tests.support.orders import place_repair_order
from touchpoint.cases.models import Case
from touchpoint.customers.services import Contact

MOBILE = "+447700900123"
_people = count(1)


def order_with_phone(*, phone: str = MOBILE, channel: str = "sms", email: str | None = None) -> Case:
    """Someone orders a repair with ``phone`` and asks to be kept posted by ``channel``."""
    n = next(_people)
    contact = Contact(
        name=f"Nora Texter{n}",
        email=email or f"nora{n}@example.com",
        phone=phone,
        address_line1="1 Park Row",
        town="Leeds",
        postcode="LS1 5AB",
        country="GB",
        preferred_channel=channel,
    )
    return place_repair_order(contact=contact)
