"""Refunds a journey promises: written in the transaction of the move whose message says so, then
worked until the money is back.

A transition with ``refund:`` calls :func:`refund_promised` from ``case_advance`` (inside its
transaction), so the move, the message that says "refunded" and the record that keeps the promise
commit together. The refund never depends on an agent's discretionary limit: the journey decided.

Money that came through a payment provider goes back through it (the worker calls
:func:`refund_send`, with bounded retries; the final failure is a person's task with the exact
amount). Money that came any other way (a bank transfer, an order paid elsewhere) is a person's
task from the start, marked paid back in the console (:func:`refund_mark_paid_back`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F

from touchpoint.cases.actors import staff_actor
from touchpoint.cases.errors import CaseConflict
from touchpoint.cases.models import Case, Task, TaskKind, TimelineEntry, TimelineKind
from touchpoint.cases.services.tasks import task_close, task_open
from touchpoint.cases.services.timeline import timeline_append
from touchpoint.core.clock import now
from touchpoint.core.leases import lease_due
from touchpoint.outbox.services import backoff_seconds, notice_enqueue
from touchpoint.payments.models import (
    PERSON_OWES,
    Payment,
    PaymentStatus,
    Provider,
    Refund,
    RefundStatus,
)
from touchpoint.payments.money import as_decimal, currency, money
from touchpoint.payments.providers.base import ProviderError, RefundRequest
from touchpoint.payments.providers.registry import checkout_provider
from touchpoint.staff.models import StaffUser
from touchpoint.touchpoints.services import tracking_url

TAKEN = (PaymentStatus.PAID, PaymentStatus.REFUNDED)
# Who pays money back by hand, and has the time to: the team that records money arriving.
PAYERS = "team:intake"
PAY_BACK_WITHIN = timedelta(days=1)


class RefundRefused(Exception):
    """A refund action that can't be done now; ``str()`` says why, for the person asking."""


def refund_promised(*, case: Case, what: str, at: datetime) -> list[Refund]:
    """Record the refund ``what`` (``all``, or a money field of the case data) for ``case``.

    ``all`` is, per payment taken, what was paid less what was already refunded; a money field is
    that amount of the case data (an order paid elsewhere). Nothing paid, nothing recorded. The
    same move (the case's ``state_seq``) records once, however often it is called.

    The caller holds the transaction that moves the case (``case`` is as the move left it)."""
    entry = TimelineEntry.objects.filter(case_id=case.pk).order_by("-seq").only("pk", "event").first()
    event = entry.event if entry is not None else ""
    made: list[Refund] = []
    if what == "all":
        payments = (
            Payment.objects.select_for_update().filter(case_id=case.pk, status__in=TAKEN).order_by("paid_at", "id")
        )
        for payment in payments:
            left = payment.amount - payment.amount_refunded
            if left > 0:
                made.append(_record(case, payment=payment, amount=left, what=what, event=event, entry=entry, at=at))
        return made
    amount = _field_amount(case, what)
    if amount is None:
        # The journey promised money back but the case doesn't say how much: a person works it out now.
        task_open(
            kind=TaskKind.PAYMENT_PROBLEM,
            owner=PAYERS,
            case=case,
            title=f"{case.reference}: a refund was promised but the case has no {what} to refund: pay it back",
            detail=f"The journey's move `{event}` promised a refund of `{what}`; the case data has no amount for it.",
            due_at=at + PAY_BACK_WITHIN,
            priority=1,
            source_key=f"refund:{case.pk}:{case.state_seq}:{what}:unknown",
        )
        return made
    if amount > 0:
        made.append(_record(case, payment=None, amount=amount, what=what, event=event, entry=entry, at=at))
    return made


def _field_amount(case: Case, name: str) -> Decimal | None:
    if name not in case.data:
        return None
    amount = as_decimal(case.data[name])
    return None if amount is None or amount < 0 else amount.quantize(Decimal("0.01"))


