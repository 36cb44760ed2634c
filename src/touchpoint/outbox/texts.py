"""Which channel a customer's touch point goes by, and a number that asked not to be texted.

The SMS package (receipts, replies, STOP) sits above the outbox, so what the outbox itself needs to
decide about texts lives here: a customer who prefers texts, has a number and hasn't opted out
gets texts; everyone else email."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.models import Case, TimelineKind
from touchpoint.cases.services.timeline import timeline_append
from touchpoint.customers.models import Channel, Customer
from touchpoint.hours.quiet import quiet_until
from touchpoint.text.phones import phone_zones


def texts_wanted(customer: Customer) -> bool:
    """The customer chose texts, gave a number we hold in E.164, and hasn't opted out."""
    return (
        customer.preferred_channel == Channel.SMS
        and customer.phone.startswith("+")
        and customer.sms_opted_out_at is None
    )


def sms_due(*, phone: str, at: datetime, asked: bool = False) -> datetime:
    """When a text to ``phone`` written at ``at`` may go: at once, or when the quiet hours end
    (``TOUCHPOINT_SMS_QUIET_START``–``_END``) in the number's time zone (every one of them, for a
    number spanning several; the shop's when the number doesn't say). ``asked``: the customer just
    asked for it (it answers their own step), so it goes now, night or not."""
    if asked:
        return at
    start = time.fromisoformat(settings.TOUCHPOINT_SMS_QUIET_START)
    end = time.fromisoformat(settings.TOUCHPOINT_SMS_QUIET_END)
    zones = phone_zones(phone) or (settings.TIME_ZONE,)
    ends = [quiet_until(at, zone=ZoneInfo(zone), start=start, end=end) for zone in zones]
    return max([at, *(one for one in ends if one is not None)])


def sms_opt_out_record(*, phone: str, at: datetime, why: str, case: Case | None = None) -> int:
    """Record that ``phone`` (E.164) must never be texted again: every customer holding the number is
    opted out (the first time only: a later word changes nothing) and ``case``'s timeline says why.
    Returns how many customers were opted out now. Opens its own transaction."""
    with transaction.atomic():
        changed = Customer.objects.filter(phone=phone, sms_opted_out_at__isnull=True).update(sms_opted_out_at=at)
        if changed and case is not None:
            locked = Case.objects.select_for_update().get(pk=case.pk)
            timeline_append(
                case=locked,
                kind=TimelineKind.DELIVERY,
                actor=SYSTEM,
                at=at,
                event="sms_opted_out",
                summary=f"{phone} opted out of texts ({why}): messages go by email from now on",
                detail={"phone": phone, "why": why},
            )
        return changed
