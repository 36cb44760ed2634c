"""Reporting a wrong or broken delivery: the customer and their ``order-problem`` case, written once.

Everything the journey needs is asked in one go (principle 3): the order number, what happened,
what the customer paid for the order (a refund pays back exactly this), their own words and photos,
and how to reach them. A wrong item has to come back; a damaged one doesn't."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from touchpoint.cases.actors import CUSTOMER
from touchpoint.cases.errors import CaseError, IdempotencyKeyReused
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.customers.models import Channel
from touchpoint.customers.services import Contact, customer_upsert, email_normalise
from touchpoint.flows.advance import case_open
from touchpoint.inbox.photos import Photo
from touchpoint.inbox.portal import portal_message_receive
from touchpoint.inbox.sentiment import sentiment_of
from touchpoint.text.phones import NumberRefused, phone_normalise

JOURNEY = "order-problem"
WHAT_HAPPENED = {"wrong_item": "The wrong item arrived", "damaged": "It arrived damaged"}
WORDS_MAX = 2000
ORDER_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 #/._-]{0,39}$")
TOTAL_MAX = Decimal("100000")


class ReportRefused(CaseError):
    """The report can't be taken as given; ``field`` names the form field the message belongs beside
    (None for the form as a whole). Nothing was written."""

    def __init__(self, field: str | None, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Report:
    """One problem with a delivery, as the customer gave it."""

    order_number: str
    what_happened: str  # a key of WHAT_HAPPENED
    order_total: Decimal  # what they paid for the order, as on their confirmation
    contact: Contact
    words: str = ""


def report_check(report: Report) -> None:
    """Refuse (:class:`ReportRefused`) what the journey or we can't work with. Reads nothing."""
    if not ORDER_NUMBER.match(report.order_number.strip()):
        raise ReportRefused(
            "order_number", "Enter the order number from your confirmation email, e.g. 100234 (letters and digits)."
        )
    if report.what_happened not in WHAT_HAPPENED:
        raise ReportRefused("what_happened", "Choose what happened: the wrong item, or it arrived damaged.")
    total = report.order_total
    if not Decimal("0") <= total < TOTAL_MAX or total != total.quantize(Decimal("0.01")):
        raise ReportRefused("order_total", "Enter what you paid for the order, like 24.99, as on your confirmation.")
    if len(report.words) > WORDS_MAX:
        raise ReportRefused("words", f"Please keep it under {WORDS_MAX:,} characters.")
    c = report.contact
    if not c.name.strip():
        raise ReportRefused("name", "Tell us your name, so we know whose order it is.")
    try:
        validate_email(email_normalise(c.email))
    except ValidationError:
        raise ReportRefused(
            "email", "Enter an email address like name@example.com: we send your updates there."
        ) from None
    if c.preferred_channel not in Channel.values:
        raise ReportRefused("channel", "Choose email or text message.")
    if c.preferred_channel == Channel.SMS and not c.phone.strip():
        raise ReportRefused("phone", "Give us a mobile number for the text messages, or choose email instead.")
    if c.phone.strip():
        try:
            phone_normalise(c.phone, country=c.country)
        except NumberRefused as exc:
            raise ReportRefused("phone", exc.message) from None


def report_place(*, report: Report, photos: list[Photo], nonce: str) -> Case:
    """Open an ``order-problem`` case for ``report``: find or create the customer by email (an order
    never overwrites a known customer), open the case with the journey's intake data, and keep the
    customer's words and photos as their message on it, in one transaction.

    ``photos`` are already cleaned (:func:`touchpoint.inbox.photos.photo_clean`). ``nonce`` is the
    report form's one-time key: the same nonce again returns the case it opened and writes nothing.
    Raises :class:`ReportRefused` with nothing written. The caller holds no transaction."""
    key = f"report:{nonce}"
    replay = _replayed(key, report)
    if replay is not None:
        return replay
    report_check(report)
    words = report.words.strip()
    data = {
        "order_number": report.order_number.strip(),
        "what_happened": report.what_happened,
        "problem_notes": words,
        "order_total": str(report.order_total),
        "return_needed": report.what_happened == "wrong_item",
    }
    contact = report.contact
    if contact.phone.strip():  # kept in E.164, as texts are sent and inbound texts found (checked above)
        contact = replace(contact, phone=phone_normalise(contact.phone, country=contact.country))
    with transaction.atomic():
        customer = customer_upsert(contact=contact)
        case = case_open(
            journey=JOURNEY,
            customer=customer,
            actor=CUSTOMER,
            data=data,
            idempotency_key=key,
            opening_sentiment=sentiment_of(words),  # so the acknowledgement reads their words' mood
            contact=contact,
        ).case
        if words or photos:
            # Kept as their first message, like one written on the case page: staff see the photos there.
            portal_message_receive(case=case, text=words, photos=photos, nonce=f"report-{nonce}")
        return case


def _replayed(key: str, report: Report) -> Case | None:
    entry = TimelineEntry.objects.select_related("case__customer").filter(idempotency_key=key).first()
    if entry is None:
        return None
    if entry.event != "opened":
        raise IdempotencyKeyReused(key)
    if entry.case.customer.email != email_normalise(report.contact.email):
        # The same form sent again by someone else: it must not open the first person's case.
        raise ReportRefused(None, "This form has already been used. Reload the page to report a problem.")
    data = entry.case.data
    if (data.get("order_number"), data.get("what_happened")) != (report.order_number.strip(), report.what_happened):
        raise ReportRefused(
            None,
            f"This form was already used for {entry.case.reference}. Reload the page to report another problem.",
        )
    return entry.case
