"""The journey picture: well-formed SVG and HTML, every state and move drawn, text escaped, and a
layout in which nothing overlaps (hand-made, shipped and generated journeys)."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from tests.journeys.conftest import long_journey
from tests.journeys.strategies import journeys

from touchpoint.journeys.cli import main
from touchpoint.journeys.graph import graph_edges
from touchpoint.journeys.library import library_files
from touchpoint.journeys.loader import load_journey, parse_journey
from touchpoint.journeys.model import Journey
from touchpoint.journeys.render.layout import GraphLayout, layout_journey
from touchpoint.journeys.render.page import render_html
from touchpoint.journeys.render.svg import render_svg

SVG = "{http://www.w3.org/2000/svg}"

LOOPY = """
name: loopy
version: 2
title: Loopy & "friends"
max_silence: 1d
start: a
touchpoints: {hello: Hello, retry: Try again}
states:
  a: {owner: customer, label: 'Fix <now> & "then"', wait_limit: 1h, on_timeout: alt}
  b: {owner: "team:ops", label: Left, wait_limit: 2h, on_timeout: fail, accept_within: 1h}
  c: {owner: carrier, label: Right, wait_limit: 3h, on_timeout: go}
  x: {owner: "team:ops", label: Trouble, exception: true, wait_limit: 1d, on_timeout: give_up}
  d: {owner: system, label: Done, outcome: success}
  e: {owner: system, label: Failed, outcome: failure}
transitions:
  - {from: a, on: go, to: b, by: customer, touchpoint: hello}
  - {from: a, on: alt, to: c, by: system, silent: nothing yet}
  - {from: b, on: go, to: d, by: staff, guard: 'tier == "gold" and amount < 5', silent: x}
  - {from: c, on: go, to: d, by: system, silent: x}
  - {from: b, on: fail, to: x, by: staff, touchpoint: hello}
  - {from: c, on: back, to: a, by: system, touchpoint: retry}
  - {from: x, on: poke, to: x, by: staff, silent: x}
  - {from: x, on: give_up, to: e, by: system, touchpoint: hello}
  - {from: a, on: skip, to: d, by: customer, touchpoint: hello}
  - {from: a, on: lost, to: nowhere, by: customer, silent: x}
