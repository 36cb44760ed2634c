"""Figures drawn as server-rendered SVG: horizontal bars, labelled, with an optional whisker.

No inline styles (the CSP forbids them): colours and fonts are presentation attributes and the
page's stylesheet styles the ``ins-*`` classes. Every chart has a ``<title>`` and a ``<desc>``,
and the same numbers are in the table beside it for screen readers and CSV."""

from __future__ import annotations

from html import escape

from touchpoint.insights.figures import Cell, Figure

ROW = 26
LABEL_WIDTH = 260
BAR_WIDTH = 360
VALUE_WIDTH = 120
WIDTH = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH


def _number(cell: Cell) -> float:
    return float(cell) if isinstance(cell, int | float) else 0.0


def _text(cell: Cell) -> str:
    if isinstance(cell, float):
        return f"{cell:,.1f}"
    return "" if cell is None else f"{cell:,}" if isinstance(cell, int) else str(cell)


def _clip(text: str, length: int = 38) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _el(tag: str, text: str | None = None, /, **attrs: object) -> str:
    """One SVG element; attribute names use ``_`` for ``-`` (``font_size`` → ``font-size``)."""
    rendered = " ".join(f'{name.rstrip("_").replace("_", "-")}="{escape(str(value))}"' for name, value in attrs.items())
    return f"<{tag} {rendered}/>" if text is None else f"<{tag} {rendered}>{escape(text)}</{tag}>"


def figure_svg(figure: Figure, *, limit: int = 20) -> str:
    """The figure's chart, or an empty string when it has no chart or no rows."""
    chart = figure.chart
    if chart is None or not figure.rows:
        return ""
    rows = figure.rows[:limit]
    columns = [chart.value] if chart.upper is None else [chart.value, chart.upper]
    top = max(_number(row[i]) for row in rows for i in columns)
    if top <= 0:
        return ""  # nothing to draw yet (no finished stays, all zero): the table says so
    scale = BAR_WIDTH / top
    height = ROW * len(rows) + 8
    key = figure.key
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ins-chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="t-{key} d-{key}">',
        _el("title", figure.title, id=f"t-{key}"),
        _el("desc", f"{figure.what} The table below has the same numbers.", id=f"d-{key}"),
    ]
    ink = {"font_size": 13, "fill": "#1d232b"}
    for index, row in enumerate(rows):
        y = 4 + index * ROW
        label = " · ".join(_text(row[i]) for i in chart.label)
        value = _number(row[chart.value])
        width = max(value * scale, 1.0 if value > 0 else 0.0)
        shown = _text(row[chart.value]) + chart.unit
        parts.append(
            _el("text", _clip(label), class_="ins-label", x=LABEL_WIDTH - 8, y=y + 17, text_anchor="end", **ink)
        )
        parts.append(
            _el("rect", class_="ins-bar", x=LABEL_WIDTH, y=y + 4, width=f"{width:.1f}", height=ROW - 10, fill="#1f5fa8")
        )
        if chart.upper is not None and row[chart.upper] is not None:
            end = LABEL_WIDTH + _number(row[chart.upper]) * scale
            mid = y + ROW / 2 - 1
            whisker = {"class_": "ins-whisker", "stroke": "#4a5563", "stroke_width": 2}
            parts.append(_el("line", x1=f"{LABEL_WIDTH + width:.1f}", y1=mid, x2=f"{end:.1f}", y2=mid, **whisker))
            parts.append(_el("line", x1=f"{end:.1f}", y1=y + 6, x2=f"{end:.1f}", y2=y + ROW - 8, **whisker))
            shown += f" – {_text(row[chart.upper])}{chart.unit}"
        parts.append(_el("text", shown, class_="ins-value", x=LABEL_WIDTH + BAR_WIDTH + 6, y=y + 17, **ink))
    parts.append("</svg>")
    return "\n".join(parts)
