"""``{% load charts %}``: small figures drawn by templates from geometry worked out in Python.

``{% sparkline values label="Sales per week" %}`` draws a trend line (``insights/_sparkline.html``) named by
``label`` for screen readers. Options: ``width``/``height`` (px), ``low``/``high`` (the range drawn;
values outside are clamped), ``zero`` (a dashed line at 0), ``dot`` (a dot on the newest value, red when
it is below 0), ``caption`` (a visible caption: the line becomes a ``<figure>``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template

from touchpoint.insights.sparkline import sparkline_points

register = template.Library()


@register.inclusion_tag("insights/_sparkline.html")
def sparkline(
    values: Sequence[float],
    *,
    label: str,
    width: int = 120,
    height: int = 28,
    low: float | None = None,
    high: float | None = None,
    zero: bool = False,
    dot: bool = False,
    caption: str = "",
) -> dict[str, Any]:
    values = list(values or [])
    return {
        "spark": sparkline_points(values, width, height, low=low, high=high),
        "label": label,
        "zero": zero,
        "dot": dot,
        "below_zero": bool(values) and values[-1] < 0,
        "caption": caption,
    }
