"""The public wall (``/reviews``): compliments and complaints side by side, with the honest counts.

The page's body is kept, drawn, under the wall's mark (``feedback.selectors.wall_mark``: it moves
with every new feedback, a new item, a publish, a hide or an answer), the page asked for and the
time zone its dates are shown in, so a kept copy is never stale; a visit costs the mark's two
statements, and the columns' six only when the mark has moved."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET

from touchpoint.feedback.selectors import wall_counts, wall_mark
from touchpoint.wall.models import Kind
from touchpoint.wall.selectors import published_items

PER_PAGE = 20
KEPT_SECONDS = 24 * 3600  # a key never goes stale (the mark is in it); this only lets an unused copy go


@require_GET
def reviews(request: HttpRequest) -> HttpResponse:
    typed = request.GET.get("page", "1")
    # As Paginator.get_page reads it; ASCII only: "²" is a digit to Python, not a number to int().
    page = int(typed) if typed.isascii() and typed.isdigit() and len(typed) < 7 else 1
    return render(
        request,
        "portal/wall/reviews.html",
        {
            "mark": wall_mark(),
            "page": page,
            "kept_seconds": KEPT_SECONDS,
            "wall": SimpleLazyObject(lambda: _columns(page)),  # read only when the kept copy is missing
        },
    )


def _columns(page: int) -> dict[str, Any]:
    compliments = Paginator(published_items(kind=Kind.COMPLIMENT), PER_PAGE).get_page(page)
    complaints = Paginator(published_items(kind=Kind.COMPLAINT), PER_PAGE).get_page(page)
    more = compliments.has_next() or complaints.has_next()
    return {
        "counts": wall_counts(),
        "compliments": compliments,
        "complaints": complaints,
        "next_page": compliments.number + 1 if more else None,
        "previous_page": compliments.number - 1 if compliments.number > 1 else None,
    }
