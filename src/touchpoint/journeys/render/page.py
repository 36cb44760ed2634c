"""A standalone HTML page of a journey: the SVG picture, a legend and a table of states. No script,
no external files."""

from __future__ import annotations

import html

from touchpoint.journeys.carrier import carrier_mapping
from touchpoint.journeys.durations import format_duration
from touchpoint.journeys.model import Journey
from touchpoint.journeys.render.svg import (
    EDGE_COLOURS,
    EXCEPTION_COLOURS,
    FAILURE_COLOURS,
    KIND_COLOURS,
    SUCCESS_COLOURS,
    TOUCH_COLOUR,
    svg_element,
)
from touchpoint.journeys.render.words import opening_note

_CSS = """
body{margin:0;padding:24px 32px;font-family:Arial,'Liberation Sans',Helvetica,sans-serif;color:#202124;
background:#f8f9fa}
h1{font-size:22px;margin:0 0 4px}
.meta{color:#5f6368;margin:0 0 16px}
.legend{display:flex;flex-wrap:wrap;gap:8px 18px;margin:0 0 16px;padding:10px 14px;background:#fff;
border:1px solid #dadce0;border-radius:8px;font-size:13px;align-items:center}
.legend span{display:inline-flex;align-items:center;gap:6px}
.sw{display:inline-block;width:22px;height:14px;border-radius:4px;border:1.5px solid}
.ln{display:inline-block;width:28px;height:0;border-top:2px solid}
.graph{overflow:auto;background:#fff;border:1px solid #dadce0;border-radius:8px;margin-bottom:24px}
.graph svg{display:block}
table{border-collapse:collapse;background:#fff;font-size:13px;width:100%}
th,td{border:1px solid #dadce0;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f1f3f4}
code{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12px}
"""


def render_html(journey: Journey) -> str:
    """A standalone page: the SVG picture, a legend and a table of states. No script, no external files."""
    esc = html.escape
    title = journey.title or journey.name
    swatches = [
        ("customer", KIND_COLOURS["customer"]),
        ("team of staff", KIND_COLOURS["team"]),
        ("carrier", KIND_COLOURS["carrier"]),
        ("system", KIND_COLOURS["system"]),
        ("exception (people on it)", EXCEPTION_COLOURS),
        ("ends in success", SUCCESS_COLOURS),
        ("ends in failure", FAILURE_COLOURS),
    ]
    legend = [
        f'<span><i class="sw" style="background:{fill};border-color:{stroke}"></i>{esc(text)}</span>'
        for text, (fill, stroke, _) in swatches
    ]
    legend += [
        f'<span><i class="ln" style="border-color:{EDGE_COLOURS["forward"]}"></i>move</span>',
        f'<span><i class="ln" style="border-top-style:dotted;border-color:{EDGE_COLOURS["timeout"]}"></i>'
        "wait limit runs out (timer)</span>",
        f'<span><i class="ln" style="border-top-style:dashed;border-color:{EDGE_COLOURS["back"]}"></i>loop back</span>',
        f'<span style="color:{TOUCH_COLOUR}">✉ touch point: a message to the customer</span>',
    ]
    rows = []
    for name, state in journey.states.items():
        kind = state.outcome or ("exception" if state.exception else "")
        start_note = f" (start{esc(opening_note(journey, name))})" if name == journey.start else ""
        rows.append(
            "<tr>"
            f"<td><code>{esc(name)}</code>{start_note}</td>"
            f"<td>{esc(state.label)}</td>"
            f"<td>{esc(state.next_step or '')}</td>"
            f"<td>{esc(state.owner)}</td>"
            f"<td>{esc(format_duration(state.wait_limit)) if state.wait_limit else '—'}</td>"
            f"<td>{esc(state.on_timeout or '—')}</td>"
            f"<td>{esc(format_duration(state.accept_within)) if state.accept_within else '—'}</td>"
            f"<td>{esc(kind)}</td>"
            "</tr>"
        )
    # What the carrier's news does, for the journeys that hear it (a page without them is unchanged).
    carrier_rows = [
        f"<tr><td><code>{esc(name)}</code></td><td>{esc(status)}</td><td><code>{esc(event)}</code></td></tr>"
        for name, state in journey.states.items()
        if state.carrier is not None
        for status, event in carrier_mapping(state).items()
    ]
    carrier_table = (
        [
            "<h2>The carrier's news</h2>",
            "<table><thead><tr><th>state</th><th>carrier status</th><th>fires</th></tr></thead><tbody>",
            *carrier_rows,
            "</tbody></table>",
        ]
        if carrier_rows
        else []
    )
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{esc(title)} — {esc(journey.key)}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            f"<h1>{esc(title)}</h1>",
            f'<p class="meta"><code>{esc(journey.key)}</code> · persona {esc(journey.persona)} · '
            f"a customer never goes more than {esc(format_duration(journey.max_silence))} without hearing from us · "
            f"{len(journey.states)} states, {len(journey.transitions)} transitions</p>",
            f'<div class="legend">{"".join(legend)}</div>',
            f'<div class="graph">{svg_element(journey)}</div>',
            "<h2>States</h2>",
            "<table><thead><tr><th>state</th><th>the customer sees</th><th>what happens next</th><th>owner</th>"
            "<th>wait limit</th><th>then</th><th>accept within</th><th>kind</th></tr></thead><tbody>",
            *rows,
            "</tbody></table>",
            *carrier_table,
            "</body>",
            "</html>",
            "",
        ]
    )
