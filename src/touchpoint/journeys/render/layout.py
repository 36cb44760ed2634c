"""The layout: every state placed and every move routed, pure and deterministic (steps 1-5 of the
pipeline described in the package's docstring)."""

from __future__ import annotations

import itertools
import math
from collections import deque
from dataclasses import dataclass
from typing import Literal

from touchpoint.journeys.graph import Edge, graph_edges
from touchpoint.journeys.model import Journey
from touchpoint.journeys.render.measure import (
    BAND_GAP,
    BOX_MAX_WIDTH,
    BOX_MIN_WIDTH,
    LOOP_SPAN,
    MARGIN,
    PAD_BOTTOM,
    PAD_TOP,
    PAD_X,
    Style,
    block_size,
)
from touchpoint.journeys.render.placement import assign_x, edge_ports, straighten
from touchpoint.journeys.render.ranks import Chain, Node, depth_first, layer_of, order_ranks
from touchpoint.journeys.render.words import Words, box_lines, label_lines


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
class _Graph:
    """The layout graph: state boxes, label and dummy nodes, and one chain per drawn edge."""

    nodes: list[Node]
    state_node: dict[str, int]
    chains: list[Chain]
    loops: dict[str, list[tuple[int, list[tuple[str, Style]]]]]


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
    order, back = depth_first(journey, exits)
    arcs = [
        (target, source) if (source, index) in back else (source, target)
        for source, moves in exits.items()
        for index, target in moves
        if target != source
    ]
    return exits, order, back, layer_of(order, arcs)


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
        width, height = block_size(box_lines(name, journey.states[name], words), PAD_X, 0)
        graph.state_node[name] = len(nodes)
        nodes.append(
            Node(
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
            lines = label_lines(transition, timeout=transition.on == journey.states[source].on_timeout, words=words)
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
                    width, height = block_size(lines, 2, 2)
                    label = len(nodes)
                    nodes.append(Node(rank, width + 8, height, "label"))
                else:
                    nodes.append(Node(rank, 10, 0, "dummy"))
                members.append(len(nodes) - 1)
            members.append(bottom)
            for a, b in itertools.pairwise(members):
                nodes[a].down.append(b)
                nodes[b].up.append(a)
            graph.chains.append(Chain(Edge(source, index, target), members, is_back, label))
    for name, items in graph.loops.items():
        node = nodes[graph.state_node[name]]
        node.reserve = LOOP_SPAN + 6 * len(items) + max(block_size(lines, 2, 2)[0] for _, lines in items)
        node.height = max(node.height, 8 + sum(block_size(lines, 2, 2)[1] for _, lines in items))
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
    ranks = order_ranks(_first_ranks(graph, order), nodes)
    assign_x(ranks, nodes)
    straighten(ranks, nodes, chains)

    # Each edge runs straight through every band it crosses and bends only in the gaps between
    # bands, so it never cuts a box or a label; a gap is as tall as its sharpest bend needs.
    runs = edge_ports(chains, nodes)
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
        lines = tuple(box_lines(name, journey.states[name], words))
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
                tuple(label_lines(transition, timeout=timeout, words=words)),
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
            size = block_size(lines, 2, 2)
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
