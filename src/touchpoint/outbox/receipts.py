"""Delivery receipts for texts: what the provider later says became of one (Twilio's status callbacks).

Receipts come in any order and more than once, so a message's ``delivery`` only moves forward
(``queued`` → ``sending`` → ``sent`` → ``delivered``/``undelivered``/``failed`` → ``read``): a late
"sent" after "delivered" changes nothing, and the same receipt twice changes nothing the second time.

A text that finally can't be delivered is not a silent drop: the customer gets the same touch point
by email (an :class:`OutboxMessage` whose ``fallback_for`` is the text, one per text), or, when they
asked for texts only, a person gets the task of reaching them. The receipt, the email, the task and
the timeline entry commit together."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, TaskKind, TimelineKind
from touchpoint.cases.services.handoffs import fallback_owner
from touchpoint.cases.services.tasks import task_open
from touchpoint.cases.services.timeline import timeline_append
from touchpoint.core.clock import now
from touchpoint.customers.models import Customer
from touchpoint.outbox.attachments import attachment_kinds
from touchpoint.outbox.delivery import RANK, UNDELIVERABLE
from touchpoint.outbox.models import OutboxMessage
from touchpoint.outbox.rendering import render_touchpoint
from touchpoint.outbox.services import case_mail_headers, notice_enqueue

FALLBACK_KEY = "sms-fallback:{pk}"


@dataclass(frozen=True)
class ReceiptApplied:
    outcome: str  # recorded | unchanged | unknown (no text of ours has that id) | ignored (a status we don't know)
    message_id: int | None = None
    fallback_id: int | None = None  # the email standing in for the text
    task_id: int | None = None


def receipt_apply(
    *, provider_ref: str, status: str, error_code: str = "", error_message: str = "", message_id: int | None = None
) -> ReceiptApplied:
    """Record one delivery receipt for the text the provider calls ``provider_ref``. Opens its own
    transaction and holds the message's row (and its case's, for the timeline) while it decides.

    ``message_id`` is our id for the text, from the status callback's address (signed with it). It
    finds a text whose receipt came before the worker recorded the provider's id for it (a number
    that fails at once is reported while the worker still waits for the provider's answer); the
    receipt then records that id itself. A text already known by another id is not this one."""
    rank = RANK.get(status)
    if rank is None:
        return ReceiptApplied("ignored")
    with transaction.atomic():
        texts = OutboxMessage.objects.select_for_update(of=("self",)).select_related("case__customer", "case__journey")
        text = texts.filter(provider_ref=provider_ref).first()
        if text is None and message_id is not None:
            text = texts.filter(pk=message_id, channel="sms", provider_ref="").first()
        if text is None:
            return ReceiptApplied("unknown")
        if RANK.get(text.delivery, 0) >= rank:
            return ReceiptApplied("unchanged", text.pk)
        error = " ".join(part for part in (error_code, error_message) if part)[:200]
        text.delivery, text.delivery_error, text.provider_ref = status, error, provider_ref
        OutboxMessage.objects.filter(pk=text.pk).update(
            delivery=status, delivery_error=error, provider_ref=provider_ref
        )
        if status not in UNDELIVERABLE:
            return ReceiptApplied("recorded", text.pk)
        return _undeliverable(text)


def _customer_of(text: OutboxMessage) -> Customer | None:
    if text.case is not None:
        return text.case.customer
    found = list(Customer.objects.filter(phone=text.recipient)[:2])
    return found[0] if len(found) == 1 else None


def _undeliverable(text: OutboxMessage) -> ReceiptApplied:
    at = now()
    case = Case.objects.select_for_update(of=("self",)).get(pk=text.case.pk) if text.case is not None else None
    customer = _customer_of(text)
    why = text.delivery_error or text.delivery
    what = f"“{text.subject}”" if text.subject else "a text"
    if customer is None or customer.texts_only or not customer.email:
        reason = f"{customer.name} asked for texts only" if customer is not None else "we know no email for it"
        reference = case.reference if case is not None else "No case"
        task = task_open(
            kind=TaskKind.DELIVERY_FAILED,
            owner=fallback_owner(),
            case=case,
            priority=1,
            due_at=at,
            title=f"{reference}: a text to {text.recipient} could not be delivered — reach them another way",
            detail=f"The text {what} to {text.recipient} was not delivered ({why}), and {reason}, so no email "
            f"stands in for it.\n\n{text.body_text}",
            source_key=f"sms-undelivered:{text.pk}",
        )
        if case is not None:
            timeline_append(
                case=case,
                kind=TimelineKind.DELIVERY,
                actor=SYSTEM,
                at=at,
                event="text_undelivered",
                summary=f"Text {what} to {text.recipient} was not delivered ({why}): a person will reach them",
                detail={"message": text.pk, "error": why, "task": task.pk},
            )
        return ReceiptApplied("recorded", text.pk, task_id=task.pk)
    email = text_fallback_email(text=text, case=case, customer=customer)
    if case is not None:
        timeline_append(
            case=case,
            kind=TimelineKind.DELIVERY,
            actor=SYSTEM,
            at=at,
            event="text_undelivered",
            summary=f"Text {what} to {text.recipient} was not delivered ({why}): sent by email instead",
            detail={"message": email.pk, "text": text.pk, "error": why},
        )
    return ReceiptApplied("recorded", text.pk, fallback_id=email.pk)


def text_fallback_email(*, text: OutboxMessage, case: Case | None, customer: Customer) -> OutboxMessage:
    """The same touch point by email, written once per text (its key names the text). The caller
    holds ``case``'s row (when there is one) inside its transaction."""
    key = FALLBACK_KEY.format(pk=text.pk)
    existing = OutboxMessage.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    if case is None or not text.touchpoint:
        # A notice (an answer to a text): its own words, by email.
        email = notice_enqueue(
            recipient=customer.email,
            subject=text.subject or "Our text to you",
            body_text=text.body_text,
            idempotency_key=key,
            case=case,
        )
        OutboxMessage.objects.filter(pk=email.pk).update(fallback_for=text)
        return email
    journey = journey_of(case.journey)
    # A file the touch point carries (the box label) went by email beside the text already.
    carried = OutboxMessage.objects.filter(idempotency_key=f"{text.idempotency_key}:files").exists()
    files = [] if carried else attachment_kinds(text.touchpoint)
    rendered = render_touchpoint(case=case, journey=journey, key=text.touchpoint)
    at = now()
    domain = settings.TOUCHPOINT_MAIL_DOMAIN
    message_id = f"<{case.reference}.sms{text.pk}.{secrets.token_hex(8)}@{domain}>"
    return OutboxMessage.objects.create(
        case=case,
        channel="email",
        recipient=customer.email,
        touchpoint=text.touchpoint,
        tone=rendered.tone,
        tone_reason=rendered.tone_reason[:200],
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        headers=case_mail_headers(case=case, message_id=message_id),
        attachments=files,
        max_attempts=settings.TOUCHPOINT_OUTBOX_MAX_ATTEMPTS,
        next_attempt_at=at,
        idempotency_key=key,
        created_at=at,
        fallback_for=text,
    )
