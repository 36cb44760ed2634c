"""The public wall (``/reviews``): compliments and complaints side by side, with the honest counts."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from touchpoint.feedback.selectors import wall_counts
from touchpoint.wall.models import Kind
from touchpoint.wall.selectors import published_items

PER_PAGE = 20


@require_GET
def reviews(request: HttpRequest) -> HttpResponse:
    page = request.GET.get("page", "1")
    compliments = Paginator(published_items(kind=Kind.COMPLIMENT), PER_PAGE).get_page(page)
    complaints = Paginator(published_items(kind=Kind.COMPLAINT), PER_PAGE).get_page(page)
    more = compliments.has_next() or complaints.has_next()
    return render(
        request,
        "portal/wall/reviews.html",
        {
            "counts": wall_counts(),
            "compliments": compliments,
            "complaints": complaints,
            "next_page": compliments.number + 1 if more else None,
            "previous_page": compliments.number - 1 if compliments.number > 1 else None,
        },
    )
