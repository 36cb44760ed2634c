"""Mail that reached us: kept whole (the raw bytes are never thrown away), parsed for display,
and tied to the case and the customer it belongs to."""

from __future__ import annotations

from django.db import models

from touchpoint.core.changes import Counted, CountedQuerySet


class Source(models.TextChoices):
    WEBHOOK = "webhook", "Webhook"
    IMAP = "imap", "IMAP mailbox"
    PORTAL = "portal", "The case page (magic link)"
    SMS = "sms", "Text message"


class Kind(models.TextChoices):
    REPLY = "reply", "Reply on a case"
    NEW = "new", "New conversation"
    AUTO_REPLY = "auto_reply", "Automatic reply (never answered)"
    BOUNCE = "bounce", "Bounce (never answered)"


class MatchedBy(models.TextChoices):
    TOKEN = "token", "Reply address token"
    THREAD = "thread", "In-Reply-To / References"
    SUBJECT = "subject", "Case reference in the subject, from the case's customer"
    LINK = "link", "Written on the case's page, reached by its link"
    PHONE = "phone", "Texted from the customer's number"


class Proof(models.TextChoices):
    """What shows a message comes from whoever holds the case's mail or its page. Only a message
    with proof, from the case's own customer, acts by itself; without it a person decides."""

    NONE = "", "No proof it comes from the customer: a person decides"
    TOKEN = "token", "Proof: sent to the case's reply address"
    THREAD = "thread", "Proof: a reply to our own message"
    LINK = "link", "Proof: written on the case's page"
    DMARC = "dmarc", "Proof: the sender's domain passed DMARC at our trusted relay"
    DKIM = "dkim", "Proof: signed by the sender's domain (DKIM), checked at our trusted relay"


class InboundMessage(Counted):
    source = models.CharField(max_length=10, choices=Source.choices)
    message_id = models.CharField(max_length=998, blank=True, help_text="As sent; empty when the mail had none")
    raw_sha256 = models.CharField(max_length=64, help_text="Identifies mail that came without a Message-ID")
    raw = models.BinaryField(help_text="The message exactly as received")
    from_email = models.CharField(max_length=254, blank=True)
    from_name = models.CharField(max_length=200, blank=True)
    to = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="The Date header")
    text = models.TextField(blank=True)
    html = models.TextField(blank=True, help_text="Sanitised")
    reply_text = models.TextField(blank=True, help_text="What they wrote, without quoted history or signature")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    matched_by = models.CharField(max_length=10, choices=MatchedBy.choices, blank=True)
    proof = models.CharField(
        max_length=10, choices=Proof.choices, blank=True, default="", help_text="How it proved who sent it, if it did"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="inbound_messages"
    )
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="inbound_messages"
    )
    sentiment = models.FloatField(null=True, blank=True, help_text="VADER compound score (-1 … 1)")
    action = models.CharField(max_length=40, blank=True, help_text="What we did on its own, e.g. tone:plain")
    task = models.ForeignKey(
        "cases.Task", null=True, blank=True, on_delete=models.PROTECT, related_name="inbound_messages"
    )
    reply = models.ForeignKey(
        "outbox.OutboxMessage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The one automated answer to this message, if any",
    )
    no_reply_reason = models.CharField(max_length=200, blank=True)
    rejected = models.JSONField(default=list, blank=True, help_text="Attachments refused, with the reason")
    defects = models.JSONField(default=list, blank=True)
    received_at = models.DateTimeField()

    objects = CountedQuerySet["InboundMessage"].as_manager()  # every write moves `changed` (core/changes.py)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["message_id"], condition=~models.Q(message_id=""), name="inbound_message_id_unique"
            ),
            models.UniqueConstraint(
                fields=["raw_sha256"], condition=models.Q(message_id=""), name="inbound_raw_sha256_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["case", "received_at"], name="inbound_case_received"),
            models.Index(fields=["from_email", "received_at"], name="inbound_from_received"),
        ]

    def __str__(self) -> str:
        return f"{self.from_email or 'unknown sender'}: {self.subject or '(no subject)'}"


class InboundAttachment(models.Model):
    message = models.ForeignKey(InboundMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="inbox/%Y/%m/")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    content_id = models.CharField(max_length=255, blank=True)
    inline = models.BooleanField(default=False)

    class Meta:
        ordering = ["message_id", "id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.content_type}, {self.size} bytes)"
