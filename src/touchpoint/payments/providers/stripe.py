"""Stripe Checkout through the official ``stripe`` library: a hosted checkout session, then a
webhook checked with Stripe's own signature scheme (``Stripe-Signature``, HMAC-SHA256, 5 minutes),
and refunds of a session's PaymentIntent."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import stripe

from touchpoint.payments.providers.base import (
    CheckoutRequest,
    CheckoutStarted,
    Outcome,
    ProviderError,
    ProviderEvent,
    RefundRequest,
    RefundStarted,
    RefundState,
    WebhookRejected,
)

TOLERANCE = 300  # seconds either side of our clock a signature's time may be
# Stripe's amounts are in the currency's minor unit; these currencies have none.
ZERO_DECIMAL = {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof"}
SESSION_EVENTS: dict[str, Outcome] = {
    "checkout.session.async_payment_succeeded": "succeeded",
    "checkout.session.async_payment_failed": "declined",
    "checkout.session.expired": "expired",
}
# A refund's news; its object is the refund. (``charge.refund.updated`` is the older name.)
REFUND_EVENTS = ("refund.updated", "refund.failed", "charge.refund.updated")
REFUND_STATES: dict[str, RefundState] = {
    "succeeded": "succeeded",
    "pending": "pending",
    "requires_action": "pending",
    "failed": "failed",
    "canceled": "failed",
}
REFUND_OUTCOMES: dict[str, Outcome] = {"succeeded": "refund_succeeded", "failed": "refund_failed"}
# Stripe's answers that asking again can't change (a refund of money already returned, an amount
# larger than what is left, an unknown PaymentIntent); anything else (network, 5xx, rate limit, keys)
# may pass later.
PERMANENT = (stripe.InvalidRequestError, stripe.CardError, stripe.IdempotencyError)


def minor_units(amount: Decimal, currency: str) -> int:
    return int(amount if currency in ZERO_DECIMAL else amount * 100)


def major_units(amount: int, currency: str) -> Decimal:
    return Decimal(amount) if currency in ZERO_DECIMAL else Decimal(amount) / 100


# The library's reasons, said for whoever runs the endpoint (its own wording speaks to developers).
_SIGNATURE_PROBLEMS = {
    "No Stripe-Signature header": "the Stripe-Signature header is missing: only Stripe's signed events are accepted",
    "Unable to extract timestamp": "the Stripe-Signature header can't be read: it must look like t=…,v1=…",
    "No signatures found with expected scheme": "the Stripe-Signature header has no v1 signature",
    "No signatures found matching": (
        "the Stripe-Signature does not match: STRIPE_WEBHOOK_SECRET must be this endpoint's signing secret"
    ),
    "Timestamp outside the tolerance zone": (
        "the Stripe-Signature is more than 5 minutes old: a delayed or replayed request is not accepted"
    ),
}


def _signed_at(header: str) -> int:
    """The ``t=`` of a Stripe-Signature the library has just verified, read as the library reads it."""
    for item in header.split(","):
        key, _, value = item.partition("=")
        if key == "t":
            return int(value.split("=", 1)[0])
    raise WebhookRejected("the Stripe-Signature header can't be read: it must look like t=…,v1=…")


def _signature_problem(reason: str) -> str:
    for start, problem in _SIGNATURE_PROBLEMS.items():
        if reason.startswith(start):
            return problem
    return f"the Stripe-Signature does not verify: {reason}"


@dataclass
class StripeProvider:
    secret_key: str
    webhook_secret: str
    http_client: stripe.HTTPClient | None = None
    key: str = "stripe"
    label: str = "Card"
    online: bool = True

    def _client(self) -> stripe.StripeClient:
        return stripe.StripeClient(self.secret_key, http_client=self.http_client, max_network_retries=2)

    def checkout_create(self, request: CheckoutRequest) -> CheckoutStarted:
        """One hosted Checkout Session; the same ``idempotency_key`` gets the same session back."""
        try:
            session = self._client().v1.checkout.sessions.create(
                {
                    "mode": "payment",
                    "client_reference_id": request.reference,
                    "customer_email": request.customer_email,
                    "line_items": [
                        {
                            "quantity": 1,
                            "price_data": {
                                "currency": request.currency,
                                "unit_amount": minor_units(request.amount, request.currency),
                                "product_data": {"name": request.description},
                            },
                        }
                    ],
                    "metadata": {"case": request.reference},
                    "payment_intent_data": {"metadata": {"case": request.reference}},
                    "success_url": request.success_url,
                    "cancel_url": request.cancel_url,
                    "expires_at": int(request.expires_at.timestamp()),
                },
                {"idempotency_key": request.idempotency_key},
            )
        except stripe.StripeError as exc:
            raise ProviderError(f"Stripe refused or could not be reached: {exc.user_message or exc}") from exc
        if not session.url:
            raise ProviderError(f"Stripe made session {session.id} without a checkout URL")
        expires = datetime.fromtimestamp(session.expires_at, tz=UTC) if session.expires_at else None
        return CheckoutStarted(provider_ref=session.id, url=session.url, expires_at=expires)

    def refund_create(self, request: RefundRequest) -> RefundStarted:
        """Refund ``amount`` of the PaymentIntent; the same ``idempotency_key`` gets the same refund back."""
        try:
            refund = self._client().v1.refunds.create(
                {
                    "payment_intent": request.payment_ref,
                    "amount": minor_units(request.amount, request.currency),
                    "metadata": {"case": request.reference},
                },
                {"idempotency_key": request.idempotency_key},
            )
        except stripe.StripeError as exc:
            raise ProviderError(
                f"Stripe refused or could not be reached: {exc.user_message or exc}",
                permanent=isinstance(exc, PERMANENT),
            ) from exc
        state = REFUND_STATES.get(str(refund.status or ""), "pending")
        problem = f"Stripe failed the refund: {refund.failure_reason or refund.status}" if state == "failed" else ""
        return RefundStarted(provider_ref=refund.id, status=state, problem=problem)

    def event_parse(self, *, payload: bytes, signature: str | None) -> ProviderEvent:
        """Verify ``Stripe-Signature`` and read the event. Raises :class:`WebhookRejected` with the reason."""
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError:
            raise WebhookRejected("the body is not UTF-8 JSON") from None
        try:
            stripe.WebhookSignature.verify_header(text, signature, self.webhook_secret, tolerance=TOLERANCE)
        except stripe.SignatureVerificationError as exc:
            raise WebhookRejected(_signature_problem(str(exc))) from None
        if _signed_at(signature or "") > time.time() + TOLERANCE:
            # The library checks only the past: a signature dated ahead could be replayed until then.
            raise WebhookRejected(
                "the Stripe-Signature is dated more than 5 minutes ahead of our clock: "
                "check this server's clock, or the request was forged"
            )
        try:
            event: Any = json.loads(text)
        except RecursionError:
            raise WebhookRejected("the body is not a Stripe event: it is nested too deeply to read") from None
        except ValueError:
            raise WebhookRejected("the body is not JSON") from None
        if (
            not isinstance(event, dict)
            or not isinstance(event.get("id"), str)
            or not isinstance(event.get("type"), str)
        ):
            raise WebhookRejected("the body is not a Stripe event (it needs an id and a type)")
        _as_stripe_writes(event["id"], "id", 255)
        kind: str = _as_stripe_writes(event["type"], "type", 100)
        if kind in REFUND_EVENTS:
            return _refund_event(event)
        if not kind.startswith("checkout.session."):
            return ProviderEvent(event_id=event["id"], type=kind, outcome="other", provider_ref="")
        session = (event.get("data") or {}).get("object") if isinstance(event.get("data"), dict) else None
        if not isinstance(session, dict) or not isinstance(session.get("id"), str):
            raise WebhookRejected(f"{kind} event {event['id']} carries no checkout session")
        _as_stripe_writes(session["id"], "session's id", 255)
        outcome = SESSION_EVENTS.get(kind, "other")
        if kind == "checkout.session.completed":
            # Cards are paid at completion; bank debits complete first and settle later (async_*).
            outcome = "succeeded" if session.get("payment_status") in ("paid", "no_payment_required") else "waiting"
        currency = str(session.get("currency") or "")
        total = session.get("amount_total")
        return ProviderEvent(
            event_id=event["id"],
            type=kind,
            outcome=outcome,
            provider_ref=session["id"],
            amount=major_units(total, currency) if isinstance(total, int) else None,
            currency=currency,
            payment_ref=_id_of(session.get("payment_intent")),
        )


def _as_stripe_writes(value: str, what: str, most: int) -> str:
    """One of the event's ids or names, as Stripe writes them: at most ``most`` characters (the
    column keeping it), no null character (PostgreSQL refuses one in text)."""
    if not value or len(value) > most or "\x00" in value:
        raise WebhookRejected(f"the body is not a Stripe event: its {what} is not one Stripe sends")
    return value


def _id_of(value: Any) -> str:
    """An id Stripe may send bare (``"pi_…"``) or expanded (``{"id": "pi_…", …}``); "" for none."""
    if isinstance(value, dict):
        value = value.get("id")
    return _as_stripe_writes(value, "PaymentIntent's id", 255) if isinstance(value, str) and value else ""


def _refund_event(event: dict[str, Any]) -> ProviderEvent:
    refund = (event.get("data") or {}).get("object") if isinstance(event.get("data"), dict) else None
    if not isinstance(refund, dict) or not isinstance(refund.get("id"), str):
        raise WebhookRejected(f"{event['type']} event {event['id']} carries no refund")
    _as_stripe_writes(refund["id"], "refund's id", 255)
    state = REFUND_STATES.get(str(refund.get("status") or ""), "pending")
    outcome = REFUND_OUTCOMES.get(state, "other")
    currency = str(refund.get("currency") or "")
    amount = refund.get("amount")
    return ProviderEvent(
        event_id=event["id"],
        type=event["type"],
        outcome=outcome,
        provider_ref=refund["id"],
        amount=major_units(amount, currency) if isinstance(amount, int) else None,
        currency=currency,
        payment_ref=_id_of(refund.get("payment_intent")),
        problem=f"Stripe failed the refund: {refund.get('failure_reason') or refund.get('status')}".replace("\x00", "")
        if state == "failed"
        else "",
    )
