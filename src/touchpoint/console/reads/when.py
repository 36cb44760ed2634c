"""Moments as the console's pages write them, worked out once in Python (a template's ``date`` filter
costs a row of a long list more than everything else in it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class When:
    """A moment in the shop's zone, for ``<time datetime="{{ when.iso }}">{{ when.text }}</time>``."""

    iso: str
    text: str

    @classmethod
    def of(cls, at: datetime, zone: tzinfo) -> When:
        """ "4 Mar 14:05"."""
        local = at.astimezone(zone)
        return cls(local.isoformat(), f"{local.day} {MONTHS[local.month]} {local.hour:02d}:{local.minute:02d}")

    @classmethod
    def day(cls, at: datetime, zone: tzinfo) -> When:
        """ "4 Mar 2026"."""
        local = at.astimezone(zone)
        return cls(local.isoformat(), f"{local.day} {MONTHS[local.month]} {local.year}")

    @classmethod
    def weekday(cls, at: datetime, zone: tzinfo) -> When:
        """ "Tue 4 Mar, 14:05"."""
        local = at.astimezone(zone)
        clock = f"{local.hour:02d}:{local.minute:02d}"
        return cls(local.isoformat(), f"{DAYS[local.weekday()]} {local.day} {MONTHS[local.month]}, {clock}")