"""


def load(text: str) -> Journey:
    return parse_journey(text, "loopy.yaml").journey


def parse_svg(svg: str) -> ET.Element:
    return ET.fromstring(svg.encode())


def overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    (ax, ay, aw, ah), (bx, by, bw, bh) = a, b
    return ax < bx + bw - 0.5 and bx < ax + aw - 0.5 and ay < by + bh - 0.5 and by < ay + ah - 0.5


def overlapping(layout: GraphLayout) -> list[tuple[str, str]]:
    """Pairs of boxes and edge labels that overlap."""
    rects = [(f"state {b.name}", (b.x, b.y, b.width, b.height)) for b in layout.boxes.values()]
    rects += [(f"label {e.edge.source}#{e.edge.transition}", (*e.label_at, *e.label_size)) for e in layout.edges]
    return [(m, n) for (m, r), (n, s) in itertools.combinations(rects, 2) if overlaps(r, s)]


def test_svg_is_xml_with_every_state_and_every_move() -> None:
    # given a journey with a loop back, a self-loop, an exception and a move to an undefined state
    journey = load(LOOPY)
    # when rendered
    root = parse_svg(render_svg(journey))
    # then every state is a group holding its name and label, and every move with a defined target is drawn
    assert root.tag == f"{SVG}svg"
    states = {g.get("data-state"): g for g in root.iter(f"{SVG}g") if g.get("data-state")}
    assert set(states) == set(journey.states)
    for name, group in states.items():
        texts = [t.text for t in group.iter(f"{SVG}text")]
        assert name in texts
    edges = {
        (g.get("data-from"), int(g.get("data-transition") or -1))
        for g in root.iter(f"{SVG}g")
        if (g.get("class") or "").startswith("edge ")
    }
    expected = {(e.source, e.transition) for moves in graph_edges(journey).values() for e in moves}
    assert edges == expected
    assert len(expected) == 9  # the move to `nowhere` has nothing to point at
    classes = {
        g.get("data-transition"): g.get("class")
        for g in root.iter(f"{SVG}g")
        if (g.get("class") or "").startswith("edge ")
    }
    assert classes["5"] == "edge back"  # c → a loops back
    assert classes["6"] == "edge loop"  # x → x
    assert classes["1"] == "edge forward timeout"  # a's timer fires `alt`


def test_text_is_escaped() -> None:
    journey = load(LOOPY)
    svg = render_svg(journey)
    root = parse_svg(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert 'Fix <now> & "then"' in texts
    assert 'Fix &lt;now&gt; &amp; "then"' in svg
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert 'Loopy & "friends" (loopy@2)' in titles
    assert 'b → d on go when tier == "gold" and amount < 5' in titles
    assert root.get("aria-label") == 'Loopy & "friends" (loopy@2)'


def test_back_edges_point_upwards_and_boxes_keep_apart() -> None:
    layout = layout_journey(load(LOOPY))
    back = [e for e in layout.edges if e.kind == "back"]
    assert [(e.edge.source, e.edge.target) for e in back] == [("c", "a")]
    assert back[0].points[-1][1] < back[0].points[0][1]
    assert layout.boxes["a"].y < layout.boxes["b"].y < layout.boxes["d"].y
    assert overlapping(layout) == []
    assert all(b.x >= 0 and b.x + b.width <= layout.width for b in layout.boxes.values())
    assert all(b.y >= 0 and b.y + b.height <= layout.height for b in layout.boxes.values())


def test_html_is_standalone_without_script() -> None:
    journey = load(LOOPY)
    page = render_html(journey)
    assert page.startswith("<!doctype html>")
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # no external assets
    assert "<title>Loopy &amp; &quot;friends&quot; — loopy@2</title>" in page
    assert "<td>Fix &lt;now&gt; &amp; &quot;then&quot;</td>" in page
    assert page.count("<tr>") == 1 + len(journey.states)  # the header, then one row a state
    assert "touch point" in page  # the legend
    svg = page[page.index("<svg") : page.index("</svg>") + len("</svg>")]
    assert {g.get("data-state") for g in parse_svg(svg).iter(f"{SVG}g")} - {None} == set(journey.states)


def test_the_start_state_names_its_opening_message() -> None:
    # given the loopy journey opening with `hello`
    journey = load(LOOPY.replace("start: a\n", "start: a\nstart_touchpoint: hello\n"))
    # then the picture's hover text and the state table say so; without it, they don't
    titles = [t.text for t in parse_svg(render_svg(journey)).iter(f"{SVG}title")]
    assert 'a: Fix <now> & "then" (customer), opens with ✉ hello' in titles
    assert "<td><code>a</code> (start, opens with ✉ hello)</td>" in render_html(journey)
    assert "<td><code>a</code> (start)</td>" in render_html(load(LOOPY))


def test_rendering_is_deterministic() -> None:
    journey = load(LOOPY)
    assert render_svg(journey) == render_svg(load(LOOPY))
    assert render_html(journey) == render_html(journey)


@pytest.mark.parametrize("path", library_files(), ids=lambda p: p.stem)
def test_shipped_journeys_render_cleanly(path: object) -> None:
    journey = load_journey(str(path)).journey
    layout = layout_journey(journey)
    assert overlapping(layout) == []
    root = parse_svg(render_svg(journey))
    assert {g.get("data-state") for g in root.iter(f"{SVG}g")} - {None} == set(journey.states)
    assert "<script" not in render_html(journey).lower()


@settings(max_examples=150, deadline=None)
@given(journeys(max_states=10, max_transitions=20))
def test_any_journey_renders_to_xml_without_overlaps(journey: Journey) -> None:
    layout = layout_journey(journey)
    assert overlapping(layout) == []
    root = parse_svg(render_svg(journey))
    drawn = sum(1 for g in root.iter(f"{SVG}g") if (g.get("class") or "").startswith("edge "))
    assert drawn == sum(len(moves) for moves in graph_edges(journey).values())


# --- a journey too large to draw -------------------------------------------------------------


def test_render_refuses_a_journey_too_large_to_draw_and_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given a valid journey of 400 states whose give-up move from every state makes 160,394 boxes,
    # labels and bends to lay out (laying them out took over 30 s, and a journey of 5,000 states over 13 GB)
    path = tmp_path / "long.yaml"
    path.write_text(long_journey(400), encoding="utf-8")
    # when `journey render` is asked for its picture
    code = main(["render", str(path), "--out", str(tmp_path / "long.svg")])
    # then it says at once that it won't, why, and what to use instead, and writes nothing
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == (
        f"{path}: can't draw long@1: its picture would need 160,394 boxes, labels and bends, more than the "
        f"20,000 a drawing may have — draw a smaller journey, or list its moves with "
        f"`touchpoint journey paths {path} --format mermaid`\n"
    )
    assert not (tmp_path / "long.svg").exists()


def test_a_picture_too_large_to_draw_is_a_short_note_for_the_console() -> None:
    # given the same journey, drawn where a picture must come back (the console's journey map)
    svg = render_svg(parse_journey(long_journey(400), "long.yaml").journey)
    # then the picture is a note saying why, not a layout of 160,394 nodes
    assert len(svg) < 2000
    assert "too large to draw here (160,394 boxes, labels and bends; the most is 20,000)" in svg
    ET.fromstring(svg.split("\n", 1)[1])  # still well-formed SVG
