"""Figures as CSV (one file per figure) and as plain-text tables for the terminal."""

from __future__ import annotations

import csv
import io

from touchpoint.insights.charts import _text
from touchpoint.insights.figures import Figure


def figure_csv(figure: Figure) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(figure.columns)
    for row in figure.rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return buffer.getvalue()


def figure_table(figure: Figure) -> str:
    """The figure as an aligned text table, with its title and explanation above."""
    cells = [list(figure.columns)] + [[_text(cell) for cell in row] for row in figure.rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(figure.columns))]
    numeric = [
        all(isinstance(row[i], int | float) or row[i] is None for row in figure.rows)
        for i in range(len(figure.columns))
    ]

    def line(row: list[str]) -> str:
        return "  ".join(
            cell.rjust(widths[i]) if numeric[i] else cell.ljust(widths[i]) for i, cell in enumerate(row)
        ).rstrip()

    out = [figure.title, figure.what, "", line(cells[0]), line(["-" * w for w in widths])]
    out.extend(line(row) for row in cells[1:])
    if not figure.rows:
        out.append("(nothing yet)")
    return "\n".join(out) + "\n"
