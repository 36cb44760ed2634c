"""The worker's part of the demo card page: end sessions whose time ran out, and deliver the queued
events to ``{TOUCHPOINT_PUBLIC_URL}/hooks/stripe`` by HTTP POST, signed as Stripe signs them.

Each delivery is signed afresh when it is sent (``Stripe-Signature: t=…,v1=…``, HMAC-SHA256 with
``STRIPE_WEBHOOK_SECRET``, by the ``stripe`` library's own helper), since the endpoint refuses a
signature more than five minutes old. Retries back off as the outbox's do; an answer a retry can't
change (a 4xx other than 408/409/425/429) or the last attempt ends it, and a person gets a task."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from datetime import timedelta

import stripe
import structlog
from django.conf import settings
from django.db import transaction

from touchpoint.cases.models import Case, TaskKind
from touchpoint.cases.services.tasks import task_open
from touchpoint.core.clock import now
from touchpoint.core.leases import lease_due
from touchpoint.demopay.models import DemoEvent, EventStatus
from touchpoint.demopay.services import demo_enabled, demo_sessions_expire_due
from touchpoint.outbox.services import backoff_seconds
from touchpoint.payments.money import money

log = structlog.get_logger("touchpoint.demopay")

WEBHOOK_PATH = "/hooks/stripe"
TIMEOUT = 10.0  # seconds per POST; at most MAX_PER_PASS of them fit well inside a worker's lease
MAX_PER_PASS = 10
RETRYABLE = {408, 409, 425, 429}  # 4xx answers that may change on a retry (409: the case was busy)
# The demo posts to its own address: never through a proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def webhook_url() -> str:
    return f"{settings.TOUCHPOINT_PUBLIC_URL}{WEBHOOK_PATH}"


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST ``body``; the HTTP status and the start of the answer. Raises OSError when unreachable."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - http(s) only, from settings
    try:
        with _OPENER.open(request, timeout=TIMEOUT) as response:
            return int(response.status), response.read(2000).decode("utf-8", "replace")
    except urllib.error.HTTPError as answer:
        return int(answer.code), answer.read(2000).decode("utf-8", "replace")


def demo_pay_work(*, worker_id: str, batch: int, lease_seconds: float) -> int:
    """One pass: expire what ran out, then deliver what is due. How many items were worked."""
    if not demo_enabled():
        return 0
    worked = demo_sessions_expire_due(batch=batch)
    for event_id in _claim(worker_id=worker_id, batch=min(batch, MAX_PER_PASS), lease_seconds=lease_seconds):
        _deliver(event_id=event_id, worker_id=worker_id)
        worked += 1
    return worked


def _claim(*, worker_id: str, batch: int, lease_seconds: float) -> list[str]:
    """Lease due pending events to ``worker_id``, as the worker leases messages."""
    pending = DemoEvent.objects.filter(status=EventStatus.PENDING)
    return lease_due(
        pending, due_field="next_attempt_at", worker_id=worker_id, batch=batch, lease_seconds=lease_seconds
    )


def _deliver(*, event_id: str, worker_id: str) -> None:
    event = DemoEvent.objects.select_related("session").get(pk=event_id)
    url = webhook_url()
    # Signed at send time with the wall clock, which is what the endpoint checks it against.
    signature = str(
        stripe.WebhookSignature.generate_signature_header(
            event.payload, settings.STRIPE_WEBHOOK_SECRET, timestamp=int(time.time())
        )
    )
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Stripe-Signature": signature,
        "User-Agent": "Touchpoint-DemoPay/1.0 (the demo's stand-in for Stripe/1.0)",
    }
    try:
        status, answer = post(url, event.payload.encode("utf-8"), headers)
    except OSError as exc:
        _failed(event, worker_id, f"could not reach {url}: {exc}", permanent=False)
        return
    if 200 <= status < 300:
        DemoEvent.objects.filter(pk=event.pk, status=EventStatus.PENDING, lease_owner=worker_id).update(
            status=EventStatus.DELIVERED,
            attempts=event.attempts + 1,
            delivered_at=now(),
            lease_owner="",
            lease_until=None,
            last_error="",
        )
        log.info("demopay.delivered", demo_event=event.pk, type=event.type, status=status)
        return
    permanent = 400 <= status < 500 and status not in RETRYABLE
    _failed(event, worker_id, f"{url} answered {status}: {answer.strip()[:500]}", permanent=permanent)


_WHAT_IT_SAID = {
    "checkout.session.completed": "The customer paid {amount} on the demo card page (no real money), but the case "
    "was never told. Record the payment in the case's Payments panel, or the case waits for it.",
    "checkout.session.expired": "The customer's checkout ended unpaid, but the case was never told: it still "
    "shows the payment as being checked. Tell the customer how to pay.",
    "refund.created": "The refund went through on the demo card page, but the case was never told.",
    "charge.refunded": "The refund went through on the demo card page, but the case was never told.",
}


def _failed(event: DemoEvent, worker_id: str, error: str, *, permanent: bool) -> None:
    """Retry later with backoff, or give up and hand it to a person (in one transaction)."""
    with transaction.atomic():
        current = (
            DemoEvent.objects.select_for_update()
            .filter(pk=event.pk, status=EventStatus.PENDING, lease_owner=worker_id)
            .first()
        )
        if current is None:
            return  # the lease ran out and someone else holds it now
        attempts, at = current.attempts + 1, now()
        if not permanent and attempts < current.max_attempts:
            DemoEvent.objects.filter(pk=current.pk).update(
                attempts=attempts,
                last_error=error[:2000],
                lease_owner="",
                lease_until=None,
                next_attempt_at=at + timedelta(seconds=backoff_seconds(attempts)),
            )
            log.warning("demopay.retry", demo_event=current.pk, attempts=attempts, error=error)
            return
        DemoEvent.objects.filter(pk=current.pk).update(
            status=EventStatus.DEAD, attempts=attempts, last_error=error[:2000], lease_owner="", lease_until=None
        )
        session = event.session
        reference = session.reference
        why = "was refused" if permanent else f"failed {attempts} times"
        consequence = _WHAT_IT_SAID.get(current.type, "").format(amount=money(session.amount, session.currency))
        task_open(
            kind=TaskKind.PAYMENT_PROBLEM,
            owner="team:intake",
            case=Case.objects.filter(reference=reference).first(),
            title=f"{reference}: the demo card page's {current.type} event {why} at /hooks/stripe",
            detail=(
                f"Event {current.pk} for checkout session {session.pk}, sent to {webhook_url()}.\n"
                f"Last answer: {error}\n\n{consequence}\n\n"
                "Check that TOUCHPOINT_PUBLIC_URL is the address this shop is served at, and that the web app "
                "is running; the event itself is kept under Demo card payments in the admin."
            ),
            priority=1,
            due_at=at,
            source_key=f"demopay:{current.pk}:dead",
        )
        log.error("demopay.dead", demo_event=current.pk, error=error)
