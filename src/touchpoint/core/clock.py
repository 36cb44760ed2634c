"""The one place that reads the time, so services and tests agree on "now"."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
