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
    """The customer with ``contact.email``, created from what they just told us, or, when we know the
    address already, with only the details we didn't have filled in. An order form proves nobody's
    identity, so it never overwrites a known customer's name, phone, address or preferences (each
    case keeps the return address given with its own order). Tier and mail health are ours.

    Opens its own transaction (a savepoint inside the caller's); two orders racing for a new
    address end with one customer."""
    email = email_normalise(contact.email)
    fields = {
        "name": contact.name.strip(),
        "phone": contact.phone.strip(),
        "address_line1": contact.address_line1.strip(),
        "address_line2": contact.address_line2.strip(),
        "town": contact.town.strip(),
        "postcode": contact.postcode.strip().upper(),
        "country": contact.country.strip().upper(),
        "preferred_channel": contact.preferred_channel,
        "plain_messages": contact.plain_messages,
    }
    with transaction.atomic():
        customer = Customer.objects.filter(email__iexact=email).first()
        if customer is None:
            try:
                with transaction.atomic():
                    return Customer.objects.create(email=email, **fields)
            except IntegrityError:  # created by a concurrent order a moment ago
                customer = Customer.objects.get(email__iexact=email)
        changed = [name for name, value in fields.items() if value and getattr(customer, name) in ("", None)]
        for name in changed:
            setattr(customer, name, fields[name])
        if changed:
            customer.save(update_fields=changed)
        return customer
