from __future__ import annotations

from typing import Any, NoReturn

from django.db import models

from touchpoint.cases.models.case import Case


class TimelineKind(models.TextChoices):
    OPENED = "opened", "Opened"
    TRANSITION = "transition", "Transition"
    NOTE = "note", "Note"
    TASK = "task", "Task"
    DELIVERY = "delivery", "Delivery"


class AppendOnlyQuerySet(models.QuerySet["TimelineEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("the timeline is append-only: entries can't be updated")

    def delete(self) -> NoReturn:
        raise TypeError("the timeline is append-only: entries can't be deleted")


class TimelineEntry(models.Model):
    """Everything that happened to a case, in order. Append-only: written once, never changed."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="timeline")
    seq = models.PositiveIntegerField(help_text="1, 2, 3… within the case")
    at = models.DateTimeField()
    kind = models.CharField(max_length=12, choices=TimelineKind.choices)
    event = models.CharField(max_length=80, blank=True)
    from_state = models.CharField(max_length=80, blank=True)
    to_state = models.CharField(max_length=80, blank=True)
    actor_kind = models.CharField(max_length=12)
    actor_user = models.ForeignKey(
        "staff.StaffUser", null=True, blank=True, on_delete=models.PROTECT, related_name="timeline_entries"
    )
    summary = models.CharField(max_length=500)
    detail = models.JSONField(default=dict, blank=True)
    # NULL means no key; '' would collide under the unique index
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["case_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="timeline_case_seq_unique"),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="timeline_idempotency_unique",
            ),
        ]
        indexes = [models.Index(fields=["to_state", "at"], name="timeline_to_state_at")]  # ETA from history
        verbose_name_plural = "timeline entries"

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.summary}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("the timeline is append-only: entries can't be changed once written")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("the timeline is append-only: entries can't be deleted")
