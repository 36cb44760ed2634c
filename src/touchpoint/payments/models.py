"""Payments for a case and the provider events that moved them.

A ``Payment`` is one attempt to take the case's price through one provider: a Stripe Checkout
session, or money staff saw arrive offline. A ``PaymentEvent`` is one provider notification, kept
by its provider's id so a webhook delivered three times is applied once."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

from touchpoint.cases.models import Case
from touchpoint.staff.models import StaffUser


class Provider(models.TextChoices):
    OFFLINE = "offline", "Offline (bank transfer, invoice, on return)"
    STRIPE = "stripe", "Card (Stripe Checkout)"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the customer"
    PROCESSING = "processing", "Waiting for the bank"
    PAID = "paid", "Paid"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Abandoned (checkout expired)"
    REFUNDED = "refunded", "Refunded"


class OfflineMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    INVOICE = "invoice", "Invoice"
    ON_RETURN = "on_return", "On return (cash or card at the counter)"


class Payment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    amount_refunded = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    # The provider's id for it (Stripe: the Checkout Session id); empty for offline payments.
    provider_ref = models.CharField(max_length=255, blank=True, default="")
    checkout_url = models.URLField(max_length=2000, blank=True, default="")
    # The key sent to the provider: a double click on the same page reuses it, so one session is made.
    idempotency_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    case_version = models.PositiveIntegerField(default=0)  # the case's version the pay form was rendered with
    expires_at = models.DateTimeField(null=True, blank=True)
    method = models.CharField(max_length=20, choices=OfflineMethod.choices, blank=True, default="")
    reference = models.CharField(max_length=200, blank=True, default="")  # what staff saw on the statement
    recorded_by = models.ForeignKey(StaffUser, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    problem = models.CharField(max_length=500, blank=True, default="")  # why it failed, in words
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_ref"], condition=~Q(provider_ref=""), name="payment_provider_ref_unique"
            )
        ]
        indexes = [models.Index(fields=["case", "created_at"], name="payment_case_created")]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.amount} {self.currency.upper()} {self.provider} {self.status}"


class EventOutcome(models.TextChoices):
    APPLIED = "applied", "Applied to the case"
    RECORDED = "recorded", "Recorded; the case had moved on"
    NEEDS_PERSON = "needs_person", "Recorded; a person must check it"
    IGNORED = "ignored", "Not an event we act on"


class PaymentEvent(models.Model):
    provider = models.CharField(max_length=20, choices=Provider.choices)
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    received_at = models.DateTimeField()
    outcome = models.CharField(max_length=20, choices=EventOutcome.choices)
    detail = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="payment_event_once")]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id} {self.type} {self.outcome}"
