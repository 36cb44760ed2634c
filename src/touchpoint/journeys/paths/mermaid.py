"""The journey as a Mermaid ``flowchart LR``, each move annotated with how many routes take it."""

from __future__ import annotations

from collections.abc import Iterator

from touchpoint.journeys.graph import graph_edges
from touchpoint.journeys.model import Journey
from touchpoint.journeys.paths.layout import PathLayout

# Named HTML entities: Mermaid passes them to the browser as they are. Its own `#34;` codes are not
# decoded in every version, and a bare `#word;` would be taken for one, so `#` is escaped too.
_MERMAID_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "#": "&num;", "`": "&grave;"})


def mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label (``["…"]`` or ``|"…"|``), on one line."""
    return " ".join(text.split()).translate(_MERMAID_ESCAPES)


def paths_mermaid(journey: Journey, layout: PathLayout) -> str:
    """A Mermaid ``flowchart LR`` of the journey, each edge annotated with how many routes take it."""
    return "".join(line + "\n" for line in paths_mermaid_lines(journey, layout))


def paths_mermaid_lines(journey: Journey, layout: PathLayout) -> Iterator[str]:
    """:func:`paths_mermaid` line by line (without newlines): one per state, move and style."""
    ids = {name: f"s{i}" for i, name in enumerate(journey.states)}  # ids can't clash with keywords like `end`
    yield "flowchart LR"
    for name, state in journey.states.items():
        label = f"{mermaid_text(state.label)}<br/><small>{mermaid_text(name)}</small>"
        if name == journey.start and journey.start_touchpoint:
            label += f"<br/>opens with ✉ {mermaid_text(journey.start_touchpoint)}"
        shape = f'(["{label}"])' if state.terminal else f'["{label}"]'
        yield f"    {ids[name]}{shape}"
    most = max(layout.edge_use.values(), default=1)
    styles: list[str] = []
    count = 0
    for source, exits in graph_edges(journey).items():
        for edge in exits:
            transition = journey.transitions[edge.transition]
            used = layout.edge_use.get(edge, 0)
            parts = [mermaid_text(transition.on)]
            if transition.touchpoint:
                parts.append(f"✉ {mermaid_text(transition.touchpoint)}")
            parts.append(f"{used} route{'s' if used != 1 else ''}")
            arrow = "-->" if used else "-.->"
            yield f'    {ids[source]} {arrow}|"{"<br/>".join(parts)}"| {ids[transition.to]}'
            if used:
                width = 1 + round(4 * used / most)
                styles.append(f"    linkStyle {count} stroke-width:{width}px")
            count += 1
    yield from styles
    yield from (
        "    classDef exception fill:#fde2e0,stroke:#c5221f,stroke-width:2px,color:#5f0f0c",
        "    classDef success fill:#dcf3e1,stroke:#1e8e3e,stroke-width:2px,color:#0d3d1a",
        "    classDef failure fill:#ececec,stroke:#5f6368,stroke-width:2px,color:#202124",
        "    classDef entry fill:#e3efff,stroke:#1a5fd0,stroke-width:2px",
    )
    groups: dict[str, list[str]] = {"entry": [ids[journey.start]] if journey.start in ids else []}
    for name, state in journey.states.items():
        kind = state.outcome or ("exception" if state.exception else None)
        if kind is not None and name != journey.start:
            groups.setdefault(kind, []).append(ids[name])
    for group, members in groups.items():
        if members:
            yield f"    class {','.join(members)} {group}"
