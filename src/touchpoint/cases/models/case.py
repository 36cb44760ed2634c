from __future__ import annotations

from django.db import models

from touchpoint.cases.models.journey_version import JourneyVersion
from touchpoint.core.changes import Counted, CountedQuerySet
from touchpoint.core.ids import new_reply_token
from touchpoint.customers.models import Customer


class Case(Counted):
    """One customer's run through a journey. ``version`` is bumped by every move, note, assignment and
    payment (optimistic locking); ``state_seq`` only by state changes, so a timer can tell whether the
    state it was set for is gone; ``changed`` (:class:`Counted`) by every write of the row whatsoever,
    so the staff case view can keep the customer card under it (console/reads/kept.py)."""

    reference = models.CharField(max_length=12, unique=True)
    journey = models.ForeignKey(JourneyVersion, on_delete=models.PROTECT, related_name="cases")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="cases")
    state = models.CharField(max_length=80)
    owner = models.CharField(max_length=60, help_text="customer, team:<slug>, carrier or system")
    outcome = models.CharField(max_length=10, blank=True, help_text="success or failure once the case has ended")
    data = models.JSONField(default=dict, blank=True, help_text="Case data that journey guards read.")
    version = models.PositiveIntegerField(default=1)
    state_seq = models.PositiveIntegerField(default=1)
    opened_at = models.DateTimeField()
    state_entered_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()
    reply_token = models.CharField(
        max_length=32, unique=True, default=new_reply_token, help_text="Replies to reply+<token>@… join this case"
    )
    # Who the case is for, as given with its own order. An order proves no one's identity, so the
    # case's pages and messages use these, never the customer record (found by email) they share.
    contact_name = models.CharField(max_length=200, blank=True, help_text="The name given with this case's order")
    contact_phone = models.CharField(max_length=40, blank=True, help_text="The phone given with this case's order")
    customer_sentiment = models.FloatField(
        null=True, blank=True, help_text="VADER compound score of the customer's latest message (-1 … 1)"
    )
    customer_sentiment_at = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        "staff.StaffUser",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
        help_text="The person looking after the case now; empty means the owning team as a whole",
    )

    objects = CountedQuerySet["Case"].as_manager()  # every write moves `changed` (core/changes.py)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["journey", "state"], name="case_journey_state"),
            models.Index(fields=["owner", "state_entered_at"], name="case_owner_entered"),
            models.Index(fields=["assignee", "state_entered_at"], name="case_assignee_entered"),
            models.Index(fields=["outcome", "state_entered_at"], name="case_open_entered"),  # the "all open" queue
            # the journeys page and the live map: open cases per state and the oldest, read from the index alone
            models.Index(fields=["outcome", "journey", "state", "state_entered_at"], name="case_open_per_state"),
            # the cases opened within a period: insights and people read a window, never every case
            models.Index(fields=["opened_at"], name="case_opened_at"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def contact_first_name(self) -> str:
        """How the case's pages and messages greet its customer: the first word of the name given with it."""
        return self.contact_name.split()[0] if self.contact_name.strip() else ""

    @property
    def is_open(self) -> bool:
        return not self.outcome
