"""Stripe's side of a demo card payment: checkout sessions, the events sent about them, refunds.

These rows stand for what Stripe would keep on its servers; Touchpoint's own record of the money
is ``payments.Payment``, written only from the events, as with the real Stripe."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q


class SessionStatus(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETE = "complete", "Complete"
    EXPIRED = "expired", "Expired"


class DemoSession(models.Model):
    """One checkout session, as Stripe's ``checkout.session`` object (ids look like Stripe's)."""

    id = models.CharField(primary_key=True, max_length=80)  # cs_test_…
    idempotency_key = models.CharField(max_length=200, unique=True)
    reference = models.CharField(max_length=40)  # client_reference_id: the case reference
    description = models.CharField(max_length=300)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3)
    customer_email = models.CharField(max_length=254, blank=True)
    success_url = models.CharField(max_length=2000)
    cancel_url = models.CharField(max_length=2000)
    status = models.CharField(max_length=10, choices=SessionStatus.choices, default=SessionStatus.OPEN)
    paid = models.BooleanField(default=False)  # payment_status: paid / unpaid
    payment_intent = models.CharField(max_length=80, blank=True)  # pi_…, once paid
    charge = models.CharField(max_length=80, blank=True)  # ch_…, once paid
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)  # never more of the number than this
    cardholder = models.CharField(max_length=200, blank=True)
    amount_refunded = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["expires_at"], name="demopay_open_expiry", condition=Q(status="open"))]

    def __str__(self) -> str:
        return f"{self.id} {self.reference} {self.amount} {self.currency.upper()} {self.status}"


class EventStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be delivered"
    DELIVERED = "delivered", "Delivered"
    DEAD = "dead", "Never delivered; a person has a task"


class DemoEvent(models.Model):
    """One event to POST to the shop's ``/hooks/stripe``, kept as the exact JSON body sent."""

    id = models.CharField(primary_key=True, max_length=80)  # evt_…
    type = models.CharField(max_length=100)
    payload = models.TextField()
    session = models.ForeignKey(DemoSession, on_delete=models.PROTECT, related_name="events")
    status = models.CharField(max_length=10, choices=EventStatus.choices, default=EventStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField()
    next_attempt_at = models.DateTimeField()
    lease_owner = models.CharField(max_length=200, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["next_attempt_at"], name="demopay_event_due", condition=Q(status="pending"))]

    def __str__(self) -> str:
        return f"{self.id} {self.type} {self.status}"


class DemoRefund(models.Model):
    """A refund of a paid session, as Stripe's ``refund`` object."""

    id = models.CharField(primary_key=True, max_length=80)  # re_…
    session = models.ForeignKey(DemoSession, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3)
    reference = models.CharField(max_length=40)  # metadata.case
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.id} {self.amount} {self.currency.upper()} of {self.session_id}"
