"""A picture of a journey a person can open: standalone SVG, or HTML with a legend and a state table.

The layout is a small Sugiyama-style pipeline in pure Python, so nothing needs installing:

1. a depth-first walk from ``start`` in file order marks back edges (loops), which are reversed so
   the graph is acyclic and loops point backwards (upwards);
2. longest-path layering from the start; every edge then spans one or more layers, and gets a
   *label node* on the rank just below its upper end plus one *dummy node* per further rank, as
   dot does — so edge labels take part in the layout and never sit on a box or on each other;
3. barycenter sweeps (down and up) with a transpose pass reduce crossings, keeping the best order;
4. x coordinates come from repeated neighbour-averaging with a weak pull to the middle, each rank
   solved as an isotonic regression (pool adjacent violators) so boxes keep their order and never
   overlap; then each long edge's dummies are stood in one straight lane where there is room.

Edges run straight through the bands of ranks and bend only in the gaps between them, so a line
never crosses a box or a label. Loops back are dashed, timer moves dotted, self-loops drawn beside
their box.

Text widths are estimated from Helvetica/Arial metrics (no font files are read), with some slack.
"""

from __future__ import annotations

import html
import itertools
import math
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

from touchpoint.journeys.durations import format_duration
from touchpoint.journeys.graph import Edge, graph_edges
from touchpoint.journeys.model import Journey, State, Transition

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


# --- text measurement ------------------------------------------------------------------------

_WIDTHS: dict[str, int] = {}
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


def _wrap(text: str, size: float, width: float, *, bold: bool = False, max_lines: int = 3) -> list[str]:
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


# --- what each box and each edge label says ----------------------------------------------------

Style = Literal["title", "name", "meta", "event", "touch", "guard"]
STYLE_SIZE: dict[Style, float] = {"title": 13, "name": 11, "meta": 11, "event": 11.5, "touch": 11, "guard": 10.5}
STYLE_LINE: dict[Style, float] = {"title": 16, "name": 15, "meta": 14, "event": 14, "touch": 14, "guard": 13}


def _measure(text: str, style: Style) -> float:
    return text_width(text, STYLE_SIZE[style], bold=style == "title", mono=style in ("name", "guard"))


@dataclass(frozen=True)
class Words:
    """Draw for the people who run the service rather than the journey's author: owners by their
    names (``{"team:bench": "Bench"}``), events by their labels, no state keys or guards."""

    journey: Journey
    owners: Mapping[str, str] = field(default_factory=dict)

    def owner(self, owner: str) -> str:
        return self.owners.get(owner, owner.split(":", 1)[-1].replace("_", " ").capitalize())


def _box_lines(name: str, state: State, words: Words | None = None) -> list[tuple[str, Style]]:
    lines: list[tuple[str, Style]] = [
        (line, "title") for line in _wrap(state.label, 13, BOX_MAX_WIDTH - 2 * PAD_X, bold=True)
    ]
    if words is None:
        lines.append((name, "name"))
    owner = state.owner if words is None else words.owner(state.owner)
    if state.accept_within is not None:
        owner += f" · accepts within {format_duration(state.accept_within)}"
    lines.append((owner, "meta"))
    if state.wait_limit is not None:
        then = state.on_timeout if words is None else words.journey.event_label(state.on_timeout or "").lower()
        lines.append((_cut(f"waits {format_duration(state.wait_limit)}, then {then}"), "meta"))
    elif state.outcome is not None:
        lines.append((f"ends: {state.outcome}", "meta"))
    else:
        lines.append(("no wait limit", "meta"))
    return lines


