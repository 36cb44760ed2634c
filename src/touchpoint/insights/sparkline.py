"""A trend as a tiny inline SVG line (server-rendered; no inline style, so the CSP holds)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape


def sparkline_svg(values: Sequence[float], *, label: str, width: int = 120, height: int = 28) -> str:
    """A polyline of ``values`` (oldest first) with ``label`` as its accessible name; "" when empty."""
    if not values:
        return ""
    top = max(max(values), 1e-9)
    low = min(min(values), 0)
    span = top - low or 1.0
    step = width / max(len(values) - 1, 1)
    points = " ".join(
        f"{i * step:.1f},{height - 2 - (value - low) / span * (height - 4):.1f}" for i, value in enumerate(values)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}">'
        f'<polyline points="{points}" fill="none" stroke="#1f5fa8" stroke-width="2"/></svg>'
    )
