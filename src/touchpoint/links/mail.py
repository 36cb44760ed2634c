"""Emailing customers fresh links: on their own request ("email me a new link") and when staff
switch the old ones off. Messages go through the outbox, in the transaction that issued the links."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case
from touchpoint.catalog.selectors import device_name
from touchpoint.core.clock import now
from touchpoint.customers.models import Customer
from touchpoint.links.services import link_issue, link_revoke
from touchpoint.outbox.models import OutboxMessage
from touchpoint.outbox.services import notice_enqueue

# A customer asking twice in this window gets one email (the first still holds working links).
REQUEST_WINDOW_SECONDS = 15 * 60
RECENTLY_CLOSED_DAYS = 60
MAX_CASES = 10


def link_url(token: str) -> str:
    """The absolute address of the case page a token opens, for messages."""
    return f"{settings.TOUCHPOINT_PUBLIC_URL}{reverse('portal:case', args=[token])}"


def _describe(case: Case) -> str:
    label = journey_of(case.journey).states[case.state].label if case.closed_at is None else "finished"
    return f"{case.reference}, your {device_name(str(case.data.get('model') or ''))}: {label}"


def _signature() -> str:
    return (
        f"Each link opens one repair and works for {settings.TOUCHPOINT_LINK_DAYS} days.\n"
        "Talk to a person: reply to this email and a member of the team will answer you.\n\n"
        f"{settings.TOUCHPOINT_SHOP_NAME}\n"
    )


def link_request_send(*, email: str) -> int:
    """Email the customer with ``email`` a fresh link to each of their open and recently finished
    cases; returns how many cases the email lists (0: unknown address or nothing to show, and no
    email). A second request in the same window sends nothing more. The caller must answer the same
    way whatever this returns, so the form tells no one which addresses are customers."""
    customer = Customer.objects.filter(email__iexact=email.strip()).first()
    if customer is None:
        return 0
    at = now()
    window = int(at.timestamp()) // REQUEST_WINDOW_SECONDS
    digest = hashlib.sha256(customer.email.encode()).hexdigest()[:16]
    key = f"links:request:{digest}:{window}"
    with transaction.atomic():
        if OutboxMessage.objects.filter(idempotency_key=key).exists():
            return 0
        cases = list(
            Case.objects.select_related("journey")
            .filter(customer=customer)
            .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=at - timedelta(days=RECENTLY_CLOSED_DAYS)))
            .order_by("-opened_at")[:MAX_CASES]
        )
        if not cases:
            return 0
        lines = [f"{_describe(case)}\n{link_url(link_issue(case=case))}" for case in cases]
        notice_enqueue(
            recipient=customer.email,
            subject=f"Your link{'s' if len(cases) > 1 else ''} to follow your repair",
            body_text=(
                f"Hi {customer.first_name or 'there'},\n\n"
                "You asked for a fresh link to your repair. Here it is:\n\n"
                + "\n\n".join(lines)
                + "\n\nIf you didn't ask for this, you can ignore this email.\n\n"
                + _signature()
            ),
            idempotency_key=key,
        )
        return len(cases)


def link_replace(*, case: Case, reason: str) -> str:
    """Switch off every link to ``case`` and email its customer a new one; returns the new token.
    For a link that was forwarded or leaked. Opens its own transaction."""
    with transaction.atomic():
        link_revoke(case=case, reason=reason)
        token = link_issue(case=case)
        notice_enqueue(
            recipient=case.customer.email,
            case=case,
            subject=f"{case.reference}: a new link to follow your repair",
            body_text=(
                f"Hi {case.contact_first_name or 'there'},\n\n"
                "We've switched off the old link to your repair, to keep your details safe. "
                "This is the new one:\n\n"
                f"{_describe(case)}\n{link_url(token)}\n\n" + _signature()
            ),
            idempotency_key=f"links:replaced:{case.pk}:{token[:16]}",
        )
        return token
