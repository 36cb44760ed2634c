"""The picture as SVG: boxes coloured by owner, edges and their labels, and the marks a live
picture adds (classes, badges, links). Loops back are dashed, timer moves dotted, self-loops
drawn beside their box."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from touchpoint.journeys.model import Journey, State
from touchpoint.journeys.render.layout import MAX_LAYOUT_NODES, Box, EdgeShape, TooLargeToDraw, layout_journey
from touchpoint.journeys.render.measure import FONT, MONO, PAD_TOP, STYLE_LINE, STYLE_SIZE, Style, text_width
from touchpoint.journeys.render.words import Words, carrier_words, data_words, opening_note

# Owner kinds: (fill, stroke, text) — a quiet fill, a clear stroke.
KIND_COLOURS = {
    "customer": ("#e8f1fe", "#1a73e8", "#0b3d91"),
    "team": ("#f1ebfb", "#7a4fc9", "#3d1f77"),
    "carrier": ("#fff4dc", "#c78500", "#6b4700"),
    "system": ("#eef0f3", "#6b7480", "#2f353d"),
}
EXCEPTION_COLOURS = ("#fde7e6", "#d93025", "#7a1610")
SUCCESS_COLOURS = ("#e3f4e7", "#188038", "#0b4a1f")
FAILURE_COLOURS = ("#e6e7e9", "#3c4043", "#202124")
EDGE_COLOURS = {"forward": "#5f6b7a", "back": "#c26401", "timeout": "#9aa3ad"}
TOUCH_COLOUR = "#1a73e8"


def _colours(state: State) -> tuple[str, str, str]:
    if state.outcome == "success":
        return SUCCESS_COLOURS
    if state.outcome == "failure":
        return FAILURE_COLOURS
    if state.exception:
        return EXCEPTION_COLOURS
    return KIND_COLOURS.get(state.owner_kind, KIND_COLOURS["system"])


def _curve(points: tuple[tuple[float, float], ...]) -> str:
    """Smooth path through the points with vertical tangents (straight where x doesn't change)."""
    (x0, y0), rest = points[0], points[1:]
    out = [f"M{x0:.1f},{y0:.1f}"]
    for x1, y1 in rest:
        if abs(x1 - x0) < 0.5:
            out.append(f"L{x1:.1f},{y1:.1f}")
        else:
            mid = (y1 - y0) / 2
            out.append(f"C{x0:.1f},{y0 + mid:.1f} {x1:.1f},{y1 - mid:.1f} {x1:.1f},{y1:.1f}")
        x0, y0 = x1, y1
    return " ".join(out)


def _loop(points: tuple[tuple[float, float], ...]) -> str:
    (x0, y0), (xm, _), (x1, y1) = points
    return f"M{x0:.1f},{y0:.1f} C{xm:.1f},{y0 - 14:.1f} {xm:.1f},{y1 + 14:.1f} {x1 + 2:.1f},{y1:.1f}"


def _text(x: float, y: float, text: str, style: Style, colour: str, *, anchor: str = "start") -> str:
    size = STYLE_SIZE[style]
    family = MONO if style in ("name", "guard") else FONT
    weight = ' font-weight="bold"' if style == "title" else ""
    italic = ' font-style="italic"' if style == "guard" else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-family={quoteattr(family)}{weight}{italic}'
        f' fill="{colour}" text-anchor="{anchor}">{escape(text)}</text>'
    )


def _pill(x: float, y: float, text: str, fill: str) -> str:
    width = text_width(text, 9.5, bold=True) + 12
    return (
        f'<rect x="{x:.1f}" y="{y - 8:.1f}" width="{width:.1f}" height="15" rx="7.5" fill="{fill}"/>'
        f'<text x="{x + width / 2:.1f}" y="{y + 3.5:.1f}" font-size="9.5" font-weight="bold" font-family='
        f'{quoteattr(FONT)} fill="#ffffff" text-anchor="middle" letter-spacing="0.4">{escape(text)}</text>'
    )


@dataclass(frozen=True)
class StateMark:
    """What a live picture adds to one state's box (all optional, nothing here is styled inline):
    extra CSS ``classes`` on its group, a short ``badge`` on its lower edge (e.g. "3 · oldest 2d"),
    a ``note`` appended to its tooltip and accessible name, and an ``href`` that makes the box a link."""

    classes: tuple[str, ...] = ()
    badge: str | None = None
    note: str | None = None
    href: str | None = None


