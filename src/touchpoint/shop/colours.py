"""A brand colour a button's white label can be read on (WCAG 2 contrast, at least 4.5:1)."""

from __future__ import annotations

import re

HEX = re.compile(r"#[0-9a-f]{6}", re.ASCII)
MIN_CONTRAST = 4.5  # WCAG AA for normal-size text


def colour_normalise(typed: str) -> str | None:
    """``"#1F5FA8"``, ``"1f5fa8"``, ``"#15a"`` → ``"#1f5fa8"`` / ``"#1155aa"``; None when it isn't one."""
    text = typed.strip().lower()
    if not text.startswith("#"):
        text = "#" + text
    if re.fullmatch(r"#[0-9a-f]{3}", text, re.ASCII):
        text = "#" + "".join(ch * 2 for ch in text[1:])
    return text if HEX.fullmatch(text) else None


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_with_white(colour: str) -> float:
    """The contrast ratio of white text on ``colour`` (a normalised #rrggbb): 1.0 to 21.0."""
    return 1.05 / (luminance(colour) + 0.05)