def _record(
    case: Case,
    *,
    payment: Payment | None,
    amount: Decimal,
    what: str,
    event: str,
    entry: TimelineEntry | None,
    at: datetime,
) -> Refund:
    key = f"refund:{case.pk}:{case.state_seq}:" + (f"p{payment.pk}" if payment is not None else what)
    done = Refund.objects.filter(idempotency_key=key).first()
    if done is not None:
        return done
    provider = _provider_for(payment)
    refund = Refund.objects.create(
        case=case,
        payment=payment,
        what=what,
        amount=amount,
        currency=payment.currency if payment is not None else currency(),
        status=RefundStatus.TO_SEND if provider else RefundStatus.PAY_BACK,
        event=event,
        entry=entry,
        provider=provider,
        next_attempt_at=at if provider else None,
        idempotency_key=key,
        created_at=at,
        updated_at=at,
    )
    if payment is not None:
        Payment.objects.filter(pk=payment.pk).update(amount_refunded=F("amount_refunded") + amount, updated_at=at)
    if not provider:
        _to_person(refund, case=case, at=at, why="")
    return refund


def _provider_for(payment: Payment | None) -> str:
    """The provider that gives this payment's money back, or "" when a person must."""
    if payment is None or payment.provider == Provider.OFFLINE or not payment.payment_ref:
        return ""
    return payment.provider if checkout_provider(payment.provider) is not None else ""


def paid_how(payment: Payment | None, case: Case) -> str:
    """How the customer paid, for the person paying it back."""
    if payment is None:
        order = case.data.get("order_number")
        return f"the way they paid for order {order}" if order else "the way they paid for the order"
    if payment.provider == Provider.OFFLINE:
        how = payment.get_method_display().lower()
        return f"{how}, reference {payment.reference}" if payment.reference else how
    ref = payment.payment_ref or payment.provider_ref
    return f"by card, payment {ref}: refund it in the card provider's dashboard"


def _to_person(refund: Refund, *, case: Case, at: datetime, why: str) -> None:
    """Open the task that pays ``refund`` back by hand, with the exact amount."""
    customer = case.customer
    amount = money(refund.amount, refund.currency)
    title = f"{case.reference}: pay back {amount} to {customer.name} ({paid_how(refund.payment, case)})"
    detail = (
        f"Promised by the journey's move “{refund.event}”. "
        + (f"The payment provider couldn't return it: {why}. " if why else "")
        + "Mark it paid back on the case's payment panel once the money has gone."
    )
    task = task_open(
        kind=TaskKind.PAYMENT_PROBLEM,
        owner=PAYERS,
        case=case,
        title=title,
        detail=detail,
        due_at=at + PAY_BACK_WITHIN,
        priority=1,
        source_key=f"refund:{refund.pk}",
    )
    Refund.objects.filter(pk=refund.pk).update(task=task)
    refund.task = task