def _state_svg(journey: Journey, box: Box, mark: StateMark | None = None, words: Words | None = None) -> str:
    state = journey.states[box.name]
    fill, stroke, ink = _colours(state)
    classes = " ".join(["state", _state_class(state), *(mark.classes if mark else ())])
    if words is None:
        tooltip = f"{box.name}: {state.label} ({state.owner}){opening_note(journey, box.name)}"
        if state.carrier:
            tooltip += f"; {carrier_words(state)}"
    else:
        tooltip = f"{state.label} ({words.owner(state.owner)})"
    if mark is not None and mark.note:
        tooltip += f" — {mark.note}"
    parts = [
        f"<g class={quoteattr(classes)} id={quoteattr('state-' + box.name)} data-state={quoteattr(box.name)}>",
        f"<title>{escape(tooltip)}</title>",
    ]
    heavy = state.exception or state.terminal or box.name == journey.start
    parts.append(
        f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.width:.1f}" height="{box.height:.1f}" rx="10"'
        f' fill="{fill}" stroke="{stroke}" stroke-width="{2.2 if heavy else 1.3}"/>'
    )
    if state.terminal:  # a double border marks an end
        parts.append(
            f'<rect x="{box.x + 3.5:.1f}" y="{box.y + 3.5:.1f}" width="{box.width - 7:.1f}"'
            f' height="{box.height - 7:.1f}" rx="7" fill="none" stroke="{stroke}" stroke-width="0.9"/>'
        )
    elif state.owner_kind != "system" or state.exception:  # a stripe in the owner's colour
        kind_stroke = KIND_COLOURS.get(state.owner_kind, KIND_COLOURS["system"])[1]
        parts.append(
            f'<rect x="{box.x + 4:.1f}" y="{box.y + 10:.1f}" width="3" height="{box.height - 20:.1f}" rx="1.5"'
            f' fill="{kind_stroke}"/>'
        )
    y = box.y + PAD_TOP
    centre = box.x + box.width / 2
    for text, style in box.lines:
        line = STYLE_LINE[style]
        colour = ink if style == "title" else "#4a525c"
        parts.append(_text(centre, y + line * 0.72, text, style, colour, anchor="middle"))
        y += line
    pills = []
    if box.name == journey.start:
        pills.append(("START", "#1a73e8"))
    if state.exception:
        pills.append(("EXCEPTION", EXCEPTION_COLOURS[1]))
    if state.outcome is not None:
        pills.append((state.outcome.upper(), stroke))
    px = box.x + 10
    for text, colour in pills:
        parts.append(_pill(px, box.y, text, colour))
        px += text_width(text, 9.5, bold=True) + 18
    if mark is not None and mark.badge:
        width = text_width(mark.badge, 9.5, bold=True) + 12
        parts.append(_pill(box.x + box.width - width - 10, box.y + box.height, mark.badge, "#3c4043"))
        parts[-1] = parts[-1].replace("<rect ", '<rect class="badge" ', 1)
    parts.append("</g>")
    if mark is not None and mark.href:
        return f"<a href={quoteattr(mark.href)} aria-label={quoteattr(tooltip)}>{''.join(parts)}</a>"
    return "".join(parts)


def _state_class(state: State) -> str:
    if state.outcome is not None:
        return state.outcome
    return "exception" if state.exception else state.owner_kind


