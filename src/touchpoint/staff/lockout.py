"""Sign-in lockout (django-axes keeps the failed attempts): until when a username is locked from an
address, and unlocking it.

The models are looked up through the app registry: axes ships no type information, and these two
reads are all the code needs from it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models


def _attempts() -> models.QuerySet[Any]:
    model: type[models.Model] = apps.get_model("axes", "AccessAttempt")
    return model._default_manager.all()


def locked_until(*, username: str, ip_address: str | None) -> datetime | None:
    """The time the lock on ``username`` from ``ip_address`` ends (each failure while locked moves
    it on); None when no failure is on record."""
    latest = (
        _attempts()
        .filter(username=username, ip_address=ip_address)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    if latest is None:
        return None
    until: datetime = latest + settings.AXES_COOLOFF_TIME
    return until


def lockout_clear(*, username: str) -> int:
    """Unlock ``username`` from every address, as an admin does for a colleague; returns how many
    records went. (The admin's "Access attempts" page does the same, row by row.)"""
    cleared, _ = _attempts().filter(username=username).delete()
    return cleared
