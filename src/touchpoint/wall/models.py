"""One wall item per piece of feedback whose author agreed to publication."""

from __future__ import annotations

from django.db import models

from touchpoint.core.changes import Counted, CountedQuerySet


class Kind(models.TextChoices):
    COMPLIMENT = "compliment", "Compliment"
    COMPLAINT = "complaint", "Complaint"


class Status(models.TextChoices):
    PENDING = "pending", "Waiting for a person"
    PUBLISHED = "published", "Published"
    HIDDEN = "hidden", "Hidden"


class HiddenReason(models.TextChoices):
    """The only two reasons an item may be kept off the wall: anything else is published."""

    PERSONAL_DATA = "personal_data", "It contains personal data the redaction missed"
    ABUSE = "abuse", "It is abusive"


class WallItem(Counted):
    feedback = models.OneToOneField("feedback.Feedback", on_delete=models.PROTECT, related_name="wall_item")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    text = models.TextField(blank=True, help_text="The comment with personal data redacted: what the wall shows")
    redactions = models.JSONField(default=list, blank=True, help_text="What the automatic redaction replaced")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    hidden_reason = models.CharField(max_length=14, choices=HiddenReason.choices, blank=True)
    hidden_note = models.CharField(max_length=500, blank=True)
    moderated_by = models.ForeignKey(
        "staff.StaffUser", null=True, blank=True, on_delete=models.PROTECT, related_name="wall_moderations"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(blank=True, help_text="The shop's answer, shown under the item")
    answered_by = models.ForeignKey(
        "staff.StaffUser", null=True, blank=True, on_delete=models.PROTECT, related_name="wall_answers"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    objects = CountedQuerySet["WallItem"].as_manager()  # every write moves `changed`: the wall keeps its page

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "kind", "created_at"], name="wallitem_status_kind")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="hidden") | ~models.Q(hidden_reason=""), name="wallitem_hidden_has_reason"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()}) on feedback {self.feedback_id}"
