"""The customer chooses how we keep them posted, from their case's page: email or texts (and texts
only, with no email standing in when a text can't be delivered). Recorded on the case's timeline."""

from __future__ import annotations

from django.db import transaction

from touchpoint.cases.actors import CUSTOMER
from touchpoint.cases.models import Case, TimelineKind
from touchpoint.cases.services.timeline import timeline_append
from touchpoint.core.clock import now
from touchpoint.customers.models import Channel, Customer

CHANNEL_EVENT = "channel_switched"


def channel_words(*, channel: str, phone: str, texts_only: bool) -> str:
    """How we keep them posted, in the words the timeline and the page use."""
    if channel != Channel.SMS:
        return "by email"
    return f"by text to {phone}" + (" only" if texts_only else "")


def case_channel_switch(*, case: Case, channel: str, phone: str, texts_only: bool) -> bool:
    """Keep ``case``'s customer posted by ``channel`` ("email" or "sms"; ``phone`` already E.164 for
    texts, or the number we hold). Returns False when nothing changed (the same choice sent twice).
    Opens its own transaction and holds the case's row while its timeline grows; the customer's
    record and the entry commit together. Every later touch point follows the new choice."""
    texts_only = texts_only and channel == Channel.SMS
    with transaction.atomic():
        locked = Case.objects.select_for_update(of=("self",)).select_related("customer").get(pk=case.pk)
        customer = locked.customer
        before = (customer.preferred_channel, customer.phone, customer.texts_only)
        after = (channel, phone or customer.phone, texts_only)
        if before == after:
            return False
        Customer.objects.filter(pk=customer.pk).update(preferred_channel=channel, phone=after[1], texts_only=texts_only)
        customer.preferred_channel, customer.phone, customer.texts_only = after
        was = channel_words(channel=before[0], phone=before[1], texts_only=before[2])
        now_words = channel_words(channel=channel, phone=after[1], texts_only=texts_only)
        timeline_append(
            case=locked,
            kind=TimelineKind.NOTE,
            actor=CUSTOMER,
            at=now(),
            event=CHANNEL_EVENT,
            summary=f"The customer asked to be kept posted {now_words} (was {was})",
            detail={"channel": channel, "phone": after[1], "texts_only": texts_only, "was": was},
        )
        return True
