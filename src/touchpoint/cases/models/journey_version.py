from __future__ import annotations

from django.db import models


class JourneyVersion(models.Model):
    """One version of a journey, its source kept verbatim: a case runs on the version it started with,
    even after the file on disk has moved on."""

    name = models.CharField(max_length=80)
    version = models.PositiveIntegerField()
    source = models.TextField()
    sha256 = models.CharField(max_length=64)
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="journey_version_unique")]
        ordering = ["name", "-version"]

    def __str__(self) -> str:
        return f"{self.name}@{self.version}"
