"""Reads of quotes."""

from __future__ import annotations

from touchpoint.cases.models import Case
from touchpoint.quotes.models import Quote, QuoteStatus


def quote_open(*, case: Case) -> Quote | None:
    """The quote waiting for the customer's answer, with its lines, or ``None``."""
    return Quote.objects.filter(case=case, status=QuoteStatus.PROPOSED).prefetch_related("lines").first()


def quote_latest(*, case: Case) -> Quote | None:
    """The newest quote of the case whatever its status (withdrawn ones aside), with its lines."""
    return (
        Quote.objects.filter(case=case)
        .exclude(status=QuoteStatus.WITHDRAWN)
        .prefetch_related("lines")
        .order_by("-created_at", "-pk")
        .first()
    )


def quote_get(*, case: Case, quote_id: int) -> Quote | None:
    return Quote.objects.filter(case=case, pk=quote_id).prefetch_related("lines").first()


def quotes_of(*, case: Case) -> list[Quote]:
    return list(Quote.objects.filter(case=case).select_related("created_by", "decided_by").prefetch_related("lines"))
