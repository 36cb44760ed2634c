"""Steps 1-3 of the layout: which edges loop back, the layers, and the order of the nodes on each
rank (barycenter sweeps and transposition, counting crossings with a Fenwick tree)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from touchpoint.journeys.graph import Edge
from touchpoint.journeys.model import Journey


@dataclass
class Node:
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
class Chain:
    edge: Edge
    nodes: list[int]  # layout order, top to bottom: first and last are states
    back: bool
    label: int


def depth_first(journey: Journey, exits: dict[str, list[tuple[int, str]]]) -> tuple[list[str], set[tuple[str, int]]]:
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


def layer_of(order: list[str], arcs: list[tuple[str, str]]) -> dict[str, int]:
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


def _crossings(ranks: list[list[int]], nodes: list[Node], pos: dict[int, int]) -> int:
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


def rank_positions(ranks: list[list[int]]) -> dict[int, int]:
    return {n: i for rank in ranks for i, n in enumerate(rank)}


def order_ranks(ranks: list[list[int]], nodes: list[Node]) -> list[list[int]]:
    """Barycenter sweeps down and up, then transposition of neighbours; the best order wins."""
    best = [list(r) for r in ranks]
    pos = rank_positions(best)
    best_count = _crossings(best, nodes, pos)
    current = [list(r) for r in ranks]
    for sweep in range(16):
        downward = sweep % 2 == 0
        indexes = range(1, len(current)) if downward else range(len(current) - 2, -1, -1)
        pos = rank_positions(current)
        for r in indexes:
            current[r].sort(key=_barycenter(nodes, pos, downward))
            pos.update((n, i) for i, n in enumerate(current[r]))
        _transpose(current, nodes)
        count = _crossings(current, nodes, rank_positions(current))
        if count < best_count:
            best, best_count = [list(r) for r in current], count
        if best_count == 0:
            break
    return best


def _barycenter(nodes: list[Node], pos: dict[int, int], downward: bool) -> Callable[[int], tuple[float, int]]:
    """Sort key: the mean position of a node's neighbours on the rank just swept (ties: where it is)."""

    def key(n: int) -> tuple[float, int]:
        near = nodes[n].up if downward else nodes[n].down
        return (sum(pos[m] for m in near) / len(near) if near else float(pos[n]), pos[n])

    return key


def _transpose(ranks: list[list[int]], nodes: list[Node]) -> None:
    """Swap neighbours on a rank while that removes crossings (bounded passes)."""
    if sum(len(r) for r in ranks) > 1500:
        return
    for _ in range(6):
        improved = False
        pos = rank_positions(ranks)
        for rank in ranks:
            for i in range(len(rank) - 1):
                a, b = rank[i], rank[i + 1]
                if _pair(a, b, nodes, pos) > _pair(b, a, nodes, pos):
                    rank[i], rank[i + 1] = b, a
                    pos[a], pos[b] = i + 1, i
                    improved = True
        if not improved:
            return


def _pair(left: int, right: int, nodes: list[Node], pos: dict[int, int]) -> int:
    """Crossings between the edges of two neighbours when ``left`` is placed left of ``right``."""
    count = 0
    for attr in ("up", "down"):
        for p in getattr(nodes[left], attr):
            for q in getattr(nodes[right], attr):
                count += pos[p] > pos[q]
    return count
