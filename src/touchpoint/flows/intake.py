"""Placing a mail-in repair order: the customer and their case, written together, once.

Everything the ``mail-in-repair`` journey's guards read is gathered here, at the start, so no
later step has to ask the customer again (model, problem, prepaid box or not). The order's price is
the model's diagnosis price plus, with a prepaid box, the chosen service level's postage: both fixed
here, at order time, in the case's data (``payments.selectors.case_price`` reads them back)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from touchpoint.cases.actors import CUSTOMER
from touchpoint.cases.errors import CaseError
from touchpoint.cases.models import Case
from touchpoint.catalog.models import DeviceModel
from touchpoint.catalog.selectors import device_model_offered, problems_offered
from touchpoint.customers.models import Channel
from touchpoint.customers.services import Contact, customer_upsert, email_normalise
from touchpoint.flows.advance import AdvanceResult, case_open
from touchpoint.journeys.data import coerce
from touchpoint.text.phones import NumberRefused, phone_normalise

JOURNEY = "mail-in-repair"
DESCRIPTION_MAX = 2000
# A UK postcode, loosely (the carrier's label check is the strict one): "LS1 4AB", "sw1a1aa".
GB_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$", re.IGNORECASE)


class OrderRefused(CaseError):
    """The order can't be placed as given; ``field`` names the form field the message belongs beside
    (None for the form as a whole). Nothing was written."""

    def __init__(self, field: str | None, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Postage:
    """The shop's service level chosen for the prepaid box's parcel, as the order form offered it
    (``shipping.service_levels``: the caller reads it, since the shipping app sits above this one)."""

    code: str
    name: str
    price: Decimal  # in the shop's currency; 0 for a level the shop offers free


@dataclass(frozen=True)
class Order:
    """One repair order as the customer gave it."""

    model: str  # a catalog DeviceModel slug
    problem: str  # a catalog Problem slug, or "not_sure"
    prepaid_box: bool  # True: send me a prepaid box; False: I'll post it myself
    contact: Contact
    description: str = ""
    postage: Postage | None = None  # the service level chosen; charged only with a prepaid box


@dataclass(frozen=True)
class Offered:
    """What the catalog offers, as the caller read it a moment ago in the same request (the order
    form checked its choices against it), so placing the order doesn't read it again."""

    models: tuple[DeviceModel, ...]  # active models, the chosen one among them
    problems: frozenset[str]  # the slugs of the problems offered


def order_check(order: Order, offered: Offered | None = None) -> Decimal:
    """Refuse (:class:`OrderRefused`) what the journey or the post can't work with; returns the
    diagnosis price of the chosen model. Reads only (nothing when ``offered`` is given)."""
    if offered is None:
        device = device_model_offered(order.model)
        problems = frozenset(slug for slug, _ in problems_offered())
    else:
        device = next((m for m in offered.models if m.slug == order.model and m.active), None)
        problems = offered.problems
    if device is None:
        raise OrderRefused("model", "Pick your device from the list (search by its name if it isn't shown).")
    if order.problem not in problems:
        raise OrderRefused("problem", "Pick what's wrong from the list, or “Not sure what's wrong”.")
    if len(order.description) > DESCRIPTION_MAX:
        raise OrderRefused("description", f"Please keep the description under {DESCRIPTION_MAX} characters.")
    c = order.contact
    if not c.name.strip():
        raise OrderRefused("name", "Tell us your name, so we know who the device belongs to.")
    try:
        validate_email(email_normalise(c.email))
    except ValidationError:
        message = "Enter an email address like name@example.com: we send your updates there."
        raise OrderRefused("email", message) from None
    for field, value, what in (
        ("address_line1", c.address_line1, "the first line of your address"),
        ("town", c.town, "your town or city"),
        ("postcode", c.postcode, "your postcode"),
    ):
        if not value.strip():
            raise OrderRefused(field, f"Enter {what}: we post the device back there.")
    if not re.fullmatch(r"[A-Za-z]{2}", c.country.strip()):
        raise OrderRefused("country", "Pick the country we post the device back to.")
    if c.country.strip().upper() == "GB" and not GB_POSTCODE.match(c.postcode.strip()):
        raise OrderRefused("postcode", "That doesn't look like a UK postcode: it should look like LS1 4AB.")
    if c.preferred_channel not in Channel.values:
        raise OrderRefused("channel", "Choose email or text message.")
    if c.preferred_channel == Channel.SMS and not c.phone.strip():
        raise OrderRefused("phone", "Give us a mobile number for the text messages, or choose email instead.")
    if c.phone.strip():
        try:
            phone_normalise(c.phone, country=c.country)
        except NumberRefused as exc:
            raise OrderRefused("phone", exc.message) from None
    return device.diagnosis_price