def _edge_svg(journey: Journey, shape: EdgeShape, words: Words | None = None) -> str:
    kind = "back" if shape.kind == "back" else "timeout" if shape.timeout else "forward"
    colour = EDGE_COLOURS[kind]
    dash = ' stroke-dasharray="6 4"' if kind == "back" else ' stroke-dasharray="2 3"' if kind == "timeout" else ""
    path = _loop(shape.points) if shape.kind == "loop" else _curve(shape.points)
    transition = journey.transitions[shape.edge.transition]
    if words is not None:
        source, target = journey.states[shape.edge.source].label, journey.states[shape.edge.target].label
        title = f"{source} → {target}: {journey.event_label(transition.on)}"
        if transition.touchpoint:
            title += f" (tells the customer: {journey.touchpoints.get(transition.touchpoint, 'a message')})"
    else:
        title = f"{shape.edge.source} → {shape.edge.target} on {transition.on}"
        if transition.touchpoint:
            title += f" (sends {transition.touchpoint})"
        if transition.guard:
            title += f" when {transition.guard}"
        if data := data_words(transition):
            title += f"; {data}"
    return (
        f"<g class={quoteattr('edge ' + shape.kind + (' timeout' if shape.timeout else ''))}"
        f" data-from={quoteattr(shape.edge.source)} data-to={quoteattr(shape.edge.target)}"
        f' data-transition="{shape.edge.transition}" data-event={quoteattr(transition.on)}>'
        f"<title>{escape(title)}</title>"
        f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="1.5"{dash}'
        f' marker-end="url(#arrow-{kind})"/></g>'
    )


def _edge_label_svg(shape: EdgeShape) -> str:
    x, y = shape.label_at
    parts = [
        f'<g class="edge-label" data-transition="{shape.edge.transition}" data-from={quoteattr(shape.edge.source)}>'
    ]
    y += 2
    for text, style in shape.lines:
        line = STYLE_LINE[style]
        colour = TOUCH_COLOUR if style == "touch" else "#6b7480" if style == "guard" else "#2f353d"
        svg = _text(x, y + line * 0.74, text, style, colour)
        parts.append(svg.replace("<text ", '<text stroke="#ffffff" stroke-width="3" paint-order="stroke" ', 1))
        y += line
    parts.append("</g>")
    return "".join(parts)


def _markers() -> str:
    return "".join(
        f'<marker id="arrow-{kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7"'
        f' orient="auto-start-reverse"><path d="M0,0.5 L10,5 L0,9.5 z" fill="{colour}"/></marker>'
        for kind, colour in EDGE_COLOURS.items()
    )


def render_svg(
    journey: Journey,
    *,
    marks: Mapping[str, StateMark] | None = None,
    declaration: bool = True,
    words: Words | None = None,
) -> str:
    """The journey graph as a standalone SVG document.

    ``marks`` (by state name) turn it into a live picture: classes, badges and links per state.
    ``declaration=False`` leaves out the XML declaration, for an ``<svg>`` inside an HTML page.
    ``words`` draws it for the people running the service (labels and names, no keys)."""
    svg = svg_element(journey, marks or {}, words) + "\n"
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg if declaration else svg


def svg_element(journey: Journey, marks: Mapping[str, StateMark] | None = None, words: Words | None = None) -> str:
    marks = marks or {}
    title = f"{journey.title or journey.name} ({journey.key})"
    try:
        layout = layout_journey(journey, words)
    except TooLargeToDraw as exc:  # a page that shows the picture still gets one: a note saying why
        note = (
            f"{journey.key} is too large to draw here ({exc.size:,} boxes, labels and bends; "
            f"the most is {MAX_LAYOUT_NODES:,}). `touchpoint journey paths` lists its moves."
        )
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="720" height="60" viewBox="0 0 720 60" role="img"'
            f" aria-label={quoteattr(title)}><title>{escape(title)}</title>"
            f'<text x="12" y="34" font-family="{FONT}" font-size="13" fill="#202124">{escape(note)}</text></svg>'
        )
    # An image can't hold links for assistive technology; with linked states it is a group of them.
    role = "group" if any(m.href for m in marks.values()) else "img"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{layout.width}" height="{layout.height}"'
        f' viewBox="0 0 {layout.width} {layout.height}" role="{role}" aria-label={quoteattr(title)}>',
        f"<title>{escape(title)}</title>",
        f"<defs>{_markers()}</defs>",
        f'<rect x="0" y="0" width="{layout.width}" height="{layout.height}" fill="#ffffff"/>',
        '<g class="edges">',
        *(_edge_svg(journey, shape, words) for shape in layout.edges),
        "</g>",
        '<g class="edge-labels">',
        *(_edge_label_svg(shape) for shape in layout.edges),
        "</g>",
        '<g class="states">',
        *(_state_svg(journey, box, marks.get(name), words) for name, box in layout.boxes.items()),
        "</g>",
        "</svg>",
    ]
    return "\n".join(parts)
