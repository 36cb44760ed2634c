"""A tracking number the customer gives on their case page for the parcel they post to us.

A customer who posts their device in their own packaging tells us on their case page ("I've posted my
device"); with it, or later while the parcel travels, they may give its tracking number and carrier.
The number becomes the case's inbound parcel exactly as one typed at the scan station does
(:func:`touchpoint.shipping.services.shipment_record`): the worker registers it with the shop's tracker
(``shipping.trackers``), and the carrier's events then move the case and feed the watchdog."""

from __future__ import annotations

import re

from touchpoint.cases.models import Case
from touchpoint.journeys import Journey
from touchpoint.journeys.carrier import handed_over
from touchpoint.shipping.models import Leg, Shipment
from touchpoint.shipping.selectors import carrier_leg
from touchpoint.shipping.services import shipment_record

TRACKING_MIN = 6  # shorter than any carrier's numbers (DPD's are 10 digits, Royal Mail's 13 characters)
TRACKING_MAX = 40  # longer than any (USPS's longest, with its routing code, is 34)
_SHAPE = re.compile(r"[A-Z0-9-]+")


class NumberRefused(Exception):
    """A tracking number that can't be recorded, with what to tell the customer."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def tracking_number_read(typed: str) -> str:
    """``typed`` as shipping stores a tracking number (no spaces, upper case), or NumberRefused saying
    what is wrong with it in words."""
    number = "".join(typed.split())
    if not number.isascii() or not _SHAPE.fullmatch(number.upper()):
        raise NumberRefused(
            "A tracking number has only letters and digits (sometimes a hyphen): please copy it from your receipt."
        )
    if len(number) < TRACKING_MIN:
        raise NumberRefused(
            f"That's too short for a tracking number (they have at least {TRACKING_MIN} characters): "
            "please check your receipt."
        )
    if len(number) > TRACKING_MAX:
        raise NumberRefused(
            f"That's longer than any tracking number we know ({len(number)} characters; at most {TRACKING_MAX}): "
            "please check your receipt."
        )
    return number.upper()


def inbound_number(*, case: Case) -> str:
    """The tracking number we already have for the parcel coming to us, or blank."""
    found = (
        Shipment.objects.filter(case=case, leg=Leg.INBOUND)
        .exclude(tracking_number="")
        .order_by("-created_at", "-id")
        .values_list("tracking_number", flat=True)
        .first()
    )
    return found or ""


def number_wanted_with(*, journey: Journey, state: str, event: str) -> bool:
    """Whether taking ``event`` in ``state`` hands the carrier the parcel coming to us (mail-in repair's
    "I've posted my device"), so the customer may give its tracking number with it."""
    handed = handed_over(journey, state)
    return handed is not None and handed[0] == event and carrier_leg(journey=journey, state=state) == Leg.INBOUND


def number_wanted_later(*, case: Case, journey: Journey) -> bool:
    """Whether the case's page may take the tracking number on its own: the carrier holds the parcel
    coming to us already (the device in the post, or being traced) and we have no number for it."""
    if not case.is_open or handed_over(journey, case.state) is not None:
        return False
    return carrier_leg(journey=journey, state=case.state) == Leg.INBOUND and not inbound_number(case=case)


def parcel_give(*, case: Case, tracking_number: str, carrier: str) -> Shipment:
    """Record the tracking number the customer gave for the parcel they posted to us (``carrier`` as
    the shop names it, blank when they don't know). The caller holds the transaction: the move's when
    given with it, so the parcel commits with "posted". The case's row is locked, so the same number
    posted twice is one parcel (the one already recorded comes back). Raises NumberRefused for a
    number that can't be right: malformed, on another case's parcel or one we sent, or a second number
    for a parcel that has one."""
    number = tracking_number_read(tracking_number)
    Case.objects.select_for_update().only("pk").get(pk=case.pk)
    known = Shipment.objects.filter(case=case, leg=Leg.INBOUND, tracking_number=number).order_by("-created_at").first()
    if known is not None:
        return known
    other = Shipment.objects.filter(tracking_number=number).only("case_id", "leg").first()
    if other is not None and other.case_id == case.pk:
        raise NumberRefused(
            "That's the number of a parcel we sent you. The one we need is for the parcel you posted to us: "
            "it's on your receipt from the post office."
        )
    if other is not None:
        raise NumberRefused(
            "That tracking number is already on another order with us. Please check it against your receipt; "
            "if it's right, write to us below and a person will sort it out."
        )
    if given := inbound_number(case=case):
        raise NumberRefused(
            f"We already have the tracking number {given} for your parcel. If that one's wrong, write to us "
            "below and a person will put it right."
        )
    return shipment_record(case=case, leg=Leg.INBOUND, carrier=carrier, tracking_number=number)
