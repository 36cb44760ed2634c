"""Figures the worker keeps for the insights and people pages: one row per page, window and journey."""

from __future__ import annotations

from django.db import models


class SnapshotKind(models.TextChoices):
    INSIGHTS = "insights", "Insights"
    PEOPLE = "people", "People"


class FigureSnapshot(models.Model):
    """A page's figures over the cases opened in the last ``days`` days (of one journey, or all when
        ``journey`` is blank), worked out at ``computed_at`` and stored as JSON in the shape the page
        draws (:mod:`touchpoint.insights.snapshots`). ``version`` is that shape's: a deploy that changes
        it works every snapshot out again. ``revision`` counts the times it was stored: with the row's
    id it names these figures, so a page keeps what it drew from them under that name (never stale:
    the next store changes it). ``due_at`` is when the worker next works it out, under a lease
        (``lease_owner``/``lease_until``, as :func:`touchpoint.core.leases.lease_due` claims)."""

    kind = models.CharField(max_length=16, choices=SnapshotKind.choices)
    days = models.PositiveIntegerField()
    journey = models.CharField(max_length=100, blank=True, default="")
    version = models.PositiveIntegerField(default=0)  # 0: never worked out
    computed_at = models.DateTimeField(null=True, blank=True)
    figures = models.JSONField(default=dict, blank=True)
    revision = models.PositiveIntegerField(default=0)  # raised by every store of the figures
    due_at = models.DateTimeField()
    lease_owner = models.CharField(max_length=200, blank=True, default="")
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "days", "journey"], name="figure_snapshot_one_per_window"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.days}d {self.journey or 'all journeys'}"
