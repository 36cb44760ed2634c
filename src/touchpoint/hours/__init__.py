"""Business time: a team's opening hours and the arithmetic every limit kept in them uses.
Framework-free (no Django), like the journey core."""

from touchpoint.hours.clock import business_add, business_between, business_subtract, is_open, next_open
from touchpoint.hours.week import HoursInvalid, OpeningHours

__all__ = [
    "HoursInvalid",
    "OpeningHours",
    "business_add",
    "business_between",
    "business_subtract",
    "is_open",
    "next_open",
]