def refund_mark_paid_back(*, refund: Refund, staff: StaffUser, seen_version: int, note: str = "") -> Refund:
    """A person says they have paid ``refund`` back: recorded with who and how, on the case's
    timeline, and its task closed, in one transaction.

    ``seen_version`` is the case version the page showed. Raises :class:`RefundRefused` when it
    isn't a person's to pay back (or was marked already), :class:`CaseConflict` for a stale page;
    either way nothing is written. Opens its own transaction."""
    note = note.strip()[:200]
    with transaction.atomic():
        locked = (
            Refund.objects.select_for_update(of=("self",)).select_related("case", "case__customer").get(pk=refund.pk)
        )
        if locked.status == RefundStatus.PAID_BACK:
            raise RefundRefused(
                f"{money(locked.amount, locked.currency)} was already marked paid back by {locked.paid_back_by}."
            )
        if locked.status not in PERSON_OWES:
            raise RefundRefused(
                f"this refund goes back through the payment provider ({locked.get_status_display().lower()}): "
                "nobody pays it by hand."
            )
        case = locked.case
        at = now()
        if Case.objects.filter(pk=case.pk, version=seen_version).update(version=seen_version + 1, updated_at=at) != 1:
            raise CaseConflict(case.reference, seen_version, case.version)
        locked.status, locked.paid_back_by, locked.paid_back_note = RefundStatus.PAID_BACK, staff, note
        locked.done_at = locked.updated_at = at
        locked.save(update_fields=["status", "paid_back_by", "paid_back_note", "done_at", "updated_at"])
        if locked.task_id is not None:
            task_close(task=Task.objects.get(pk=locked.task_id), user=staff)
        amount = money(locked.amount, locked.currency)
        timeline_append(
            case=case,
            kind=TimelineKind.NOTE,
            actor=staff_actor(staff),
            summary=f"{amount} paid back to {case.customer.name}, marked by {staff}" + (f": {note}" if note else ""),
            at=at,
            event="refund_paid_back",
            detail={"refund": locked.pk, "amount": str(locked.amount), "currency": locked.currency, "note": note},
        )
        _tell_paid_back(case, amount=amount, key=f"refund-paid-back:{locked.pk}")
        return locked


def _tell_paid_back(case: Case, *, amount: str, key: str) -> None:
    """The customer's page promised to tell them when a person had paid it back: this keeps it."""
    customer = case.customer
    greeting = f"Hello {case.contact_first_name}," if case.contact_first_name else "Hello,"
    body = "\n\n".join(
        [
            greeting,
            f"We've paid you back {amount}, the way you paid. Banks usually take a day or two to show it.",
            f"Your case and everything that happens to it: {tracking_url(case=case)}",
            "If it hasn't arrived in a few days, just reply to this email: a person reads every reply.",
        ]
    )
    notice_enqueue(
        recipient=customer.email,
        subject=f"{case.reference}: we've paid back {amount}",
        body_text=body,
        idempotency_key=key,
        case=case,
    )


# --- The worker's side: sending through the provider ------------------------------------------


@dataclass(frozen=True)
class Sent:
    refund_id: int
    status: str  # the refund's status after this attempt


def refunds_claim(*, worker_id: str, batch: int, lease_seconds: float) -> list[int]:
    """Lease up to ``batch`` refunds due to be sent to ``worker_id``; their ids (as the worker leases
    messages: :func:`touchpoint.core.leases.lease_due`)."""
    waiting = Refund.objects.filter(status=RefundStatus.TO_SEND)
    return lease_due(
        waiting, due_field="next_attempt_at", worker_id=worker_id, batch=batch, lease_seconds=lease_seconds
    )


def refund_send(*, refund_id: int, worker_id: str) -> Sent:
    """Ask the provider to return one claimed refund. No database lock is held while it answers;
    the same idempotency key on every attempt means a retry can never refund twice."""
    refund = Refund.objects.select_related("payment", "case").get(pk=refund_id)
    if refund.status != RefundStatus.TO_SEND or refund.lease_owner != worker_id:
        return Sent(refund.pk, refund.status)  # someone else holds it now
    provider = checkout_provider(refund.provider)
    if provider is None or refund.payment is None:
        return _attempt_failed(refund, worker_id, f"{refund.provider} is switched off here", permanent=False)
    try:
        started = provider.refund_create(
            RefundRequest(
                payment_ref=refund.payment.payment_ref,
                amount=refund.amount,
                currency=refund.currency,
                reference=refund.case.reference,
                idempotency_key=refund.idempotency_key,
            )
        )
    except ProviderError as exc:
        return _attempt_failed(refund, worker_id, str(exc), permanent=exc.permanent)
    except (OperationalError, InterfaceError):
        raise  # our database (the demo provider keeps its refunds there), not the provider: the worker reconnects
    except Exception as exc:  # a provider's bug must count as an attempt, or it would be retried unbounded
        return _attempt_failed(refund, worker_id, f"unexpected error: {exc!r}", permanent=False)
    if started.status == "failed":
        Refund.objects.filter(pk=refund.pk).update(provider_ref=started.provider_ref)
        return _attempt_failed(refund, worker_id, started.problem or "the provider failed it", permanent=True)
    at = now()
    status = RefundStatus.SUCCEEDED if started.status == "succeeded" else RefundStatus.SENT
    Refund.objects.filter(pk=refund.pk, status=RefundStatus.TO_SEND, lease_owner=worker_id).update(
        status=status,
        provider_ref=started.provider_ref,
        attempts=refund.attempts + 1,
        lease_owner="",
        lease_until=None,
        problem="",
        updated_at=at,
        done_at=at if status == RefundStatus.SUCCEEDED else None,
    )
    return Sent(refund.pk, status)


