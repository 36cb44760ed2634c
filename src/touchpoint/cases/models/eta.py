"""The ETA figures: how long each state of a journey version takes to done, from this shop's own
closed cases, computed by the worker (``cases.eta``) and read by the customer's page as one row."""

from __future__ import annotations

from django.db import models

from touchpoint.cases.models.journey_version import JourneyVersion


class EtaFigure(models.Model):
    """The time from first entering ``state`` to done over the newest closed successful cases of the
    journey's name (every version), with ``journey``'s own done states. ``p50``/``p90`` are
    nearest-rank percentiles in seconds; a figure with few ``samples`` is thin and the page says so.

    A percentile's time is split as the case that took it spent it: ``p50_business_seconds`` of the
    ``p50_seconds`` were open time of ``hours_of``'s opening hours (work done on a team's business
    clock; nights and weekends are not in it), the rest calendar time (the post, the customer). The
    page lands the two from now through those hours (``touchpoint.hours.projection``)."""

    journey = models.ForeignKey(JourneyVersion, on_delete=models.CASCADE, related_name="eta_figures")
    state = models.CharField(max_length=80)
    samples = models.PositiveIntegerField()
    p50_seconds = models.FloatField()
    p90_seconds = models.FloatField()
    p50_business_seconds = models.FloatField(default=0.0)
    p90_business_seconds = models.FloatField(default=0.0)
    hours_of = models.CharField(max_length=80, blank=True, default="")  # a team's slug; "": the shop's hours
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["journey", "state"], name="eta_figure_unique")]

    def __str__(self) -> str:
        return f"{self.journey_id}:{self.state} p50={self.p50_seconds:.0f}s p90={self.p90_seconds:.0f}s"


class EtaStale(models.Model):
    """The figures of journey ``journey_name`` need working out again: a case of it finished, or a
    version of it was registered. Written in the transaction that did it (insert only, so closings
    never wait on each other); the worker recomputes the journey and deletes the rows it read."""

    journey_name = models.CharField(max_length=80)
    marked_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["journey_name"], name="eta_stale_journey")]

    def __str__(self) -> str:
        return f"{self.journey_name} stale since {self.marked_at:%Y-%m-%d %H:%M}"
