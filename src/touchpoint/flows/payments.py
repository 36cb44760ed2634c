"""Payments that move cases: a card checkout started, Stripe's answer applied once, money staff saw arrive.

Two things are paid for: the order's price (``awaiting_payment``) and, after approved extra work,
its balance (``awaiting_balance`` and the states after its reminders). The same card checkout and
the same "payment received" form serve both; the case's state says which, and which event moves it
(``payment_succeeded`` / ``offline_payment_received`` for the order, ``balance_paid`` for the balance).

Every change to a payment commits with the case's move and its messages (``case_advance`` runs
inside our transaction as a savepoint). The one network call, to create a checkout session, sits
between two short transactions so no database lock is held while Stripe answers."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction

from touchpoint.cases.actors import CUSTOMER, SYSTEM, staff_actor
from touchpoint.cases.errors import CaseConflict, TransitionRefused
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, TaskKind
from touchpoint.cases.services.tasks import task_open
from touchpoint.core.clock import now
from touchpoint.flows.advance import case_advance
from touchpoint.flows.refunds import refund_outcome_apply
from touchpoint.journeys import valid_events
from touchpoint.payments.models import (
    EventOutcome,
    OfflineMethod,
    Payment,
    PaymentEvent,
    PaymentStatus,
    Provider,
    Purpose,
)
from touchpoint.payments.money import money
from touchpoint.payments.providers.base import CheckoutProvider, CheckoutRequest, ProviderError, ProviderEvent
from touchpoint.payments.selectors import BALANCE_STATES, case_money, case_order_price, case_paid_payment
from touchpoint.shop.selectors import shop_currency
from touchpoint.staff.models import StaffUser

# Stripe's shortest checkout life is 30 minutes; a minute more so our clock and theirs can differ.
CHECKOUT_LIFETIME = timedelta(minutes=31)


class PaymentRefused(Exception):
    """The payment can't be taken or recorded now; ``str()`` says why and what to do, for the person asking."""


class UnknownSession(Exception):
    """A provider event about a checkout session we never made (or in another installation)."""


@dataclass(frozen=True)
class EventApplied:
    record: PaymentEvent
    duplicate: bool  # True when this event id had been seen: nothing was done this time


def _may(case: Case, event: str, actor_kind: str = "system") -> bool:
    actor = {"system": SYSTEM, "customer": CUSTOMER}[actor_kind]
    return event in valid_events(journey_of(case.journey), state=case.state, data=case.data, actor=actor.for_journey())


def checkout_key(*, case: Case, seen_version: int) -> str:
    """One checkout per page the customer saw: a double click sends the same key."""
    return f"checkout-{case.reference}-v{seen_version}"


