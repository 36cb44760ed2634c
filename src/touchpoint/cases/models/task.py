from __future__ import annotations

from django.db import models

from touchpoint.cases.models.case import Case
from touchpoint.core.changes import Counted, CountedQuerySet


class TaskKind(models.TextChoices):
    EXCEPTION = "exception", "Exception"
    HANDOFF = "handoff", "Handoff to accept"
    HANDOFF_OVERDUE = "handoff_overdue", "Handoff not accepted in time"
    DELIVERY_FAILED = "delivery_failed", "Message could not be delivered"
    TIMER_FAILED = "timer_failed", "Timer could not fire"
    CUSTOMER_MESSAGE = "customer_message", "Customer wrote to us"
    NEW_CONVERSATION = "new_conversation", "New conversation from someone we don't know"
    EMAIL_BOUNCED = "email_bounced", "Customer's email address bounced"
    PERSON_REQUESTED = "person_requested", "Customer asked for a person"
    REMEDY_APPROVAL = "remedy_approval", "Remedy over the limit: a lead decides"
    PAYMENT_PROBLEM = "payment_problem", "Payment needs a person"
    SURVEY_HELD = "survey_held", "Write personally before we ask for feedback"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class Task(Counted):
    """Something a person must do. Automation that can't finish its work ends here, never in silence."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="tasks", null=True, blank=True)
    kind = models.CharField(max_length=20, choices=TaskKind.choices)
    owner = models.CharField(max_length=60, help_text="team:<slug> normally")
    title = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    priority = models.PositiveSmallIntegerField(default=2, help_text="1 urgent, 2 normal, 3 low")
    due_at = models.DateTimeField(null=True, blank=True)
    source_key = models.CharField(  # noqa: DJ001 - NULL means no key; '' would collide under the unique index
        max_length=200, null=True, blank=True, help_text="What opened it, so the same cause opens one task"
    )
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey("staff.StaffUser", null=True, blank=True, on_delete=models.PROTECT)

    objects = CountedQuerySet["Task"].as_manager()  # every write moves `changed` (core/changes.py)

    class Meta:
        ordering = ["status", "priority", "due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_key"], condition=models.Q(source_key__isnull=False), name="task_source_unique"
            )
        ]
        indexes = [models.Index(fields=["owner", "status"], name="task_owner_status")]

    def __str__(self) -> str:
        return self.title