def _cut(text: str, most: int = 36) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def _label_lines(transition: Transition, *, timeout: bool, words: Words | None = None) -> list[tuple[str, Style]]:
    if words is not None:  # for people: the event's label and what the message says, nothing else
        said = _cut(words.journey.event_label(transition.on))
        lines: list[tuple[str, Style]] = [(f"{said} (timer)" if timeout else said, "event")]
        if transition.touchpoint is not None:
            summary = words.journey.touchpoints.get(transition.touchpoint, "a message")
            lines.append((_cut(f"✉ {summary}"), "touch"))
        return lines
    lines = [(f"{transition.on} (timer)" if timeout else transition.on, "event")]
    if transition.touchpoint is not None:
        lines.append((f"✉ {transition.touchpoint}", "touch"))
    if transition.guard is not None:
        guard = transition.guard if len(transition.guard) <= 36 else transition.guard[:35] + "…"
        lines.append((f"[{guard}]", "guard"))
    data = _data_words(transition)
    if data:
        lines.append((data if len(data) <= 36 else data[:35] + "…", "guard"))
    return lines


def _data_words(transition: Transition) -> str:
    """What a move does to the case data and money, in a few words: ``sets repaired=true · refund all``."""
    parts = []
    if transition.sets:
        parts.append("sets " + ", ".join(f"{k}={_const(v)}" for k, v in transition.sets.items()))
    if transition.asks:
        parts.append("asks " + ", ".join(transition.asks))
    if transition.refund is not None:
        parts.append(f"refund {transition.refund}")
    return " · ".join(parts)


def _const(value: object) -> str:
    return "true" if value is True else "false" if value is False else "null" if value is None else str(value)


def _size(lines: list[tuple[str, Style]], pad_x: float, pad_y: float) -> tuple[float, float]:
    width = max(_measure(text, style) for text, style in lines) + 2 * pad_x
    height = sum(STYLE_LINE[style] for _, style in lines) + 2 * pad_y
    return width, height


# --- the layout -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """A state's rounded box; ``x``, ``y`` are its top-left corner."""

    name: str
    x: float
    y: float
    width: float
    height: float
    lines: tuple[tuple[str, Style], ...]


@dataclass(frozen=True)
class EdgeShape:
    """A drawn move: the ``edge``, a polyline through ``points`` (drawn as smooth curves) and its label's box."""

    edge: Edge
    points: tuple[tuple[float, float], ...]
    label_at: tuple[float, float]  # top-left of the label text block
    label_size: tuple[float, float]
    lines: tuple[tuple[str, Style], ...]
    kind: Literal["forward", "back", "loop"]
    timeout: bool


@dataclass(frozen=True)
class GraphLayout:
    boxes: dict[str, Box]
    edges: tuple[EdgeShape, ...]
    width: float
    height: float


@dataclass
class _Node:
    rank: int
    width: float
    height: float
    kind: Literal["state", "label", "dummy"]
    name: str = ""  # the state, for state nodes
    up: list[int] = field(default_factory=list)
    down: list[int] = field(default_factory=list)
    x: float = 0.0
    reserve: float = 0.0  # extra width on the right, for self-loops
    body: float = 0.0  # a state's box height; ``height`` may be more, to fit its self-loop labels

    @property
    def anchor(self) -> float:
        """Where an edge passes through this node (labels sit to the right of their edge)."""
        return self.x - self.width / 2 + 4 if self.kind == "label" else self.x


@dataclass
class _Chain:
    edge: Edge
    nodes: list[int]  # layout order, top to bottom: first and last are states
    back: bool
    label: int


def _depth_first(journey: Journey, exits: dict[str, list[tuple[int, str]]]) -> tuple[list[str], set[tuple[str, int]]]:
    """Visit order from ``start`` (then any state left over, in file order) and the back edges."""
    order: list[str] = []
    colour: dict[str, int] = {}  # 1 on the stack, 2 done
    back: set[tuple[str, int]] = set()
    roots = [journey.start] if journey.start in journey.states else []
    roots += [name for name in journey.states if name != journey.start]
    for root in roots:
        if root in colour:
            continue
        colour[root] = 1
        order.append(root)
        stack = [(root, 0)]
        while stack:
            here, i = stack[-1]
            if i >= len(exits[here]):
                colour[here] = 2
                stack.pop()
                continue
            stack[-1] = (here, i + 1)
            index, target = exits[here][i]
            if target == here:
                continue
            if colour.get(target) == 1:
                back.add((here, index))
            elif target not in colour:
                colour[target] = 1
                order.append(target)
                stack.append((target, 0))
    return order, back