def card_checkout_start(
    *, case: Case, seen_version: int, provider: CheckoutProvider, success_url: str, cancel_url: str
) -> Payment:
    """Start (or, for a double click, find) the card checkout for the page at ``seen_version``.

    The caller holds no transaction: this one opens two around the call to the provider. Raises
    :class:`CaseConflict` for a stale page, :class:`PaymentRefused` when the case can't be paid by
    card now or the provider is unreachable (nothing was charged)."""
    key = checkout_key(case=case, seen_version=seen_version)
    found = Payment.objects.filter(idempotency_key=key).first()
    # The same page pressed again while its checkout is still open: the same session, nothing new.
    if found is not None and _still_open(found):
        return found
    if case.version != seen_version:
        raise CaseConflict(case.reference, seen_version, case.version)
    purpose, amount, description = _what_to_pay(case)
    # Unless a twin click's call to the provider is still under way (no checkout page yet), that
    # page's checkout has ended (the balance is paid from a page whose version doesn't change):
    # free the key so this press starts afresh; the old row stays as the record of what happened.
    ended = found is not None and not (found.status == PaymentStatus.PENDING and not found.checkout_url)
    if found is not None and ended:
        Payment.objects.filter(pk=found.pk).update(idempotency_key=None, updated_at=now())
    at = now()
    try:
        with transaction.atomic():
            payment, _ = Payment.objects.get_or_create(
                idempotency_key=key,
                defaults={
                    "case": case,
                    "provider": Provider.STRIPE,
                    "purpose": purpose,
                    "amount": amount,
                    "currency": shop_currency(),
                    "case_version": seen_version,
                    "expires_at": at + CHECKOUT_LIFETIME,
                    "created_at": at,
                    "updated_at": at,
                },
            )
    except IntegrityError:  # the twin click inserted it first
        payment = Payment.objects.get(idempotency_key=key)
    assert payment.expires_at is not None
    try:
        started = provider.checkout_create(
            CheckoutRequest(
                reference=case.reference,
                description=description,
                amount=payment.amount,
                currency=payment.currency,
                customer_email=case.customer.email,
                success_url=success_url,
                cancel_url=cancel_url,
                expires_at=payment.expires_at,
                # The row's id too: after a failed call, the next click makes a new row and a new key.
                idempotency_key=f"{key}-p{payment.pk}",
            )
        )
    except ProviderError as exc:
        # Free the key so the next click starts afresh; keep the row as the record of what failed.
        Payment.objects.filter(pk=payment.pk, provider_ref="").update(
            status=PaymentStatus.FAILED, problem=str(exc)[:500], idempotency_key=None, updated_at=now()
        )
        raise PaymentRefused(
            "We couldn't reach the card payment service just now, and nothing was charged. "
            "Please try again in a minute, or pay by bank transfer."
        ) from exc
    # Kept before the case moves, so Stripe's answer always finds its payment, whatever happens next.
    Payment.objects.filter(pk=payment.pk).update(
        status=PaymentStatus.PENDING,  # even if a twin click's failed call marked it meanwhile
        problem="",
        provider_ref=started.provider_ref,
        checkout_url=started.url,
        expires_at=started.expires_at or payment.expires_at,
        updated_at=now(),
    )
    payment.refresh_from_db()
    if purpose == Purpose.ORDER:  # the balance has no "checking" state: the case waits where it is
        case_advance(case=case, event="card_submitted", actor=CUSTOMER, idempotency_key=f"card-submitted-p{payment.pk}")
    return payment


def _still_open(payment: Payment) -> bool:
    return (
        payment.status == PaymentStatus.PENDING
        and bool(payment.checkout_url)
        and payment.expires_at is not None
        and payment.expires_at > now()
    )


def _what_to_pay(case: Case) -> tuple[Purpose, Decimal, str]:
    """What a card checkout for ``case`` takes now: the balance in a balance state, else the price."""
    if case.state in BALANCE_STATES:
        due = case_money(case=case).balance_due
        if due <= 0:
            raise PaymentRefused("There's nothing left to pay on this order.")
        return Purpose.BALANCE, due, f"Repair order {case.reference}: the extra work you approved"
    if not _may(case, "card_submitted", "customer"):
        raise PaymentRefused("This order isn't waiting for a payment any more, so there is nothing to pay.")
    price = case_order_price(case=case)
    if price is None:
        raise PaymentRefused("We can't price this order online: reply to our email and a person will help.")
    # The card page names what the amount is for: the postage chosen with the order is part of it.
    postage = f", with {price.postage_name} postage" if price.postage > 0 else ""
    return Purpose.ORDER, price.total, f"Repair order {case.reference}: diagnosis and repair{postage}"


def payment_event_apply(*, event: ProviderEvent, provider: str = Provider.STRIPE) -> EventApplied:
    """Apply one verified provider event, once however often it arrives.

    Opens its own transaction: the event's record, the payment, the case's move, its messages and
    any task for a person commit together. Raises :class:`UnknownSession` (nothing recorded) for a
    session we never made, and :class:`CaseConflict` when the case changed underneath (nothing
    recorded: the provider retries)."""
    at = now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = PaymentEvent.objects.create(
                    provider=provider, event_id=event.event_id, type=event.type, received_at=at, outcome=""
                )
        except IntegrityError:
            return EventApplied(PaymentEvent.objects.get(provider=provider, event_id=event.event_id), duplicate=True)
        if event.outcome == "other":
            return _settle(record, EventOutcome.IGNORED, f"{event.type} is not an event Touchpoint acts on")
        if event.outcome in ("refund_succeeded", "refund_failed"):
            news = refund_outcome_apply(
                provider=provider,
                provider_ref=event.provider_ref,
                succeeded=event.outcome == "refund_succeeded",
                problem=event.problem,
            )
            return _settle(record, EventOutcome.NEEDS_PERSON if news.to_person else EventOutcome.RECORDED, news.words)
        payment = (
            Payment.objects.select_for_update()
            .select_related("case", "case__journey")
            .filter(provider=provider, provider_ref=event.provider_ref)
            .first()
        )
        if payment is None:
            raise UnknownSession(f"no payment here has the checkout session {event.provider_ref!r}")
        record.payment = payment
        if event.outcome == "succeeded":
            if event.payment_ref and not payment.payment_ref:
                _set(payment, payment_ref=event.payment_ref[:255])
            if payment.purpose == Purpose.BALANCE:
                return _balance_paid(record, payment, at)
            return _paid(record, payment, at)
        if event.outcome == "waiting":
            if payment.status == PaymentStatus.PENDING:
                _set(payment, status=PaymentStatus.PROCESSING)
            return _settle(record, EventOutcome.RECORDED, "completed; the bank has yet to settle it")
        return _unpaid(record, payment, event)


