"""The outbox: enqueue in the caller's transaction, claim under leases, record each attempt.

Sending happens outside any transaction; a worker that dies mid-send leaves its lease to run out,
and the message is claimed and sent again (at least once). Retries back off exponentially up to a
cap; after the last attempt the message is dead and a person gets a task, never a silent drop.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import QuerySet

from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.models import Case, TaskKind, TimelineKind, Timer
from touchpoint.cases.services.handoffs import fallback_owner
from touchpoint.cases.services.tasks import task_open
from touchpoint.cases.services.timeline import timeline_append
from touchpoint.core.clock import now
from touchpoint.core.leases import lease_due
from touchpoint.journeys import Journey
from touchpoint.outbox.attachments import attachment_kinds
from touchpoint.outbox.delivery import statuses_at_or_past
from touchpoint.outbox.models import MessageStatus, OutboxMessage
from touchpoint.outbox.rendering import Rendered, render_touchpoint
from touchpoint.outbox.surveys import is_survey, survey_hold, survey_must_wait
from touchpoint.outbox.texts import sms_due, texts_wanted
from touchpoint.touchpoints.brand import notice_html

MAX_REFERENCES = 10  # the thread's first message and the nine latest: enough for every mail app to thread
AUTOMATED_HEADERS = {
    "Auto-Submitted": "auto-generated",  # RFC 3834: auto-responders must not answer
    "X-Auto-Response-Suppress": "OOF, AutoReply",  # the same request, in Exchange's words
}


def thread_headers(*, case: Case) -> dict[str, str]:
    """In-Reply-To (the case's latest outgoing Message-ID) and References (the chain, capped) so a
    customer's mail app shows a case's messages as one conversation. Empty for the first message.

    One SELECT along the (case, created_at) index for the latest few; a second for the very first
    message only when the case has more than those. The cost stays flat however long a case's
    conversation grows; it runs inside every transition that sends a message."""
    messages = OutboxMessage.objects.filter(case_id=case.pk)
    latest = list(messages.order_by("-created_at", "-id").values_list("id", "headers")[: MAX_REFERENCES - 1])
    if len(latest) == MAX_REFERENCES - 1:  # there may be older ones: the thread's first message heads the chain
        latest += messages.order_by("created_at", "id").values_list("id", "headers")[:1]
    found = [headers for _, headers in sorted(dict(latest).items())]  # ids grow with time: oldest first
    ids = [str(h["Message-ID"]) for h in found if isinstance(h, dict) and h.get("Message-ID")]
    if not ids:
        return {}
    return {"In-Reply-To": ids[-1], "References": " ".join(ids)}


def case_mail_headers(*, case: Case, message_id: str, opened: bool = False) -> dict[str, str]:
    """Every header a message to ``case``'s customer carries besides the usual ones. ``opened``: the
    case was created by the caller's transaction, so this is its first message (no thread to read)."""
    return {
        "Message-ID": message_id,
        **({} if opened else thread_headers(case=case)),
        "Reply-To": f"reply+{case.reply_token}@{settings.TOUCHPOINT_REPLY_DOMAIN}",
        **AUTOMATED_HEADERS,
    }


def touchpoint_enqueue(
    *,
    case: Case,
    journey: Journey,
    key: str,
    at: datetime,
    state_seq: int,
    opened: bool = False,
    timers: Sequence[Timer] | None = None,
    asked: bool = False,
) -> OutboxMessage:
    """Write the touch point's message for ``case``. Call inside the transaction that moved the case
    (``opened``: the one that created it; then nothing else refers to the case yet, and what only
    other rows could say is not read: see :func:`touchpoint.touchpoints.services.case_message_render`;
    ``timers``: every timer that transaction wrote for the case's new state, so they aren't read back).

    A customer who chose texts (:func:`touchpoint.outbox.texts.texts_wanted`) gets the touch point's
    SMS part, held through the night unless ``asked`` (the move answers the customer's own step); a
    touch point carrying a file (the box label) also goes by email, since a text can't carry it."""
    rendered = render_touchpoint(case=case, journey=journey, key=key, opened=opened, timers=timers)
    hold = is_survey(journey, case.state) and survey_must_wait(case=case)
    customer = case.customer
    files = attachment_kinds(key)
    common: dict[str, Any] = {
        "case": case,
        "touchpoint": key,
        "tone": rendered.tone,
        "tone_reason": rendered.tone_reason[:200],
        "subject": rendered.subject,
        "max_attempts": settings.TOUCHPOINT_OUTBOX_MAX_ATTEMPTS,
        "created_at": at,
        "status": MessageStatus.HELD if hold else MessageStatus.PENDING,
    }
    key_base = f"{case.pk}:{state_seq}:{key}"
    if texts_wanted(customer):
        message = OutboxMessage.objects.create(
            **common,
            channel="sms",
            recipient=customer.phone,
            body_text=rendered.sms,
            next_attempt_at=sms_due(phone=customer.phone, at=at, asked=asked),
            idempotency_key=key_base,
        )
        if files:
            _touchpoint_email(
                common,
                case=case,
                rendered=rendered,
                state_seq=state_seq,
                opened=opened,
                at=at,
                files=files,
                idempotency_key=f"{key_base}:files",
            )
    else:
        message = _touchpoint_email(
            common,
            case=case,
            rendered=rendered,
            state_seq=state_seq,
            opened=opened,
            at=at,
            files=files,
            idempotency_key=key_base,
        )
    if hold:
        survey_hold(case=case, message=message, at=at)
    return message


def _touchpoint_email(
    common: dict[str, Any],
    *,
    case: Case,
    rendered: Rendered,
    state_seq: int,
    opened: bool,
    at: datetime,
    files: list[str],
    idempotency_key: str,
) -> OutboxMessage:
    domain = getattr(settings, "TOUCHPOINT_MAIL_DOMAIN", "touchpoint.localhost")
    # Short enough that "Message-ID: <…>" is never folded: the case, the step, 64 random bits.
    message_id = f"<{case.reference}.{state_seq}.{secrets.token_hex(8)}@{domain}>"
    return OutboxMessage.objects.create(
        **common,
        channel="email",
        recipient=case.customer.email,
        body_text=rendered.text,
        body_html=rendered.html,
        headers=case_mail_headers(case=case, message_id=message_id, opened=opened),
        attachments=files,
        next_attempt_at=at,
        idempotency_key=idempotency_key,
    )


def notice_to_customer(
    *,
    case: Case,
    subject: str,
    body_text: str,
    sms: str,
    idempotency_key: str,
    body_html: str = "",
) -> OutboxMessage:
    """A notice to the case's customer by the channel they chose, as a touch point goes: ``sms``
    (two segments at most, with their case's link) as a text held through their night when they
    want texts, else the email. Written once per ``idempotency_key``; an undelivered text comes by
    email instead (:mod:`touchpoint.outbox.receipts`). Call inside the deciding transaction."""
    customer = case.customer
    if not texts_wanted(customer):
        return notice_enqueue(
            recipient=customer.email,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            idempotency_key=idempotency_key,
            case=case,
        )
    return text_enqueue(recipient=customer.phone, subject=subject, body=sms, idempotency_key=idempotency_key, case=case)


def text_enqueue(
    *, recipient: str, subject: str, body: str, idempotency_key: str, case: Case | None, asked: bool = False
) -> OutboxMessage:
    """Write a text that is not a journey touch point to ``recipient`` (E.164), due when
    :func:`~touchpoint.outbox.texts.sms_due` says (``asked``: it answers what they just sent, so it goes
    now, night or not). The same key writes it once. Call inside the deciding transaction."""
    existing = OutboxMessage.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    at = now()
    return OutboxMessage.objects.create(
        case=case,
        channel="sms",
        recipient=recipient,
        subject=subject[:300],
        body_text=body,
        max_attempts=settings.TOUCHPOINT_OUTBOX_MAX_ATTEMPTS,
        next_attempt_at=sms_due(phone=recipient, at=at, asked=asked),
        idempotency_key=idempotency_key,
        created_at=at,
    )


def notice_enqueue(
    *,
    recipient: str,
    subject: str,
    body_text: str,
    idempotency_key: str,
    case: Case | None = None,
    body_html: str = "",
    headers: dict[str, str] | None = None,
    attachments: list[str] | None = None,
) -> OutboxMessage:
    """Write a message that is not a journey touch point (e.g. "that attachment was too large").
    ``attachments`` lists kinds of file made at send time (:mod:`touchpoint.outbox.attachments`).

    Call inside the transaction that decided to send it; the same key writes it once."""
    at = now()
    existing = OutboxMessage.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    domain = getattr(settings, "TOUCHPOINT_MAIL_DOMAIN", "touchpoint.localhost")
    # From the system's CSPRNG, like a touch point's: a reply to our Message-ID proves the sender holds
    # the customer's mail, and email.utils.make_msgid draws from `random`, which can be predicted.
    message_id = f"<{secrets.token_hex(12)}@{domain}>"
    base = case_mail_headers(case=case, message_id=message_id) if case is not None else {"Message-ID": message_id}
    given = headers or {}
    if "In-Reply-To" in given:  # the caller answers a particular message; its chain wins
        base = {k: v for k, v in base.items() if k not in ("In-Reply-To", "References")}
    if not body_html:  # every email looks like the shop's, the plain notices too (their text signs itself)
        body_html = notice_html(subject=subject, text=body_text, reference=case.reference if case is not None else "")
    return OutboxMessage.objects.create(
        case=case,
        channel="email",
        recipient=recipient,
        subject=subject[:300],
        body_text=body_text,
        body_html=body_html,
        headers={**AUTOMATED_HEADERS, **base, **given},
        attachments=list(attachments or []),
        max_attempts=settings.TOUCHPOINT_OUTBOX_MAX_ATTEMPTS,
        next_attempt_at=at,
        idempotency_key=idempotency_key,
        created_at=at,
    )


def backoff_seconds(attempts: int) -> float:
    """Delay before the next try after ``attempts`` failed ones: base·2^(n−1), capped."""
    base = settings.TOUCHPOINT_OUTBOX_BACKOFF_BASE
    cap = settings.TOUCHPOINT_OUTBOX_BACKOFF_CAP
    return float(min(cap, base * 2 ** max(attempts - 1, 0)))


def claim_due(
    model: type[OutboxMessage] | type[Timer], *, due_field: str, worker_id: str, batch: int, lease_seconds: float
) -> list[int]:
    """Lease up to ``batch`` due pending rows of ``model`` to ``worker_id``; return their ids
    (:func:`touchpoint.core.leases.lease_due`)."""
    pending: QuerySet[Any] = model.objects.filter(status="pending")
    return lease_due(pending, due_field=due_field, worker_id=worker_id, batch=batch, lease_seconds=lease_seconds)


def message_mark_sent(*, message: OutboxMessage, worker_id: str, provider_ref: str = "", delivery: str = "") -> bool:
    """Record a successful send, with the provider's name for the message and its first delivery
    status when the channel learnt them (a text's SID). False if this worker no longer held the
    lease (it ran out mid-send).

    One UPDATE in autocommit: the worker's lease means nobody else changed ``attempts`` since it
    claimed the message. A receipt may have come first (a text refused at once is reported before
    the provider answers us): its further status is kept, not overwritten by the first one."""
    kept = models.Case(
        models.When(delivery__in=statuses_at_or_past(delivery), then=models.F("delivery")),
        default=models.Value(delivery[:16]),
    )
    changed = OutboxMessage.objects.filter(pk=message.pk, status=MessageStatus.PENDING, lease_owner=worker_id).update(
        status=MessageStatus.SENT,
        sent_at=now(),
        attempts=message.attempts + 1,
        lease_owner="",
        lease_until=None,
        last_error="",
        provider_ref=provider_ref[:64],
        delivery=kept if delivery else models.F("delivery"),
    )
    return changed == 1


def message_mark_failed(*, message: OutboxMessage, worker_id: str, error: str, permanent: bool) -> MessageStatus:
    """Record a failed attempt: retry later with backoff, or give up and hand it to a person."""
    with transaction.atomic():
        current = (
            OutboxMessage.objects.select_for_update()
            .filter(pk=message.pk, status=MessageStatus.PENDING, lease_owner=worker_id)
            .first()
        )
        if current is None:
            return MessageStatus.PENDING  # someone else holds it now; their attempt counts
        attempts = current.attempts + 1
        at = now()
        if not permanent and attempts < current.max_attempts:
            OutboxMessage.objects.filter(pk=current.pk).update(
                attempts=attempts,
                last_error=error[:2000],
                lease_owner="",
                lease_until=None,
                next_attempt_at=at + timedelta(seconds=backoff_seconds(attempts)),
            )
            return MessageStatus.PENDING
        OutboxMessage.objects.filter(pk=current.pk).update(
            status=MessageStatus.DEAD, attempts=attempts, last_error=error[:2000], lease_owner="", lease_until=None
        )
        why = "was refused" if permanent else f"failed {attempts} times"
        case = current.case
        task_open(
            kind=TaskKind.DELIVERY_FAILED,
            owner=fallback_owner(),
            case=case,
            priority=1,
            due_at=at,
            title=f"{case.reference if case else 'No case'}: message to {current.recipient} {why}",
            detail=f"{current.subject}\n\nLast error: {error}\n\nThe customer has not heard this from us: "
            "reach them another way.",
            source_key=f"outbox:{current.pk}:dead",
        )
        if case is not None:
            locked = Case.objects.select_for_update().get(pk=case.pk)
            timeline_append(
                case=locked,
                kind=TimelineKind.DELIVERY,
                actor=SYSTEM,
                at=at,
                event="message_failed",
                summary=f"Message “{current.subject}” could not be delivered ({why})",
                detail={"message": current.pk, "error": error[:500]},
            )
        return MessageStatus.DEAD
