"""Step 4 of the layout: x coordinates. Neighbour-averaging with a weak pull to the middle, each
rank solved as an isotonic regression (pool adjacent violators) so boxes keep their order and
never overlap; long edges stood in straight lanes; the ports where edges leave and enter boxes."""

from __future__ import annotations

import itertools
import math

from touchpoint.journeys.render.measure import BOX_GAP, CENTRE_PULL, MARGIN, PORT_GAP, VIRTUAL_GAP
from touchpoint.journeys.render.ranks import Chain, Node, rank_positions


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


def assign_x(ranks: list[list[int]], nodes: list[Node]) -> None:
    def gap(a: Node, b: Node) -> float:
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

    def weight(a: Node, b: Node) -> float:
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


def straighten(ranks: list[list[int]], nodes: list[Node], chains: list[Chain]) -> None:
    """Stand each long edge's dummy nodes on one x, where its neighbours leave room, so the edge
    falls straight instead of drifting a little on every rank. Of the room there is, the x nearest
    the run's median wins; runs are visited from both sides, as one freed lane makes room for the next."""
    pos = rank_positions(ranks)
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


def edge_ports(chains: list[Chain], nodes: list[Node]) -> list[list[float]]:
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
