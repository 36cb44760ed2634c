"""Stripe's side of a demo card payment: sessions made, paid or expired, refunds, and the events
queued for each, as Stripe's own objects (``checkout.session``, ``refund``, ``charge``).

Each change and the event that tells the shop about it commit together; the worker delivers the
event (:mod:`touchpoint.demopay.jobs`). Touchpoint learns of the payment only from that event, as
it would from Stripe."""

from __future__ import annotations

import json
import secrets
import string
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from touchpoint.core.clock import now
from touchpoint.demopay.cards import CardCheck, card_check
from touchpoint.demopay.models import DemoEvent, DemoRefund, DemoSession, SessionStatus
from touchpoint.payments.money import money
from touchpoint.payments.providers.base import CheckoutRequest, RefundRequest
from touchpoint.payments.providers.stripe import minor_units

_ALPHABET = string.ascii_letters + string.digits


class DemoRefused(Exception):
    """What Stripe would refuse (an unknown payment, more than is left to refund); ``str()`` says why."""


def demo_enabled() -> bool:
    return "demo" in settings.TOUCHPOINT_PAYMENT_PROVIDERS


def new_id(prefix: str, length: int = 24) -> str:
    """An id shaped like Stripe's (``cs_test_…``, ``pi_…``): a prefix and random letters and digits."""
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def _stamp(moment: Any) -> int | None:
    return int(moment.timestamp()) if moment is not None else None


def demo_session_create(*, request: CheckoutRequest) -> DemoSession:
    """A checkout session for ``request``; the same idempotency key gets the same session back."""
    found = DemoSession.objects.filter(idempotency_key=request.idempotency_key).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return DemoSession.objects.create(
                id=new_id("cs_test_", 58),
                idempotency_key=request.idempotency_key,
                reference=request.reference,
                description=request.description[:300],
                amount=request.amount,
                currency=request.currency.lower(),
                customer_email=request.customer_email[:254],
                success_url=request.success_url,
                cancel_url=request.cancel_url,
                created_at=now(),
                expires_at=request.expires_at,
            )
    except IntegrityError:  # the same key, sent twice at once: the first one's session
        return DemoSession.objects.get(idempotency_key=request.idempotency_key)


def checkout_url(session: DemoSession) -> str:
    """The card page, on the origin the customer is already on (that of ``success_url``): a redirect
    to another origin after the pay form's POST would be blocked by the CSP's ``form-action 'self'``."""
    parts = urlsplit(session.success_url)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else settings.TOUCHPOINT_PUBLIC_URL
    return origin + reverse("demopay:checkout", args=[session.id])


def return_url(url: str, session: DemoSession) -> str:
    """Stripe fills ``{CHECKOUT_SESSION_ID}`` in the return URLs; so does the demo."""
    return url.replace("{CHECKOUT_SESSION_ID}", session.id)


def session_object(session: DemoSession) -> dict[str, Any]:
    """The session as Stripe's API and events show it."""
    total = minor_units(session.amount, session.currency)
    finished = session.status != SessionStatus.OPEN
    return {
        "id": session.id,
        "object": "checkout.session",
        "amount_subtotal": total,
        "amount_total": total,
        "cancel_url": session.cancel_url,
        "client_reference_id": session.reference,
        "created": _stamp(session.created_at),
        "currency": session.currency,
        "customer_details": {"email": session.customer_email, "name": session.cardholder or None}
        if session.paid
        else None,
        "customer_email": session.customer_email or None,
        "expires_at": _stamp(session.expires_at),
        "livemode": False,
        "metadata": {"case": session.reference},
        "mode": "payment",
        "payment_intent": session.payment_intent or None,
        "payment_method_types": ["card"],
        "payment_status": "paid" if session.paid else "unpaid",
        "status": session.status,
        "success_url": session.success_url,
        "ui_mode": "hosted",
        "url": None if finished else checkout_url(session),
    }


def _charge_object(session: DemoSession) -> dict[str, Any]:
    amount = minor_units(session.amount, session.currency)
    refunded = minor_units(session.amount_refunded, session.currency)
    return {
        "id": session.charge,
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": refunded,
        "billing_details": {"email": session.customer_email or None, "name": session.cardholder or None},
        "captured": True,
        "currency": session.currency,
        "livemode": False,
        "metadata": {"case": session.reference},
        "paid": True,
        "payment_intent": session.payment_intent,
        "payment_method_details": {"card": {"brand": session.card_brand.lower(), "last4": session.card_last4}},
        "refunded": refunded >= amount,
        "status": "succeeded",
    }


def _refund_object(refund: DemoRefund, session: DemoSession) -> dict[str, Any]:
    return {
        "id": refund.id,
        "object": "refund",
        "amount": minor_units(refund.amount, refund.currency),
        "charge": session.charge,
        "created": _stamp(refund.created_at),
        "currency": refund.currency,
        "metadata": {"case": refund.reference},
        "payment_intent": session.payment_intent,
        "reason": None,
        "status": "succeeded",
    }


