from __future__ import annotations

from django.db import models

from touchpoint.cases.models.case import Case


class TimerStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    FIRED = "fired", "Fired"
    CANCELLED = "cancelled", "Cancelled"
    STALE = "stale", "Stale"


class Timer(models.Model):
    """A wait limit (fires the state's timeout event) or a handoff's acceptance deadline, as a row.

    The worker claims due pending rows under a lease; a claim that outlives its lease (a worker
    killed mid-batch) is simply claimed again."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="timers")
    purpose = models.CharField(max_length=10)  # wait | accept
    event = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=80, help_text="The state this timer was set for")
    state_seq = models.PositiveIntegerField(help_text="Case.state_seq when set; a different one means stale")
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=TimerStatus.choices, default=TimerStatus.PENDING)
    lease_owner = models.CharField(max_length=80, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        # Both on pending rows only: the few waiting to fire, not the history of every timer a case
        # ever had (most rows). The sweep claims in (due_at, id) order straight off the first; a move
        # cancels its case's pending timers through the second; the foreign key's own index serves
        # the rest (a case's timers of any status).
        indexes = [
            models.Index(fields=["due_at", "id"], name="timer_pending_due", condition=models.Q(status="pending")),
            models.Index(fields=["case"], name="timer_case_pending", condition=models.Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} timer for {self.case_id} at {self.due_at:%Y-%m-%d %H:%M}"
