"""A customer at the counter: the walk-in-warranty case opened by the person serving them.

Everything the journey's guards read is gathered at once, at the counter (the device, its serial,
what is wrong, whether the warranty is in force and a receipt was found), and the tier comes from
the customer's record, never from what is typed: so the swap can be decided on the spot."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from touchpoint.cases.actors import staff_actor
from touchpoint.cases.errors import CaseError, IdempotencyKeyReused, TransitionRefused
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.customers.models import Customer
from touchpoint.customers.services import Contact, customer_upsert, email_normalise
from touchpoint.flows.advance import case_open
from touchpoint.staff.models import StaffUser
from touchpoint.text.phones import NumberRefused, phone_normalise

JOURNEY = "walk-in-warranty"
COUNTER_TEAM = "counter"
DEVICE_MAX = 200
SERIAL_MAX = 80
NOTES_MAX = 2000


class WalkInRefused(CaseError):
    """The walk-in can't be opened as given; ``field`` names the form field the message belongs
    beside (None for the form as a whole). Nothing was written."""

    def __init__(self, field: str | None, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class WalkIn:
    """What the counter gathers about the device. ``in_warranty`` is False when it can't be told."""

    device: str
    serial: str
    problem_notes: str
    in_warranty: bool
    has_receipt: bool


@dataclass(frozen=True)
class NewCustomer:
    """Someone we don't know yet, as they tell the counter."""

    name: str
    email: str
    phone: str = ""


def walkin_check(*, walkin: WalkIn, new_customer: NewCustomer | None) -> None:
    """Refuse (:class:`WalkInRefused`) what the journey or the customer record can't take. Reads nothing."""
    if not walkin.device.strip():
        raise WalkInRefused("device", "Say what they brought in, e.g. “Nano Player 4G earbuds”.")
    if len(walkin.device) > DEVICE_MAX:
        raise WalkInRefused("device", f"Keep the device under {DEVICE_MAX} characters.")
    if len(walkin.serial) > SERIAL_MAX:
        raise WalkInRefused("serial", f"A serial number is under {SERIAL_MAX} characters: check it.")
    if not walkin.problem_notes.strip():
        raise WalkInRefused("problem_notes", "Write what is wrong with it, in the customer's words.")
    if len(walkin.problem_notes) > NOTES_MAX:
        raise WalkInRefused("problem_notes", f"Keep it under {NOTES_MAX:,} characters.")
    if new_customer is not None:
        if not new_customer.name.strip():
            raise WalkInRefused("name", "Write the customer's name.")
        try:
            validate_email(email_normalise(new_customer.email))
        except ValidationError:
            message = "Enter their email address, like name@example.com: their receipt goes there."
            raise WalkInRefused("email", message) from None
        if new_customer.phone.strip():
            try:
                phone_normalise(new_customer.phone, country=settings.TOUCHPOINT_PHONE_COUNTRY, mobile=False)
            except NumberRefused as exc:
                raise WalkInRefused("phone", exc.message) from None


def walkin_open(
    *,
    walkin: WalkIn,
    by: StaffUser,
    nonce: str,
    customer: Customer | None = None,
    new_customer: NewCustomer | None = None,
) -> Case:
    """Open a walk-in-warranty case for ``customer`` (found at the counter) or ``new_customer`` (added
    now; an address we already know finds its customer, whose details are kept as they are; the case
    keeps the name and phone given at the counter), as ``by``. The tier is the customer's own.

    ``nonce`` is the counter form's one-time key: the same nonce again (a double click, a resent page)
    returns the case it opened and writes nothing. Raises :class:`WalkInRefused` with nothing written.
    Opens its own transaction."""
    if (customer is None) == (new_customer is None):
        raise WalkInRefused("customer", "Choose the customer, or add them as a new customer.")
    key = f"walkin:{nonce}"
    replay = TimelineEntry.objects.select_related("case").filter(idempotency_key=key).first()
    if replay is not None:
        if replay.event != "opened":
            raise IdempotencyKeyReused(key)
        return replay.case
    walkin_check(walkin=walkin, new_customer=new_customer)
    with transaction.atomic():
        contact: Contact | None = None  # a customer found at the counter: their record
        if customer is None:
            assert new_customer is not None  # exactly one of them, checked above
            phone = (
                phone_normalise(new_customer.phone, country=settings.TOUCHPOINT_PHONE_COUNTRY, mobile=False)
                if new_customer.phone.strip()
                else ""
            )
            contact = Contact(name=new_customer.name.strip(), email=new_customer.email, phone=phone)
            customer = customer_upsert(contact=contact)
        data = {
            "device": walkin.device.strip(),
            "serial": walkin.serial.strip(),
            "problem_notes": walkin.problem_notes.strip(),
            "in_warranty": walkin.in_warranty,
            "has_receipt": walkin.has_receipt,
            "tier": customer.tier,
        }
        try:
            opened = case_open(
                journey=JOURNEY,
                customer=customer,
                actor=staff_actor(by),
                data=data,
                idempotency_key=key,
                contact=contact,
            )
        except TransitionRefused as exc:
            raise WalkInRefused(None, f"The walk-in couldn't be opened: {exc}") from exc
    return opened.case