def _set(payment: Payment, **changes: object) -> None:
    for name, value in {**changes, "updated_at": now()}.items():
        setattr(payment, name, value)
    payment.save(update_fields=[*changes, "updated_at"])


def _settle(record: PaymentEvent, outcome: EventOutcome, detail: str) -> EventApplied:
    record.outcome, record.detail = outcome, detail[:500]
    record.save(update_fields=["outcome", "detail", "payment"])
    return EventApplied(record, duplicate=False)


def _paid(record: PaymentEvent, payment: Payment, at: datetime) -> EventApplied:
    if payment.status == PaymentStatus.PAID:
        return _settle(record, EventOutcome.RECORDED, "this payment was already marked paid")
    case = Case.objects.select_related("journey", "customer").get(pk=payment.case_id)
    earlier = case_paid_payment(case=case)
    _set(payment, status=PaymentStatus.PAID, paid_at=at, problem="")
    if earlier is None and _may(case, "payment_succeeded"):
        case_advance(case=case, event="payment_succeeded", actor=SYSTEM, idempotency_key=f"paid-p{payment.pk}")
        return _settle(record, EventOutcome.APPLIED, "paid; the case moved on")
    # Money arrived that the case can't use: paid twice, or paid after the order was cancelled.
    why = (
        f"it was already paid ({_how(earlier)}, {earlier.amount} {earlier.currency.upper()})"
        if earlier is not None
        else f"the case is in {case.state}"
    )
    return _unusable(record, payment, case, why)


def _unusable(record: PaymentEvent, payment: Payment, case: Case, why: str) -> EventApplied:
    """Money the case can't use: kept as paid, and a person refunds it or tells the customer why not."""
    task_open(
        kind=TaskKind.PAYMENT_PROBLEM,
        owner="team:intake",
        case=case,
        title=f"{case.reference}: card payment of {payment.amount} {payment.currency.upper()} arrived but {why}",
        detail=f"Stripe session {payment.provider_ref}. Refund it in Stripe, or tell the customer why it is kept.",
        priority=1,
        source_key=f"payment-unusable-p{payment.pk}",
    )
    return _settle(record, EventOutcome.NEEDS_PERSON, f"paid, but {why}: a person refunds or keeps it")


def _balance_paid(record: PaymentEvent, payment: Payment, at: datetime) -> EventApplied:
    """The balance for approved extra work, paid by card: the device may travel home once it is all paid."""
    if payment.status == PaymentStatus.PAID:
        return _settle(record, EventOutcome.RECORDED, "this payment was already marked paid")
    case = Case.objects.select_related("journey", "customer").get(pk=payment.case_id)
    due_before = case_money(case=case).balance_due
    _set(payment, status=PaymentStatus.PAID, paid_at=at, problem="")
    if case.state not in BALANCE_STATES or due_before <= 0:
        return _unusable(record, payment, case, f"the balance was already settled (the case is in {case.state})")
    left = case_money(case=case).balance_due
    if left > 0:
        return _settle(record, EventOutcome.RECORDED, f"paid; {money(left, payment.currency)} of the balance still due")
    case_advance(case=case, event="balance_paid", actor=SYSTEM, idempotency_key=f"balance-paid-p{payment.pk}")
    return _settle(record, EventOutcome.APPLIED, "the balance is paid; the case moved on")


def _how(payment: Payment) -> str:
    return payment.get_method_display().lower() if payment.method else "card"


