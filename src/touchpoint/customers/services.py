"""Writes to customers."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from touchpoint.customers.models import Channel, Customer


@dataclass(frozen=True)
class Contact:
    """What a customer tells us about themselves on the order form."""

    name: str
    email: str
    phone: str = ""
    address_line1: str = ""
    address_line2: str = ""
    town: str = ""
    postcode: str = ""
    country: str = "GB"
    preferred_channel: str = Channel.EMAIL
    plain_messages: bool = False


def email_normalise(email: str) -> str:
    """One spelling per address, so "Ian@Example.com " and "ian@example.com" are one customer."""
    return email.strip().lower()


def customer_upsert(*, contact: Contact) -> Customer:
    """The customer with ``contact.email``: created from what they just told us, or, when we know the
    address already, that customer exactly as we hold them. A form proves nobody's identity, so it
    never writes to a known customer, not even a detail we didn't have: a stranger typing someone's
    address must not give us their phone number to call, or their town to sign feedback with. Each
    case keeps what was given with its own order (``Case.contact_name``, ``contact_phone``, its
    return address); staff change a customer's record in the admin.

    Only the INSERT needs a transaction of its own (a savepoint inside the caller's), so that two
    orders racing for a new address end with one customer and the caller's transaction goes on."""
    email = email_normalise(contact.email)
    customer = Customer.objects.filter(email__iexact=email).first()
    if customer is not None:
        return customer
    try:
        with transaction.atomic():
            return Customer.objects.create(
                email=email,
                name=contact.name.strip(),
                phone=contact.phone.strip(),
                address_line1=contact.address_line1.strip(),
                address_line2=contact.address_line2.strip(),
                town=contact.town.strip(),
                postcode=contact.postcode.strip().upper(),
                country=contact.country.strip().upper(),
                preferred_channel=contact.preferred_channel,
                plain_messages=contact.plain_messages,
            )
    except IntegrityError:  # created by a concurrent order a moment ago
        return Customer.objects.get(email__iexact=email)