def _layers(order: list[str], arcs: list[tuple[str, str]]) -> dict[str, int]:
    """Longest-path layering of the acyclic graph ``arcs`` (Kahn's order, ties in visit order)."""
    outgoing: dict[str, list[str]] = {name: [] for name in order}
    indegree = dict.fromkeys(order, 0)
    for a, b in arcs:
        outgoing[a].append(b)
        indegree[b] += 1
    layer = dict.fromkeys(order, 0)
    queue = deque(name for name in order if indegree[name] == 0)
    while queue:
        here = queue.popleft()
        for there in outgoing[here]:
            layer[there] = max(layer[there], layer[here] + 1)
            indegree[there] -= 1
            if indegree[there] == 0:
                queue.append(there)
    return layer


def _crossings(ranks: list[list[int]], nodes: list[_Node], pos: dict[int, int]) -> int:
    """Edge crossings between adjacent ranks, counted with a Fenwick tree."""
    total = 0
    for rank in ranks[:-1]:
        below = [pos[d] for n in rank for d in sorted(nodes[n].down, key=pos.__getitem__)]
        if not below:
            continue
        tree = [0] * (max(below) + 2)
        for seen, p in enumerate(below):
            i, smaller_or_equal = p + 1, 0
            while i > 0:
                smaller_or_equal += tree[i]
                i -= i & -i
            total += seen - smaller_or_equal
            i = p + 1
            while i < len(tree):
                tree[i] += 1
                i += i & -i
    return total


def _positions(ranks: list[list[int]]) -> dict[int, int]:
    return {n: i for rank in ranks for i, n in enumerate(rank)}


def _order_ranks(ranks: list[list[int]], nodes: list[_Node]) -> list[list[int]]:
    """Barycenter sweeps down and up, then transposition of neighbours; the best order wins."""
    best = [list(r) for r in ranks]
    pos = _positions(best)
    best_count = _crossings(best, nodes, pos)
    current = [list(r) for r in ranks]
    for sweep in range(16):
        downward = sweep % 2 == 0
        indexes = range(1, len(current)) if downward else range(len(current) - 2, -1, -1)
        pos = _positions(current)
        for r in indexes:
            current[r].sort(key=_barycenter(nodes, pos, downward))
            pos.update((n, i) for i, n in enumerate(current[r]))
        _transpose(current, nodes)
        count = _crossings(current, nodes, _positions(current))
        if count < best_count:
            best, best_count = [list(r) for r in current], count
        if best_count == 0:
            break
    return best


def _barycenter(nodes: list[_Node], pos: dict[int, int], downward: bool) -> Callable[[int], tuple[float, int]]:
    """Sort key: the mean position of a node's neighbours on the rank just swept (ties: where it is)."""

    def key(n: int) -> tuple[float, int]:
        near = nodes[n].up if downward else nodes[n].down
        return (sum(pos[m] for m in near) / len(near) if near else float(pos[n]), pos[n])

    return key


def _transpose(ranks: list[list[int]], nodes: list[_Node]) -> None:
    """Swap neighbours on a rank while that removes crossings (bounded passes)."""
    if sum(len(r) for r in ranks) > 1500:
        return
    for _ in range(6):
        improved = False
        pos = _positions(ranks)
        for rank in ranks:
            for i in range(len(rank) - 1):
                a, b = rank[i], rank[i + 1]
                if _pair(a, b, nodes, pos) > _pair(b, a, nodes, pos):
                    rank[i], rank[i + 1] = b, a
                    pos[a], pos[b] = i + 1, i
                    improved = True
        if not improved:
            return


def _pair(left: int, right: int, nodes: list[_Node], pos: dict[int, int]) -> int:
    """Crossings between the edges of two neighbours when ``left`` is placed left of ``right``."""
    count = 0
    for attr in ("up", "down"):
        for p in getattr(nodes[left], attr):
            for q in getattr(nodes[right], attr):
                count += pos[p] > pos[q]
    return count


