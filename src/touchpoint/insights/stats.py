"""Percentiles as everyone computes them by hand: linear between the two nearest ranks."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], share: float) -> float | None:
    """The ``share`` (0…1) percentile of ``values``, or None when there are none.

    Linear interpolation between closest ranks (numpy's default and spreadsheets' PERCENTILE):
    p50 of [1, 2, 3, 4] is 2.5, p90 of 1…10 is 9.1."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
