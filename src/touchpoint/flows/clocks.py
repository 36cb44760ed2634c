"""When a limit falls due: the journey says which clock it counts in (calendar or a team's business
time); here it is counted with the team's opening hours from the console (``shop.opening_hours``).

A business limit of a team (or the shop) with no opening hours set counts calendar time: open all
the time is what an install without hours means."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError

from touchpoint.hours import HoursInvalid, business_add
from touchpoint.journeys.checker import ShopHours
from touchpoint.journeys.model import Clock
from touchpoint.shop.models import TeamHours
from touchpoint.shop.opening_hours import team_clock

SAVED_HOURS = "the shop's opening hours"

log = logging.getLogger(__name__)


def saved_hours(since: datetime) -> ShopHours | None:
    """The opening hours saved in the console (each team's, else the shop's; closed days included),
    for ``journey check`` to count the silence with; None when the database can't be read (the
    check needs no database: it then counts as before) or no hours are set."""
    try:
        if not TeamHours.objects.exists():
            return None
    except (DatabaseError, RuntimeError):  # not reachable, not migrated, or not allowed (a test without one)
        return None
    return ShopHours(clock_of=team_clock, since=since, source=SAVED_HOURS)


def person_due(asked_at: datetime) -> datetime:
    """When a person must have got in touch with a customer who asked for one at ``asked_at``
    (``TOUCHPOINT_PERSON_WAIT``): in the care team's opening hours (the fallback team, who gets the
    task), so "within 4 hours" asked on Friday night is Monday morning, not 01:00 on Saturday."""
    return limit_due(
        start=asked_at,
        seconds=settings.TOUCHPOINT_PERSON_WAIT,
        clock="business",
        hours_of=settings.TOUCHPOINT_FALLBACK_TEAM,
    )


def limit_due(*, start: datetime, seconds: int, clock: Clock, hours_of: str | None) -> datetime:
    """When a limit of ``seconds`` started at ``start`` runs out: calendar seconds, or open seconds
    of ``hours_of``'s opening hours (a team's slug; None: the shop's) for a business limit."""
    duration = timedelta(seconds=seconds)
    if clock == "business" and (hours := team_clock(hours_of)) is not None:
        try:
            # business_add answers in UTC; the rows keep what `start` was given in (the clock's zone)
            return business_add(start, duration, hours).astimezone(start.tzinfo)
        except HoursInvalid as exc:
            # Closed dates that shut the team for over a year: the case still moves, on the calendar,
            # rather than every move of it failing; the log says which hours to fix.
            log.warning("limit counted in calendar time: %s's opening hours: %s", hours_of or "the shop", exc)
    return start + duration
