"""Payments for a case, the provider events that moved them, and the refunds a journey promised.

A ``Payment`` is one attempt to take money for the case through one provider: a Stripe Checkout
session, or money staff saw arrive offline; for the order's price or for the balance of approved
extra work (``purpose``). A ``PaymentEvent`` is one provider notification, kept by its provider's
id so a webhook delivered three times is applied once. A ``Refund`` is money owed back, recorded in
the transaction of the move whose message says so, and worked until it is back with the customer."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

from touchpoint.cases.models import Case, Task, TimelineEntry
from touchpoint.core.changes import Counted, CountedQuerySet
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


class Purpose(models.TextChoices):
    ORDER = "order", "The order's price"
    BALANCE = "balance", "The balance for approved extra work"


class OfflineMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    INVOICE = "invoice", "Invoice"
    ON_RETURN = "on_return", "On return (cash or card at the counter)"


class Payment(Counted):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    # What refunds recorded against this payment add up to (owed or done): see ``Refund``.
    amount_refunded = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    purpose = models.CharField(max_length=10, choices=Purpose.choices, default=Purpose.ORDER)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    # The provider's id for it (Stripe: the Checkout Session id); empty for offline payments.
    provider_ref = models.CharField(max_length=255, blank=True, default="")
    # The provider's id for the money itself (Stripe: the PaymentIntent), which a refund names.
    payment_ref = models.CharField(max_length=255, blank=True, default="")
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

    objects = CountedQuerySet["Payment"].as_manager()  # every write moves `changed` (core/changes.py)

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


class RefundStatus(models.TextChoices):
    TO_SEND = "to_send", "To send through the payment provider"
    SENT = "sent", "Sent; the provider is returning it"
    SUCCEEDED = "succeeded", "Refunded through the payment provider"
    PAY_BACK = "pay_back", "A person pays it back"
    PAID_BACK = "paid_back", "Paid back by a person"
    FAILED = "failed", "The provider couldn't return it; a person pays it back"


# Statuses in which a person must still pay the money back (their task is open).
PERSON_OWES = (RefundStatus.PAY_BACK, RefundStatus.FAILED)


class Refund(Counted):
    """Money owed back to the customer, recorded with the move whose message says so.

    Through the payment provider where the money came through one (the worker sends it, with
    bounded retries; what finally fails becomes a person's task), else a person's task with the
    exact amount, marked paid back in the console. ``amount`` never changes once recorded."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="refunds")
    # The payment it returns; None when the amount comes from the case data (an order's total).
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds")
    what = models.CharField(max_length=60, help_text="The journey's `refund:`: `all` or a money field of the case")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=RefundStatus.choices)
    event = models.CharField(max_length=100, help_text="The journey event whose move promised it")
    entry = models.ForeignKey(TimelineEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    provider = models.CharField(max_length=20, blank=True, default="", help_text="Who sends it; empty for a person")
    provider_ref = models.CharField(max_length=255, blank=True, default="")  # Stripe: the refund id (re_…)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=200, blank=True, default="")
    lease_until = models.DateTimeField(null=True, blank=True)
    problem = models.CharField(max_length=500, blank=True, default="")  # the last failure, in words
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    paid_back_by = models.ForeignKey(StaffUser, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    paid_back_note = models.CharField(max_length=200, blank=True, default="")  # how, and its reference
    # One move's promise is recorded once: the case, the move (its state_seq) and the payment.
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    objects = CountedQuerySet["Refund"].as_manager()  # every write moves `changed` (core/changes.py)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["case", "created_at"], name="refund_case_created"),
            models.Index(fields=["next_attempt_at"], condition=Q(status="to_send"), name="refund_to_send_due"),
        ]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self) -> str:
        return f"{self.case.reference} refund {self.amount} {self.currency.upper()} {self.status}"
