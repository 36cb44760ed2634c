"""A trend's geometry for a tiny inline SVG line: numbers only, drawn by ``insights/_sparkline.html``.

``{% load charts %}{% sparkline values label="…" %}`` (:mod:`touchpoint.insights.templatetags.charts`) is the
one way a page draws a sparkline; this module only works out where the points go."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SparkGeometry:
    """Where a sparkline's points go in a ``width`` × ``height`` box (y grows downwards, as in SVG)."""

    width: int
    height: int
    points: str  # "x,y x,y …", oldest value first
    last_x: float
    last_y: float
    zero_y: float | None  # where the value 0 sits, when 0 is inside the range drawn


def sparkline_points(
    values: Sequence[float],
    width: int = 120,
    height: int = 28,
    *,
    low: float | None = None,
    high: float | None = None,
    pad: float = 2,
) -> SparkGeometry | None:
    """Scale ``values`` (oldest first) into the box, ``pad`` in from each edge; ``None`` when empty.

    The range drawn is ``low`` … ``high`` when given (values outside it are clamped), else from the
    smaller of 0 and the lowest value up to the highest, so counts stand on the bottom edge. A single
    value sits in the middle of the box."""
    if not values:
        return None
    bottom = min(min(values), 0.0) if low is None else low
    top = max(values) if high is None else high
    span = top - bottom or 1.0
    inner_w, inner_h = width - 2 * pad, height - 2 * pad

    def y(value: float) -> float:
        clamped = max(bottom, min(top, value))
        return round(pad + (1 - (clamped - bottom) / span) * inner_h, 1)

    if len(values) == 1:
        xs = [width / 2]
    else:
        step = inner_w / (len(values) - 1)
        xs = [round(pad + i * step, 1) for i in range(len(values))]
    ys = [y(value) for value in values]
    return SparkGeometry(
        width=width,
        height=height,
        points=" ".join(f"{x:g},{yy:g}" for x, yy in zip(xs, ys, strict=True)),
        last_x=xs[-1],
        last_y=ys[-1],
        zero_y=y(0.0) if bottom <= 0 <= top else None,
    )
