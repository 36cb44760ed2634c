"""Durations as journeys write them: ``90m``, ``4h``, ``2d``, ``1w``, ``1d12h`` (or ISO 8601 ``P2DT4H``)."""

from __future__ import annotations

import re

UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_COMPACT = re.compile(r"^(?:(\d+)w)?\s*(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?$")
_ISO = re.compile(r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
# A wait limit longer than this is almost certainly a typo (e.g. 3000d), and keeps sums far from overflow.
MAX_SECONDS = 10 * 365 * 86400


class DurationError(ValueError):
    """A duration string that can't be read; the message says how to write one."""


def parse_duration(text: str) -> int:
    """Return the number of seconds ``text`` stands for, or raise :class:`DurationError`."""
    raw = text.strip()
    match = _COMPACT.match(raw) or _ISO.match(raw.upper())
    if not raw or match is None or not any(match.groups()):
        raise DurationError(
            f"`{text}` is not a duration — write a number and a unit, e.g. `30m`, `4h`, `2d`, `1w` or `1d12h`"
        )
    weeks, days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    total = weeks * 604800 + days * 86400 + hours * 3600 + minutes * 60 + seconds
    if total <= 0:
        raise DurationError(f"`{text}` is zero — a duration must be longer than nothing, e.g. `1h`")
    if total > MAX_SECONDS:
        raise DurationError(f"`{text}` is more than ten years — check the number and its unit")
    return total


def format_duration(seconds: float) -> str:
    """Render seconds the way a person reads them: ``2d 4h``, ``45m``, ``0s``."""
    remaining = round(seconds)
    if remaining <= 0:
        return "0s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count}{unit}")
        if len(parts) == 2:  # two units are precise enough for a person
            break
    return " ".join(parts)