def _attempt_failed(refund: Refund, worker_id: str, error: str, *, permanent: bool) -> Sent:
    """Try again later with capped backoff, or, the last attempt or a refusal retrying can't
    change, hand the exact amount to a person."""
    with transaction.atomic():
        current = (
            Refund.objects.select_for_update(of=("self",))
            .select_related("case", "case__customer", "payment")
            .filter(pk=refund.pk, status=RefundStatus.TO_SEND, lease_owner=worker_id)
            .first()
        )
        if current is None:
            return Sent(refund.pk, refund.status)
        attempts, at = current.attempts + 1, now()
        if not permanent and attempts < settings.TOUCHPOINT_OUTBOX_MAX_ATTEMPTS:
            Refund.objects.filter(pk=current.pk).update(
                attempts=attempts,
                problem=error[:500],
                next_attempt_at=at + timedelta(seconds=backoff_seconds(attempts)),
                lease_owner="",
                lease_until=None,
                updated_at=at,
            )
            return Sent(current.pk, RefundStatus.TO_SEND)
        Refund.objects.filter(pk=current.pk).update(
            status=RefundStatus.FAILED,
            attempts=attempts,
            problem=error[:500],
            next_attempt_at=None,
            lease_owner="",
            lease_until=None,
            updated_at=at,
        )
        current.status = RefundStatus.FAILED
        _to_person(current, case=current.case, at=at, why=error)
        return Sent(current.pk, RefundStatus.FAILED)


@dataclass(frozen=True)
class RefundNews:
    """What a provider's later word on a refund did: said in words, and whether a person now acts."""

    words: str
    to_person: bool = False


def refund_outcome_apply(*, provider: str, provider_ref: str, succeeded: bool, problem: str) -> RefundNews:
    """The provider's later word on a refund it accepted (``refund.updated`` / ``refund.failed``).

    The caller holds a transaction. A refund we don't know (made by hand in the provider's
    dashboard) changes nothing."""
    refund = (
        Refund.objects.select_for_update(of=("self",))
        .select_related("case", "case__customer", "payment")
        .filter(provider=provider, provider_ref=provider_ref)
        .first()
    )
    if refund is None:
        return RefundNews("not a refund Touchpoint made")
    at = now()
    if succeeded:
        if refund.status in (RefundStatus.SENT, RefundStatus.TO_SEND):
            Refund.objects.filter(pk=refund.pk).update(status=RefundStatus.SUCCEEDED, done_at=at, updated_at=at)
            return RefundNews("the refund is back with the customer")
        return RefundNews(f"the refund was already {refund.get_status_display().lower()}")
    if refund.status in PERSON_OWES or refund.status == RefundStatus.PAID_BACK:
        return RefundNews(f"the refund was already {refund.get_status_display().lower()}")
    why = problem or "the provider failed it"
    Refund.objects.filter(pk=refund.pk).update(
        status=RefundStatus.FAILED, problem=why[:500], done_at=None, updated_at=at
    )
    refund.status = RefundStatus.FAILED
    _to_person(refund, case=refund.case, at=at, why=why)
    return RefundNews("the refund failed; a person pays it back", to_person=True)
