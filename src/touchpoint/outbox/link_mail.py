"""Emailing customers fresh links: on their own request ("email me a new link", queued by the page
and answered by the worker) and when staff switch the old ones off. Messages go through the outbox,
in the transaction that issued the links."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case
from touchpoint.catalog.selectors import device_name
from touchpoint.core.clock import now
from touchpoint.customers.models import Customer
from touchpoint.customers.services import email_normalise
from touchpoint.links.models import LinkRequest
from touchpoint.links.paths import case_page_url
from touchpoint.links.services import link_issue, link_revoke
from touchpoint.outbox.models import OutboxMessage
from touchpoint.outbox.services import notice_enqueue
from touchpoint.shop.selectors import shop_settings
from touchpoint.touchpoints.brand import notice_html

# An address gets at most one link email in this window, however often it is asked for (the first
# still holds working links); a request after it always sends.
REQUEST_WINDOW_SECONDS = 15 * 60
RECENTLY_CLOSED_DAYS = 60
MAX_CASES = 10


def _describe(case: Case) -> str:
    label = journey_of(case.journey).states[case.state].label if case.closed_at is None else "finished"
    return f"{case.reference}, your {device_name(str(case.data.get('model') or ''))}: {label}"


def _signature() -> str:
    return (
        f"Each link opens one repair and works for {settings.TOUCHPOINT_LINK_DAYS} days.\n"
        "Talk to a person: reply to this email and a member of the team will answer you.\n\n"
        f"{shop_settings().name}\n"
    )


def link_request_queue(*, email: str) -> None:
    """Someone asked the page for a fresh link to ``email``: queue it for the worker. The same one
    INSERT whatever the address (known or not, asked before or not), so the page's answer and the
    time it takes tell no one who our customers are. Nothing is looked up or sent here."""
    LinkRequest.objects.create(email=email_normalise(email)[:254], asked_at=now())


def link_request_send(*, email: str) -> int:
    """Email the customer with ``email`` a fresh link to each of their open and recently finished
    cases; returns how many cases the email lists (0: unknown address or nothing to show, and no
    email). Runs in the worker, never in the page's request.

    At most one such email goes to an address in any ``REQUEST_WINDOW_SECONDS``: a request within
    that time of the last one sends nothing more (the email sent holds working links), and one after
    it always sends. So asking again and again, from anywhere, sends no more than four an hour to the
    customer, and never stops the customer's own request from being answered. Opens its own
    transaction and holds the customer's row, so two workers answer one address one at a time."""
    at = now()
    with transaction.atomic():
        customer = Customer.objects.select_for_update().filter(email__iexact=email.strip()).first()
        if customer is None:
            return 0
        digest = hashlib.sha256(customer.email.encode()).hexdigest()[:16]
        recent = OutboxMessage.objects.filter(
            idempotency_key__startswith=f"links:request:{digest}:",
            created_at__gt=at - timedelta(seconds=REQUEST_WINDOW_SECONDS),
        )
        if recent.exists():
            return 0
        cases = list(
            Case.objects.select_related("journey")
            .filter(customer=customer)
            .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=at - timedelta(days=RECENTLY_CLOSED_DAYS)))
            .order_by("-opened_at")[:MAX_CASES]
        )
        if not cases:
            return 0
        urls = [case_page_url(link_issue(case=case)) for case in cases]
        lines = [f"{_describe(case)}\n{url}" for case, url in zip(cases, urls, strict=True)]
        subject = f"Your link{'s' if len(cases) > 1 else ''} to follow your repair"
        text = (
            f"Hi {customer.first_name or 'there'},\n\n"
            "You asked for a fresh link to your repair. Here it is:\n\n"
            + "\n\n".join(lines)
            + "\n\nIf you didn't ask for this, you can ignore this email.\n\n"
            + _signature()
        )
        notice_enqueue(
            recipient=customer.email,
            subject=subject,
            body_text=text,
            # One case: its page is the button; several: each link is in the text.
            body_html=notice_html(subject=subject, text=text, tracking_url=urls[0] if len(urls) == 1 else ""),
            idempotency_key=f"links:request:{digest}:{at.timestamp():.6f}",
        )
        return len(cases)


def link_replace(*, case: Case, reason: str) -> str:
    """Switch off every link to ``case`` and email its customer a new one; returns the new token.
    For a link that was forwarded or leaked. Opens its own transaction."""
    with transaction.atomic():
        link_revoke(case=case, reason=reason)
        token = link_issue(case=case)
        subject, page = f"{case.reference}: a new link to follow your repair", case_page_url(token)
        text = (
            f"Hi {case.contact_first_name or 'there'},\n\n"
            "We've switched off the old link to your repair, to keep your details safe. "
            "This is the new one:\n\n"
            f"{_describe(case)}\n{page}\n\n" + _signature()
        )
        notice_enqueue(
            recipient=case.customer.email,
            case=case,
            subject=subject,
            body_text=text,
            body_html=notice_html(subject=subject, text=text, reference=case.reference, tracking_url=page),
            idempotency_key=f"links:replaced:{case.pk}:{token[:16]}",
        )
        return token
