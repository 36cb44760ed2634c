"""The one sparkline: geometry in Python (insights.sparkline), markup in insights/_sparkline.html."""

from __future__ import annotations

from django.template import Context, Template

from touchpoint.insights.sparkline import SparkGeometry, sparkline_points


def test_counts_stand_on_the_bottom_edge_and_reach_the_top() -> None:
    # Given weekly counts (0 … 4) in a 100 × 20 box padded 2 px
    spark = sparkline_points([0, 2, 4], 100, 20)
    # Then the first is on the bottom line, the largest on the top line, evenly spaced across
    assert spark == SparkGeometry(width=100, height=20, points="2,18 50,10 98,2", last_x=98, last_y=2, zero_y=18)


def test_a_fixed_range_clamps_and_places_zero() -> None:
    # Given sentiment scores drawn from −1 to 1, one of them out of range
    spark = sparkline_points([-1.0, 0.0, 3.0], 120, 32, low=-1, high=1, pad=3)
    assert spark is not None
    # Then 3.0 is drawn at the top like 1.0, and 0 sits half-way down
    assert spark.points == "3,29 60,16 117,3"
    assert spark.zero_y == 16
    assert (spark.last_x, spark.last_y) == (117, 3)


def test_one_value_sits_in_the_middle_and_nothing_draws_nothing() -> None:
    single = sparkline_points([5], 120, 28)
    assert single is not None
    assert (single.points, single.zero_y) == ("60,2", 26)
    assert sparkline_points([], 120, 28) is None
    # A range that leaves 0 out has no zero line
    above = sparkline_points([5, 6], 120, 28, low=4, high=8)
    assert above is not None and above.zero_y is None


def render(source: str, **context: object) -> str:
    return Template("{% load charts %}" + source).render(Context(context))


def test_the_tag_draws_the_line_named_for_screen_readers() -> None:
    # Given a label from the database (a theme's name as a lead typed it)
    html = render("{% sparkline values label=name %}", values=[0, 2, 4], name="Broken <screens>: per week")
    assert html == (
        '<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" viewBox="0 0 120 28" width="120" height="28"'
        ' role="img" aria-label="Broken &lt;screens&gt;: per week">'
        '<polyline points="2,26 60,14 118,2" fill="none" stroke="#1f5fa8" stroke-width="2" stroke-linejoin="round"/>'
        "</svg>"
    )


def test_the_tag_with_zero_line_dot_and_caption_is_a_figure() -> None:
    html = render(
        '{% sparkline values label="Sentiment" low=-1 high=1 zero=True dot=True caption="Worsening" %}',
        values=[0.5, -0.5],
    )
    assert html.startswith('<figure class="spark"><svg ')
    assert '<line class="zero" x1="0" x2="120" y1="14" y2="14"' in html
    # The newest value is below zero: its dot is red
    assert '<circle cx="118" cy="20" r="3" fill="#a4262c"/>' in html
    assert html.endswith("</svg><figcaption>Worsening</figcaption></figure>")


def test_the_tag_draws_nothing_for_no_values() -> None:
    assert render('{% sparkline values label="x" %}', values=[]) == ""
    assert render('{% sparkline values label="x" %}', values=None) == ""