def _unpaid(record: PaymentEvent, payment: Payment, event: ProviderEvent) -> EventApplied:
    if payment.status == PaymentStatus.PAID:
        return _settle(record, EventOutcome.RECORDED, "this payment is already paid; a later failure changes nothing")
    expired = event.outcome == "expired"
    _set(
        payment,
        status=PaymentStatus.EXPIRED if expired else PaymentStatus.FAILED,
        problem="the customer left the checkout page" if expired else "the bank declined the payment",
    )
    case = Case.objects.select_related("journey", "customer").get(pk=payment.case_id)
    if payment.purpose == Purpose.BALANCE:  # the case waits where it is; the page offers to try again
        return _settle(record, EventOutcome.RECORDED, "the balance wasn't paid; the customer can try again")
    latest = Payment.objects.filter(case=case, provider=payment.provider, purpose=payment.purpose)
    latest = latest.exclude(provider_ref="").order_by("-id")
    if latest.values_list("pk", flat=True).first() != payment.pk:
        return _settle(record, EventOutcome.RECORDED, "an earlier attempt; a newer one is under way")
    if not _may(case, "payment_declined"):
        return _settle(record, EventOutcome.RECORDED, f"the case is in {case.state}; nothing to undo")
    case_advance(case=case, event="payment_declined", actor=SYSTEM, idempotency_key=f"declined-p{payment.pk}")
    return _settle(record, EventOutcome.APPLIED, "not paid; the customer is told how to try again")


# The state the case waits in → the event that records money arriving offline for it.
OFFLINE_EVENTS = {
    "awaiting_payment": "offline_payment_received",
    "payment_failed": "offline_payment_received",
    **{state: "balance_paid" for state in BALANCE_STATES},
}


def offline_event(*, case: Case) -> str | None:
    """The event a payment recorded by staff moves ``case`` with now; None when nothing is due."""
    return OFFLINE_EVENTS.get(case.state)


def offline_payment_record(
    *,
    case: Case,
    seen_version: int,
    staff: StaffUser,
    amount: Decimal,
    method: OfflineMethod,
    reference: str,
) -> Payment:
    """Record money staff saw arrive (bank transfer, invoice, at the counter) and move the case on:
    for the order (``offline_payment_received``) or for the balance of approved extra work
    (``balance_paid``, once it is all paid; a part payment is kept and the rest stays due).

    Opens its own transaction. Raises :class:`CaseConflict` when the case changed since the page
    was rendered at ``seen_version``, :class:`TransitionRefused` when the journey doesn't let this
    person record a payment here, :class:`PaymentRefused` when nothing is due; in every refusal
    nothing is written."""
    if amount <= 0:
        raise PaymentRefused("The amount must be more than zero.")
    if case.version != seen_version:  # judged against the page the person saw, not the case as it is now
        raise CaseConflict(case.reference, seen_version, case.version)
    event = offline_event(case=case)
    if event is None:
        raise PaymentRefused("this order isn't waiting for a payment now, so there is nothing to record.")
    actor = staff_actor(staff)
    if event not in valid_events(journey_of(case.journey), state=case.state, data=case.data, actor=actor.for_journey()):
        raise TransitionRefused(
            "not-permitted", f"{case.reference}: the journey doesn't let {staff} record this payment"
        )
    balance = event == "balance_paid"
    if balance and case_money(case=case).balance_due <= 0:
        raise PaymentRefused("the balance is already settled: there is nothing left to pay.")
    seen = copy.copy(case)
    seen.version = seen_version
    at = now()
    with transaction.atomic():
        payment = Payment.objects.create(
            case=case,
            provider=Provider.OFFLINE,
            purpose=Purpose.BALANCE if balance else Purpose.ORDER,
            amount=amount,
            currency=shop_currency(),
            status=PaymentStatus.PAID,
            method=method,
            reference=reference.strip()[:200],
            recorded_by=staff,
            case_version=seen_version,
            created_at=at,
            updated_at=at,
            paid_at=at,
        )
        if balance and case_money(case=case).balance_due > 0:
            # A part of the balance: kept, the case waits for the rest; the page's version moves on
            # so a second tab can't record the same transfer again.
            if (
                Case.objects.filter(pk=case.pk, version=seen_version).update(version=seen_version + 1, updated_at=at)
                != 1
            ):
                raise CaseConflict(case.reference, seen_version, seen_version + 1)
            return payment
        case_advance(case=seen, event=event, actor=actor)
    return payment
