"""Rows the core keeps for every app: rate-limit windows."""

from __future__ import annotations

from django.db import models


class RateWindow(models.Model):
    """How many requests one key made in one fixed window (see :mod:`touchpoint.core.ratelimit`)."""

    key = models.CharField(max_length=40, help_text="sha256 of scope and key, so no address is stored in clear")
    window_start = models.BigIntegerField(help_text="Unix seconds")
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="ratewindow_key_window")]
        indexes = [models.Index(fields=["expires_at"], name="ratewindow_expires")]

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.count}"
