"""How a time we promise is said: in one clock, the shop's (``settings.TIME_ZONE``).

Every "by …" a customer reads (on a page or in a message) is the due time of the task or timer
that holds the team to it, said by :func:`by_words`. The shop's zone is named explicitly, so a
page drawn under another activated zone still says the time the team's queue shows."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from touchpoint.core.clock import now


def shop_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_words(moment: datetime) -> str:
    """``today``, ``tomorrow`` or ``on Monday 7 December`` (the year too when it isn't this one):
    the shop's day of ``moment``, judged from the shop's today (:func:`now`)."""
    zone = shop_zone()
    local, today = timezone.localtime(moment, zone).date(), timezone.localtime(now(), zone).date()
    days = (local - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    year = f" {local.year}" if local.year != today.year else ""
    return f"on {local:%A} {local.day} {local:%B}{year}"


def when_words(moment: datetime) -> str:
    """``14:30 today``, ``09:15 tomorrow``, ``10:00 on Monday 7 December``, in the shop's time."""
    return f"{timezone.localtime(moment, shop_zone()):%H:%M} {day_words(moment)}"


def by_words(moment: datetime) -> str:
    """``by 14:30 today``: the promise of ``moment``, the due time of what keeps it."""
    return f"by {when_words(moment)}"
