"""When each team works: its opening hours as the lead sets them in the console (``TeamHours``).

One row per team, and one with no team: the shop's own hours, which a team without a row keeps.
The weekly hours are kept as the lead wrote them (``touchpoint.hours.week`` reads them); closed days
come from three places, kept apart so each can be changed on its own: the country's public holidays
(worked out when read, so next year's are there without an edit), dates the lead types, and the
all-day events of an uploaded calendar file (kept as read, so the file is not needed again)."""

from __future__ import annotations

import uuid

from django.db import models


def _new_stamp() -> str:
    return uuid.uuid4().hex


class TeamHours(models.Model):
    team = models.OneToOneField(
        "staff.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekly = models.CharField(max_length=400, help_text="e.g. Mon-Fri 09:00-17:00; Sat 10:00-13:00")
    zone = models.CharField(max_length=64, help_text="An IANA time zone, e.g. Europe/London")
    country = models.CharField(max_length=2, blank=True, help_text="Public holidays of this country (GB, IE …)")
    region = models.CharField(max_length=10, blank=True, help_text="and of this region (ENG, SCT …)")
    # One date a line, ISO, optionally followed by what it is: "2026-12-24 Christmas Eve".
    closed_dates = models.TextField(blank=True)
    # True on the shop's own row (the one without a team): unique, so there is only ever one.
    for_shop = models.BooleanField(default=False, editable=False)
    calendar_name = models.CharField(max_length=200, blank=True)  # the uploaded file's name
    calendar_days = models.JSONField(default=dict, blank=True)  # {"2026-12-24": "Christmas Eve"}
    # A new value on every save: a process's cached clock knows it is stale by it (opening_hours.py).
    stamp = models.CharField(max_length=32, default=_new_stamp)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "shop"
        verbose_name = "opening hours"
        verbose_name_plural = "opening hours"
        constraints = [
            # The shop's own hours: at most one row without a team.
            models.UniqueConstraint(
                fields=["for_shop"], condition=models.Q(for_shop=True), name="teamhours_one_for_the_shop"
            ),
            models.CheckConstraint(
                condition=models.Q(for_shop=True, team__isnull=True) | models.Q(for_shop=False, team__isnull=False),
                name="teamhours_a_team_or_the_shop",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team or 'the shop'}: {self.weekly} ({self.zone})"