def _event_queue(*, session: DemoSession, kind: str, obj: dict[str, Any]) -> DemoEvent:
    """An event for the worker to deliver. Call inside the transaction that made the change."""
    at = now()
    event_id = new_id("evt_")
    body = {
        "id": event_id,
        "object": "event",
        "api_version": stripe.api_version,
        "created": _stamp(at),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": kind,
    }
    return DemoEvent.objects.create(
        id=event_id,
        type=kind,
        payload=json.dumps(body),
        session=session,
        max_attempts=settings.TOUCHPOINT_OUTBOX_MAX_ATTEMPTS,
        next_attempt_at=at,
        created_at=at,
    )


@dataclass(frozen=True)
class PayAnswer:
    session: DemoSession  # as it is now
    check: CardCheck | None  # None: the session was no longer open, nothing was checked


def demo_session_pay(*, session: DemoSession, number: str, expiry: str, cvc: str, name: str) -> PayAnswer:
    """The customer pressed "Pay" with this card. Paid (a test card that succeeds): the session is
    complete and ``checkout.session.completed`` is queued, in one transaction. Anything else
    changes nothing (a declined card leaves the session open to try again, as on Stripe's page).

    Opens its own transaction; a second press after the first went through changes nothing."""
    if session.status == SessionStatus.OPEN and session.expires_at <= now():
        demo_session_expire(session=session)
    if session.status != SessionStatus.OPEN:
        return PayAnswer(session, None)
    check = card_check(number=number, expiry=expiry, cvc=cvc, name=name, today=timezone.localdate(now()))
    if not check.paid:
        return PayAnswer(session, check)
    with transaction.atomic():
        paid = DemoSession.objects.filter(pk=session.pk, status=SessionStatus.OPEN).update(
            status=SessionStatus.COMPLETE,
            paid=True,
            payment_intent=new_id("pi_"),
            charge=new_id("ch_"),
            card_brand=check.brand,
            card_last4=check.last4,
            cardholder=name.strip()[:200],
            finished_at=now(),
        )
        session.refresh_from_db()
        if paid:
            _event_queue(session=session, kind="checkout.session.completed", obj=session_object(session))
    return PayAnswer(session, check)


def demo_session_expire(*, session: DemoSession) -> bool:
    """End an open session unpaid (its time ran out, or the page's demo tool, like Stripe's "expire a
    session" call) and queue ``checkout.session.expired``. False when it wasn't open any more."""
    with transaction.atomic():
        ended = DemoSession.objects.filter(pk=session.pk, status=SessionStatus.OPEN).update(
            status=SessionStatus.EXPIRED, finished_at=now()
        )
        session.refresh_from_db()
        if ended:
            _event_queue(session=session, kind="checkout.session.expired", obj=session_object(session))
    return bool(ended)


def demo_sessions_expire_due(*, batch: int) -> int:
    """Expire up to ``batch`` open sessions whose time has run out; how many were ended."""
    due = DemoSession.objects.filter(status=SessionStatus.OPEN, expires_at__lte=now()).order_by("expires_at")
    return sum(demo_session_expire(session=session) for session in due[:batch])


def demo_refund_create(*, request: RefundRequest) -> DemoRefund:
    """Refund part or all of a paid session, as Stripe refunds a PaymentIntent: the same idempotency
    key gives the same refund back. Queues ``refund.created`` and ``charge.refunded``.

    Raises :class:`DemoRefused` (nothing changed) for an unknown payment, another currency, or more
    than is left to refund. Opens its own transaction (a savepoint in the caller's)."""
    with transaction.atomic():
        session = DemoSession.objects.select_for_update().filter(payment_intent=request.payment_ref, paid=True).first()
        done = DemoRefund.objects.filter(idempotency_key=request.idempotency_key).first()
        if done is not None:
            return done
        if session is None or not request.payment_ref:
            raise DemoRefused(f"No such payment_intent: '{request.payment_ref}'")
        if request.currency.lower() != session.currency:
            raise DemoRefused(
                f"the refund is in {request.currency.upper()} but {session.payment_intent} was paid in "
                f"{session.currency.upper()}"
            )
        left = session.amount - session.amount_refunded
        if request.amount <= 0 or request.amount > left:
            raise DemoRefused(
                f"Refund amount ({money(request.amount, session.currency)}) is greater than unrefunded amount "
                f"on charge ({money(left, session.currency)})"
                if request.amount > 0
                else "a refund must be more than zero"
            )
        refund = DemoRefund.objects.create(
            id=new_id("re_"),
            session=session,
            amount=request.amount,
            currency=session.currency,
            reference=request.reference[:40],
            idempotency_key=request.idempotency_key,
            created_at=now(),
        )
        session.amount_refunded = Decimal(session.amount_refunded) + request.amount
        session.save(update_fields=["amount_refunded"])
        _event_queue(session=session, kind="refund.created", obj=_refund_object(refund, session))
        _event_queue(session=session, kind="charge.refunded", obj=_charge_object(session))
    return refund
