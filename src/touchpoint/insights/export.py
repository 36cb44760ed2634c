"""Figures as CSV (one file per figure) and as plain-text tables for the terminal.

A CSV is opened in a spreadsheet, which runs a cell starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return as a formula (OWASP, "CSV injection"): a person's name written as
``=HYPERLINK(…)`` would send the sheet's data away when clicked. Every text cell starting so gets a
single quote in front, which spreadsheets show as text; numbers are written as numbers, negative
ones too, so the columns still add up. Rows end with CRLF (RFC 4180)."""

from __future__ import annotations

import csv
import io

from touchpoint.insights.charts import cell_text
from touchpoint.insights.figures import Cell, Figure

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(cell: Cell) -> str | int | float:
    """One cell as it may go into a CSV: text that a spreadsheet would run, quoted as text."""
    if cell is None:
        return ""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def figure_csv(figure: Figure) -> str:
    buffer = io.StringIO()
    # RFC 4180's CRLF: with it the writer quotes a cell holding a lone CR too, which "\n" would not.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(column) for column in figure.columns])
    for row in figure.rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return buffer.getvalue()


def figure_table(figure: Figure) -> str:
    """The figure as an aligned text table, with its title and explanation above."""
    cells = [list(figure.columns)] + [[cell_text(cell) for cell in row] for row in figure.rows]
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