def order_place(*, order: Order, nonce: str, offered: Offered | None = None) -> Case:
    """Place ``order`` (:func:`order_open`); the case it opened, or opened the first time."""
    return order_open(order=order, nonce=nonce, offered=offered).case


def order_open(*, order: Order, nonce: str, offered: Offered | None = None) -> AdvanceResult:
    """Place ``order``: find or create the customer by email (a known customer is left as we hold them:
    an order proves no one's identity) and open a ``mail-in-repair`` case with the journey's data and
    the name and phone given with the order, in one transaction.

    ``nonce`` is the order form's one-time key: the same nonce again (a double click, a resubmitted
    page) returns the case it opened and writes nothing. Raises :class:`OrderRefused` with nothing
    written. ``offered``: the catalog as the caller just read it (else it is read here).
    Opens its own transaction (a savepoint inside the caller's: the order page commits the order
    with its count against the rate limit and its page's link)."""
    key = f"intake:{nonce}"
    diagnosis = order_check(order, offered)
    postage = order.postage if order.prepaid_box else None
    c = order.contact
    if c.phone.strip():  # kept in E.164, as texts are sent and inbound texts found (checked above)
        c = replace(c, phone=phone_normalise(c.phone, country=c.country))
    data = {
        "model": order.model,
        "problem": order.problem,
        "prepaid_box": order.prepaid_box,
        "problem_notes": order.description.strip(),
        # The order's whole price for now: the opening message ("payment of …") is written from it
        # inside case_open, before the postage can be kept beside it (the journey declares no field
        # for it); set back to the diagnosis alone below, in the same transaction.
        "diagnosis_price": str(diagnosis + (postage.price if postage is not None else 0)),
        # This case's way home as given with the order, kept even if the customer's record changes later.
        "return_address": {
            "name": c.name.strip(),
            "line1": c.address_line1.strip(),
            "line2": c.address_line2.strip(),
            "town": c.town.strip(),
            "postcode": c.postcode.strip().upper(),
            "country": c.country.strip().upper(),
        },
    }
    with transaction.atomic():
        customer = customer_upsert(contact=c)
        # The nonce is looked up once, by case_open (a seen one returns the case it opened); a replay
        # sent by someone else, or with another order, raises here and rolls back what was written.
        opened = case_open(
            journey=JOURNEY, customer=customer, actor=CUSTOMER, data=data, idempotency_key=key, contact=c
        )
        if opened.replayed:
            _replay_check(opened.case, order)
        elif postage is not None:
            _postage_keep(opened.case, diagnosis=diagnosis, postage=postage)
        return opened


def _postage_keep(case: Case, *, diagnosis: Decimal, postage: Postage) -> None:
    """Keep the chosen service level in the case's data, where the label buyer (``service_level``:
    ``shipping.postage_buy``) and the money (``service_level_price``: ``payments.selectors``) read it,
    and the diagnosis price alone beside it: one write, in the order's transaction. The price stays as
    it was offered: a later change in the console doesn't reach an order already placed.

    Written beside the journey's declared data, not through it: declaring it in the journey would make
    every opener of a mail-in repair give it (a journey's intake fields are all required)."""
    case.data = {
        **case.data,
        "diagnosis_price": coerce("money", str(diagnosis)),
        "service_level": postage.code,
        "service_level_name": postage.name,
        "service_level_price": str(postage.price.quantize(Decimal("0.01"))),
    }
    Case.objects.filter(pk=case.pk).update(data=case.data)


def _replay_check(case: Case, order: Order) -> None:
    """Refuse a form sent again that isn't the order it placed (``case``)."""
    if case.customer.email != email_normalise(order.contact.email):
        # The same form sent again by someone else: it must not open the first person's case.
        raise OrderRefused(None, "This order form has already been used. Reload the page to start a new order.")
    data = case.data
    level = order.postage.code if order.postage is not None and order.prepaid_box else None
    if (data.get("model"), data.get("problem"), data.get("prepaid_box"), data.get("service_level")) != (
        order.model,
        order.problem,
        order.prepaid_box,
        level,
    ):
        # A second order sent from a page opened before the first was placed: don't drop it silently.
        raise OrderRefused(
            None,
            f"This order form was already used for order {case.reference}. Reload the page to place another order.",
        )
