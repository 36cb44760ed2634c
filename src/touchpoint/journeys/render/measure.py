"""How big things are drawn: fonts, text widths estimated from Helvetica/Arial metrics (no font
files are read, with some slack), line wrapping, and the gaps and paddings of the layout."""

from __future__ import annotations

from typing import Literal

FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif"
MONO = "'DejaVu Sans Mono', Menlo, Consolas, monospace"
MARGIN = 28
BOX_GAP = 36  # between two boxes on a rank
VIRTUAL_GAP = 14  # next to a label or a dummy
BAND_GAP = 14  # between ranks
BOX_MIN_WIDTH, BOX_MAX_WIDTH = 150, 270
PAD_X, PAD_TOP, PAD_BOTTOM = 12, 14, 9
CENTRE_PULL = 2.0  # against the pull of neighbours (1 for each neighbouring box)
PORT_GAP = 12  # between two edge ends on one side of a box
LOOP_SPAN = 34  # how far a self-loop bulges to the right of its box

_WIDTHS: dict[str, int] = {}  # Helvetica's advance widths, in thousandths of the font size
for _chars, _w in (
    ("ijl'|", 222),
    (" !,.:;/[]\\ftI", 278),
    ("()-`r", 333),
    ("*{}", 389),
    ('"^', 469),
    ("Jckvxyzs", 500),
    ("0123456789#$?_abdeghnopqu", 556),
    ("+<=>~", 584),
    ("FTZL", 611),
    ("ABEKPSVXY&", 667),
    ("CDHNRUw", 722),
    ("GOQ", 778),
    ("mM%", 833),
    ("W", 944),
    ("@—", 1000),
):
    for _c in _chars:
        _WIDTHS[_c] = _w


def text_width(text: str, size: float, *, bold: bool = False, mono: bool = False) -> float:
    """An estimate of rendered width in pixels, generous enough for common sans-serif fonts."""
    if mono:
        return len(text) * size * 0.61
    units = sum(_WIDTHS.get(ch, 640) for ch in text)
    return units / 1000 * size * (1.13 if bold else 1.06)


def wrap_text(text: str, size: float, width: float, *, bold: bool = False, max_lines: int = 3) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate, size, bold=bold) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(".,;:") + "…"
    return lines


Style = Literal["title", "name", "meta", "event", "touch", "guard"]


STYLE_SIZE: dict[Style, float] = {"title": 13, "name": 11, "meta": 11, "event": 11.5, "touch": 11, "guard": 10.5}


STYLE_LINE: dict[Style, float] = {"title": 16, "name": 15, "meta": 14, "event": 14, "touch": 14, "guard": 13}


def _measure(text: str, style: Style) -> float:
    return text_width(text, STYLE_SIZE[style], bold=style == "title", mono=style in ("name", "guard"))


def cut(text: str, most: int = 36) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def block_size(lines: list[tuple[str, Style]], pad_x: float, pad_y: float) -> tuple[float, float]:
    width = max(_measure(text, style) for text, style in lines) + 2 * pad_x
    height = sum(STYLE_LINE[style] for _, style in lines) + 2 * pad_y
    return width, height
