"""Messages to send, written in the same transaction as the change that caused them."""

from __future__ import annotations

from django.db import models

from touchpoint.core.changes import Counted, CountedQuerySet


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    DEAD = "dead", "Gave up (a person has a task)"
    CANCELLED = "cancelled", "Cancelled"
    HELD = "held", "Held until a person has written (a survey after a complaint)"


class OutboxMessage(Counted):
    """A message to send. :class:`Counted`: every write moves ``changed`` (the staff case view keeps its
    timeline under the sum over the case's messages: console/reads/kept.py)."""

    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="messages")
    channel = models.CharField(max_length=20)  # email | sms | …
    recipient = models.CharField(max_length=254)
    touchpoint = models.CharField(max_length=80, blank=True)
    tone = models.CharField(max_length=10, blank=True)
    tone_reason = models.CharField(
        max_length=200, blank=True, default="", db_default="", help_text="Why the tone rule chose this tone"
    )
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    attachments = models.JSONField(
        default=list, blank=True, help_text='Kinds of file made at send time, e.g. ["box_label"]'
    )
    status = models.CharField(max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=6)
    next_attempt_at = models.DateTimeField()
    lease_owner = models.CharField(max_length=80, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # What the provider calls the message (a Twilio SID), so its delivery receipts find it
    provider_ref = models.CharField(max_length=64, blank=True)
    # The provider's latest delivery status (queued, sent, delivered, undelivered, failed) and error code
    delivery = models.CharField(max_length=16, blank=True)
    delivery_error = models.CharField(max_length=200, blank=True)
    # The text this email stands in for, when the text couldn't be delivered
    fallback_for = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = CountedQuerySet["OutboxMessage"].as_manager()

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="outbox_pending_due", condition=models.Q(status="pending")),
            models.Index(fields=["case", "created_at"], name="outbox_case_created"),
            models.Index(fields=["provider_ref"], name="outbox_provider_ref", condition=~models.Q(provider_ref="")),
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.recipient}: {self.subject or self.touchpoint}"
