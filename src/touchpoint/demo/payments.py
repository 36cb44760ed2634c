"""The demo's money, moved the way it moves in the running shop: card payments on the demo card page
(checkout, a test card, Stripe's events read by the very code behind ``/hooks/stripe``), bank
transfers recorded by intake on the payments panel, refunds the journey promises sent back through
the card page by the refunds job or paid back by a person, and balances waived through the remedies
panel. So every paid case has its payments, and every refunding move its refund.

The card page's events are applied here, in the loader's own process, rather than posted over HTTP
by the worker (nothing serves ``/hooks/stripe`` while the demo loads); each is signed with the
demo's secret and read by the provider's ``event_parse`` first, exactly as the web hook reads it.
Each event applied is marked delivered, so the worker doesn't post the history again."""

from __future__ import annotations

import time

import stripe
from django.conf import settings

from touchpoint.cases.models import Case
from touchpoint.core.clock import now
from touchpoint.demopay.models import DemoEvent, DemoSession, EventStatus, SessionStatus
from touchpoint.demopay.services import demo_session_expire, demo_session_pay
from touchpoint.flows.jobs import refunds_send
from touchpoint.flows.payments import card_checkout_start, offline_payment_record, payment_event_apply
from touchpoint.flows.refunds import refund_mark_paid_back
from touchpoint.payments.models import OfflineMethod, Payment, PaymentEvent, Refund, RefundStatus
from touchpoint.payments.providers.registry import card_provider
from touchpoint.payments.selectors import BALANCE_STATES, case_money, case_price
from touchpoint.remedies.services.remedies import remedy_apply
from touchpoint.staff.models import StaffUser
from touchpoint.touchpoints.services import tracking_url

# Stripe's published test cards, as the demo card page lists them: one pays, one is declined.
CARD_PAYS = "4242 4242 4242 4242"
CARD_DECLINED = "4000 0000 0000 0002"
CARD_EXPIRY = "12 / 34"
CARD_CVC = "123"


def cards_on() -> bool:
    """Does the demo take card payments (the demo card page is switched on)?"""
    return card_provider() is not None


def _fresh(case: Case) -> Case:
    return Case.objects.select_related("journey", "customer").get(pk=case.pk)


def card_checkout(*, case: Case) -> Payment:
    """The customer presses "Pay by card" on their page: a checkout on the demo card page for what is
    due (the order, or the balance for approved extra work)."""
    provider = card_provider()
    assert provider is not None, "card payments are off: the walk pays by bank transfer instead"
    page = tracking_url(case=case)
    return card_checkout_start(
        case=case,
        seen_version=case.version,
        provider=provider,
        success_url=f"{page}?payment=done",
        cancel_url=f"{page}?payment=cancelled",
    )


def _open_session(case: Case) -> DemoSession:
    session = DemoSession.objects.filter(reference=case.reference, status=SessionStatus.OPEN).order_by("-created_at")
    found = session.first()
    assert found is not None, f"{case.reference} has no checkout open on the demo card page"
    return found


def card_pays(*, case: Case, customer_name: str) -> Case:
    """On the demo card page, the customer pays with the test card that succeeds."""
    answer = demo_session_pay(
        session=_open_session(case), number=CARD_PAYS, expiry=CARD_EXPIRY, cvc=CARD_CVC, name=customer_name
    )
    assert answer.check is not None and answer.check.paid, "the test card that pays was refused"
    events_deliver(case=case)
    return _fresh(case)


def card_declined(*, case: Case, customer_name: str) -> Case:
    """The customer's card is declined on the demo card page, and they leave it: the checkout ends
    unpaid, and the shop hears so from the card page (as from Stripe when a session expires)."""
    session = _open_session(case)
    answer = demo_session_pay(
        session=session, number=CARD_DECLINED, expiry=CARD_EXPIRY, cvc=CARD_CVC, name=customer_name
    )
    assert answer.check is not None and answer.check.declined, "the test card that declines went through"
    demo_session_expire(session=session)
    events_deliver(case=case)
    return _fresh(case)


def events_deliver(*, case: Case) -> int:
    """Apply the card page's events about ``case`` that the shop hasn't seen, oldest first, through
    the web hook's own reading (signature checked) and ``payment_event_apply``. How many were applied."""
    provider = card_provider()
    assert provider is not None
    applied = 0
    seen = set(PaymentEvent.objects.filter(payment__case=case).values_list("event_id", flat=True))
    for event in DemoEvent.objects.filter(session__reference=case.reference).order_by("created_at", "id"):
        if event.id not in seen:
            # Signed as the card page signs it when it posts, against the wall clock the hook checks.
            signature = stripe.WebhookSignature.generate_signature_header(
                event.payload, settings.STRIPE_WEBHOOK_SECRET, timestamp=int(time.time())
            )
            payment_event_apply(event=provider.event_parse(payload=event.payload.encode(), signature=str(signature)))
            applied += 1
        # Delivered here, as the worker would have: it needn't post a history the shop has already read.
        DemoEvent.objects.filter(pk=event.pk, status=EventStatus.PENDING).update(
            status=EventStatus.DELIVERED, delivered_at=now()
        )
    return applied


def bank_transfer(*, case: Case, staff: StaffUser) -> Case:
    """Intake sees the customer's bank transfer arrive and records it on the payments panel: the
    order's price, or what is left of the balance."""
    amount = case_money(case=case).balance_due if case.state in BALANCE_STATES else case_price(case=case)
    assert amount is not None and amount > 0, f"{case.reference} has nothing to pay in {case.state}"
    offline_payment_record(
        case=case,
        seen_version=case.version,
        staff=staff,
        amount=amount,
        method=OfflineMethod.BANK_TRANSFER,
        reference=f"{case.customer.name} {case.reference}",
    )
    return _fresh(case)


def balance_waive(*, case: Case, staff: StaffUser, reason: str) -> Case:
    """Customer care waives the whole balance through the remedies panel (a fee waiver, within policy)."""
    due = case_money(case=case).balance_due
    remedy_apply(
        case=case,
        user=staff,
        kind="fee_waiver",
        amount=due,
        reason=reason,
        expected_version=case.version,
        idempotency_key=f"demo-waiver:{case.pk}:{case.state_seq}",
    )
    return _fresh(case)


def refunds_settle(*, case: Case, staff: StaffUser, pay_back: bool) -> None:
    """What happens to the refunds a move promised, a little after it: the refunds job sends those
    that go back through the card page (its answer arrives as the page's events), and intake pays
    back by hand those that can't, when ``pay_back`` (else they wait on intake's list, as a task)."""
    if Refund.objects.filter(case=case, status=RefundStatus.TO_SEND, next_attempt_at__lte=now()).exists():
        refunds_send(worker_id="demo-loader", batch=20, lease_seconds=60)
        if cards_on():
            events_deliver(case=case)
    if not pay_back:
        return
    for refund in Refund.objects.filter(case=case, status=RefundStatus.PAY_BACK).order_by("pk"):
        paid_how = refund.payment.get_method_display().lower() if refund.payment is not None else "bank transfer"
        refund_mark_paid_back(
            refund=refund, staff=staff, seen_version=_fresh(case).version, note=f"Sent back by {paid_how}"
        )