def _isotonic(desired: list[float], offsets: list[float]) -> list[float]:
    """Closest positions to ``desired`` with ``x[i+1] - x[i] >= offsets[i+1] - offsets[i]`` (PAV)."""
    blocks: list[list[float]] = []  # [sum of targets, count]
    for want, offset in zip(desired, offsets, strict=True):
        blocks.append([want - offset, 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    out: list[float] = []
    for total, count in blocks:
        out += [total / count] * int(count)
    return [z + offset for z, offset in zip(out, offsets, strict=True)]


def _assign_x(ranks: list[list[int]], nodes: list[_Node]) -> None:
    def gap(a: _Node, b: _Node) -> float:
        return BOX_GAP if a.kind == "state" and b.kind == "state" else VIRTUAL_GAP

    offsets_by_rank: list[list[float]] = []
    for rank in ranks:
        offsets = [0.0]
        for a, b in itertools.pairwise(rank):
            na, nb = nodes[a], nodes[b]
            offsets.append(offsets[-1] + (na.width + na.reserve) / 2 + (nb.width + nb.reserve) / 2 + gap(na, nb))
        offsets_by_rank.append(offsets)
        for n, offset in zip(rank, offsets, strict=True):
            nodes[n].x = offset - nodes[n].reserve / 2

    def weight(a: _Node, b: _Node) -> float:
        virtual = (a.kind != "state") + (b.kind != "state")
        return (1.0, 3.0, 16.0)[virtual]

    def settle(r: int, attrs: tuple[str, ...], centre: float) -> None:
        desired = []
        for n in ranks[r]:
            node = nodes[n]
            near = [m for attr in attrs for m in getattr(node, attr)]
            total = sum(weight(node, nodes[m]) for m in near)
            pull = sum(weight(node, nodes[m]) * nodes[m].anchor for m in near)
            if node.kind == "state":  # a weak pull to the middle keeps the picture from drifting sideways
                total, pull = total + CENTRE_PULL, pull + CENTRE_PULL * centre
            if total:
                desired.append(pull / total + (node.x - node.anchor) + node.reserve / 2)
            else:
                desired.append(node.x + node.reserve / 2)
        placed = _isotonic(desired, offsets_by_rank[r])
        for n, x in zip(ranks[r], placed, strict=True):
            nodes[n].x = x - nodes[n].reserve / 2

    for sweep in range(24):
        states = sorted(node.x for node in nodes if node.kind == "state")
        centre = states[len(states) // 2] if states else 0.0
        if sweep % 2 == 0:
            for r in range(1, len(ranks)):
                settle(r, ("up",) if sweep < 16 else ("up", "down"), centre)
        else:
            for r in range(len(ranks) - 2, -1, -1):
                settle(r, ("down",) if sweep < 16 else ("up", "down"), centre)
    left = min((nodes[n].x - nodes[n].width / 2 for rank in ranks for n in rank), default=0.0)
    for node in nodes:
        node.x += MARGIN - left


@dataclass
class _Graph:
    """The layout graph: state boxes, label and dummy nodes, and one chain per drawn edge."""

    nodes: list[_Node]
    state_node: dict[str, int]
    chains: list[_Chain]
    loops: dict[str, list[tuple[int, list[tuple[str, Style]]]]]


def _straighten(ranks: list[list[int]], nodes: list[_Node], chains: list[_Chain]) -> None:
    """Stand each long edge's dummy nodes on one x, where its neighbours leave room, so the edge
    falls straight instead of drifting a little on every rank. Of the room there is, the x nearest
    the run's median wins; runs are visited from both sides, as one freed lane makes room for the next."""
    pos = _positions(ranks)
    runs = [[n for n in chain.nodes if nodes[n].kind == "dummy"] for chain in chains]
    runs = [run for run in runs if len(run) >= 2]
    runs.sort(key=lambda run: sum(nodes[n].x for n in run) / len(run))
    for ordered in (runs, runs[::-1], runs):
        for run in ordered:
            low, high = -math.inf, math.inf
            for n in run:
                rank, i, half = ranks[nodes[n].rank], pos[n], nodes[n].width / 2
                if i > 0:
                    left = nodes[rank[i - 1]]
                    low = max(low, left.x + left.width / 2 + left.reserve + VIRTUAL_GAP + half)
                if i + 1 < len(rank):
                    right = nodes[rank[i + 1]]
                    high = min(high, right.x - right.width / 2 - VIRTUAL_GAP - half)
            if low <= high:
                xs = sorted(nodes[n].x for n in run)
                target = min(max(xs[len(xs) // 2], low), high)
                for n in run:
                    nodes[n].x = target


MAX_LAYOUT_NODES = 20_000
"""The most boxes, edge labels and bends a picture is laid out with: about 40 times what the largest
shipped journey needs (529), and a few seconds of work. Ordering them costs more than linear time,
so a journey beyond it (thousands of states, or a move from every state to one far below) is not
laid out: its picture would take minutes and gigabytes, and nobody could read it."""


class TooLargeToDraw(ValueError):
    """A journey whose picture needs more than :data:`MAX_LAYOUT_NODES` boxes, labels and bends."""

    def __init__(self, journey: Journey, size: int) -> None:
        super().__init__(
            f"its picture would need {size:,} boxes, labels and bends, more than the {MAX_LAYOUT_NODES:,} "
            "a drawing may have"
        )
        self.journey = journey
        self.size = size


def _ranking(
    journey: Journey,
) -> tuple[dict[str, list[tuple[int, str]]], list[str], set[tuple[str, int]], dict[str, int]]:
    """Each state's exits, the visit order, the back edges and each state's layer."""
    exits = {name: [(e.transition, e.target) for e in edges] for name, edges in graph_edges(journey).items()}
    order, back = _depth_first(journey, exits)
    arcs = [
        (target, source) if (source, index) in back else (source, target)
        for source, moves in exits.items()
        for index, target in moves
        if target != source
    ]
    return exits, order, back, _layers(order, arcs)


def layout_size(journey: Journey) -> int:
    """How many boxes, edge labels and bends the picture of ``journey`` is laid out with: a box per
    state, and for each move a node on every rank it crosses (ranks are two per layer). Linear."""
    exits, order, _, layer = _ranking(journey)
    return len(order) + sum(
        max(2 * abs(layer[target] - layer[source]) - 1, 0)
        for source in order
        for _, target in exits[source]
        if target != source
    )


def _build(journey: Journey, words: Words | None = None) -> _Graph:
    size = layout_size(journey)
    if size > MAX_LAYOUT_NODES:
        raise TooLargeToDraw(journey, size)
    exits, order, back, layer = _ranking(journey)
    graph = _Graph([], {}, [], {})
    nodes = graph.nodes
    for name in order:
        width, height = _size(_box_lines(name, journey.states[name], words), PAD_X, 0)
        graph.state_node[name] = len(nodes)
        nodes.append(
            _Node(
                2 * layer[name],
                min(max(width, BOX_MIN_WIDTH), BOX_MAX_WIDTH),
                height + PAD_TOP + PAD_BOTTOM,
                "state",
                name,
                body=height + PAD_TOP + PAD_BOTTOM,
            )
        )
    for source in order:
        for index, target in exits[source]:
            transition = journey.transitions[index]
            lines = _label_lines(transition, timeout=transition.on == journey.states[source].on_timeout, words=words)
            if target == source:
                graph.loops.setdefault(source, []).append((index, lines))
                continue
            is_back = (source, index) in back
            top, bottom = (
                (graph.state_node[target], graph.state_node[source])
                if is_back
                else (
                    graph.state_node[source],
                    graph.state_node[target],
                )
            )
            members = [top]
            label = -1
            for rank in range(nodes[top].rank + 1, nodes[bottom].rank):
                if label < 0:  # the label rides on the first rank below the upper end
                    width, height = _size(lines, 2, 2)
                    label = len(nodes)
                    nodes.append(_Node(rank, width + 8, height, "label"))
                else:
                    nodes.append(_Node(rank, 10, 0, "dummy"))
                members.append(len(nodes) - 1)
            members.append(bottom)
            for a, b in itertools.pairwise(members):
                nodes[a].down.append(b)
                nodes[b].up.append(a)
            graph.chains.append(_Chain(Edge(source, index, target), members, is_back, label))
    for name, items in graph.loops.items():
        node = nodes[graph.state_node[name]]
        node.reserve = LOOP_SPAN + 6 * len(items) + max(_size(lines, 2, 2)[0] for _, lines in items)
        node.height = max(node.height, 8 + sum(_size(lines, 2, 2)[1] for _, lines in items))
    return graph


def _first_ranks(graph: _Graph, order: list[str]) -> list[list[int]]:
    """A first order on each rank: breadth-first from each state in visit order."""
    nodes = graph.nodes
    ranks: list[list[int]] = [[] for _ in range(max((n.rank for n in nodes), default=0) + 1)]
    seen: set[int] = set()
    for root in (graph.state_node[name] for name in order):
        queue = deque([root])
        while queue:
            n = queue.popleft()
            if n not in seen:
                seen.add(n)
                ranks[nodes[n].rank].append(n)
                queue.extend(nodes[n].down)
    return ranks


def layout_journey(journey: Journey, words: Words | None = None) -> GraphLayout:
    """Place every state and route every move; pure and deterministic. ``words`` draws it for people.
    Raises :class:`TooLargeToDraw` for a journey beyond :data:`MAX_LAYOUT_NODES`."""
    graph = _build(journey, words)
    nodes, chains = graph.nodes, graph.chains
    order = sorted(graph.state_node, key=graph.state_node.__getitem__)
    ranks = _order_ranks(_first_ranks(graph, order), nodes)
    _assign_x(ranks, nodes)
    _straighten(ranks, nodes, chains)

    # Each edge runs straight through every band it crosses and bends only in the gaps between
    # bands, so it never cuts a box or a label; a gap is as tall as its sharpest bend needs.
    runs = _ports(chains, nodes)
    bend = [0.0] * len(ranks)
    for chain, xs in zip(chains, runs, strict=True):
        for n, x0, x1 in zip(chain.nodes, xs, xs[1:], strict=False):
            bend[nodes[n].rank] = max(bend[nodes[n].rank], abs(x1 - x0))
    band_top: list[float] = []
    band_height: list[float] = []
    y = float(MARGIN)
    for r, rank in enumerate(ranks):
        height = max((nodes[n].height for n in rank), default=0.0)
        band_top.append(y)
        band_height.append(max(height, 16.0) if r % 2 else height)
        y += band_height[-1] + min(max(BAND_GAP, 0.3 * bend[r]), 64.0)
    boxes: dict[str, Box] = {}
    for name in order:
        node = nodes[graph.state_node[name]]
        top = band_top[node.rank] + (band_height[node.rank] - node.height) / 2
        lines = tuple(_box_lines(name, journey.states[name], words))
        boxes[name] = Box(name, node.x - node.width / 2, top, node.width, node.body, lines)

    shapes: list[EdgeShape] = []
    for chain, xs in zip(chains, runs, strict=True):
        upper, lower = (chain.edge.target, chain.edge.source) if chain.back else (chain.edge.source, chain.edge.target)
        points: list[tuple[float, float]] = [(xs[0], boxes[upper].y + boxes[upper].height)]
        for n, x in zip(chain.nodes[1:-1], xs[1:-1], strict=True):
            node = nodes[n]
            top, height = band_top[node.rank], band_height[node.rank]
            if node.kind == "label":
                top, height = top + (height - node.height) / 2, node.height
            points += [(x, top), (x, top + height)]
        points.append((xs[-1], boxes[lower].y))
        if chain.back:
            points.reverse()
        transition = journey.transitions[chain.edge.transition]
        timeout = transition.on == journey.states[chain.edge.source].on_timeout
        label = nodes[chain.label]  # every edge spans at least one label rank
        label_top = band_top[label.rank] + (band_height[label.rank] - label.height) / 2
        shapes.append(
            EdgeShape(
                chain.edge,
                tuple(points),
                (label.x - label.width / 2 + 10, label_top),
                (label.width - 8, label.height),
                tuple(_label_lines(transition, timeout=timeout, words=words)),
                "back" if chain.back else "forward",
                timeout,
            )
        )
    shapes += _loop_shapes(journey, graph, boxes)
    shapes.sort(key=lambda s: (s.edge.transition, s.edge.source))
    right_edge = max([b.x + b.width for b in boxes.values()] + [s.label_at[0] + s.label_size[0] for s in shapes])
    width = math.ceil(right_edge + MARGIN)
    height = math.ceil(max(y - BAND_GAP + MARGIN, 2 * MARGIN))
    return GraphLayout(boxes, tuple(shapes), width, height)


def _loop_shapes(journey: Journey, graph: _Graph, boxes: dict[str, Box]) -> list[EdgeShape]:
    """Self-loops bulge out of the right side of their box, labels stacked beside them."""
    shapes = []
    for name, items in graph.loops.items():
        box = boxes[name]
        right, middle, label_y = box.x + box.width, box.y + box.height / 2, box.y + 4
        for k, (index, lines) in enumerate(items):
            spread, reach = 8 + 4 * k, right + LOOP_SPAN + 6 * k
            size = _size(lines, 2, 2)
            shapes.append(
                EdgeShape(
                    Edge(name, index, name),
                    ((right, middle - spread), (reach, middle), (right, middle + spread)),
                    (reach + 6, label_y),
                    size,
                    tuple(lines),
                    "loop",
                    journey.transitions[index].on == journey.states[name].on_timeout,
                )
            )
            label_y += size[1]
    return shapes


def _ports(chains: list[_Chain], nodes: list[_Node]) -> list[list[float]]:
    """For each chain, the x of every point: its two box ends (ports) and its nodes' anchors.

    A port sits straight above or below the edge's next point when the box spans it, so edges leave
    and arrive vertically; ports on one side of a box keep at least ``PORT_GAP`` apart.
    """
    ends: dict[tuple[int, int], list[tuple[float, int]]] = {}
    for i, chain in enumerate(chains):
        ends.setdefault((chain.nodes[0], 0), []).append((nodes[chain.nodes[1]].anchor, i))
        ends.setdefault((chain.nodes[-1], 1), []).append((nodes[chain.nodes[-2]].anchor, i))
    port: dict[tuple[int, int], float] = {}
    for (n, side), items in ends.items():
        node = nodes[n]
        items.sort()
        low, high = node.x - node.width / 2 + 14, node.x + node.width / 2 - 14
        gap = min(PORT_GAP, (high - low) / max(len(items) - 1, 1))
        offsets = [k * gap for k in range(len(items))]
        wanted = [min(max(x, low + o), high - offsets[-1] + o) for (x, _), o in zip(items, offsets, strict=True)]
        for (_, i), x in zip(items, _isotonic(wanted, offsets), strict=True):
            port[(i, side)] = x
    return [
        [port[(i, 0)], *(nodes[n].anchor for n in chain.nodes[1:-1]), port[(i, 1)]] for i, chain in enumerate(chains)
    ]


# --- drawing ---------------------------------------------------------------------------------


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
        tooltip = f"{box.name}: {state.label} ({state.owner}){_opening(journey, box.name)}"
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


def _opening(journey: Journey, name: str) -> str:
    """``, opens with ✉ key`` for the start state of a journey with a ``start_touchpoint``."""
    if name != journey.start or not journey.start_touchpoint:
        return ""
    return f", opens with ✉ {journey.start_touchpoint}"


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
        if data := _data_words(transition):
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
    svg = _svg(journey, marks or {}, words) + "\n"
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg if declaration else svg


def _svg(journey: Journey, marks: Mapping[str, StateMark] | None = None, words: Words | None = None) -> str:
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
        start_note = f" (start{esc(_opening(journey, name))})" if name == journey.start else ""
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
            f'<div class="graph">{_svg(journey)}</div>',
            "<h2>States</h2>",
            "<table><thead><tr><th>state</th><th>the customer sees</th><th>what happens next</th><th>owner</th>"
            "<th>wait limit</th><th>then</th><th>accept within</th><th>kind</th></tr></thead><tbody>",
            *rows,
            "</tbody></table>",
            "</body>",
            "</html>",
            "",
        ]
    )
