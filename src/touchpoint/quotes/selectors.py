"""Reads of quotes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from touchpoint.cases.models import Case
from touchpoint.quotes.models import Quote, QuoteLine, QuoteStatus


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


@dataclass(frozen=True)
class QuoteLineView:
    description: str
    explanation: str
    price: Decimal


@dataclass(frozen=True)
class QuoteView:
    """A quote as the staff case view shows it: plain values, names of the people as ``str(StaffUser)``."""

    pk: int
    status: str
    finding: str
    total: Decimal
    created_at: datetime
    created_by: str
    decided_at: datetime | None
    decided_by_customer: bool
    decided_by: str  # "" when no one in care recorded the answer
    lines: list[QuoteLineView] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return str(_STATUSES.get(self.status, self.status))

    @property
    def is_open(self) -> bool:
        return self.status == QuoteStatus.PROPOSED


_STATUSES = dict(QuoteStatus.choices)  # labels (translated when shown)


def _name(first: str | None, last: str | None, username: str | None) -> str:
    return (f"{first or ''} {last or ''}".strip() or username) if username is not None else ""


_PEOPLE = ("first_name", "last_name", "username")


def quotes_of(*, case: Case) -> list[QuoteView]:
    """The case's quotes, newest first, each with its lines: two queries whatever the history, none
    more when there is no quote."""
    rows = (
        Quote.objects.filter(case_id=case.pk)
        .order_by("-created_at", "-pk")
        .values_list(
            "pk", "status", "finding", "total", "created_at", *(f"created_by__{f}" for f in _PEOPLE),
            "decided_at", "decided_by_customer", *(f"decided_by__{f}" for f in _PEOPLE),
        )
    )  # fmt: skip
    quotes = []
    for pk, status, finding, total, at, f1, l1, u1, decided, online, f2, l2, u2 in rows:
        quotes.append(QuoteView(pk, status, finding, total, at, _name(f1, l1, u1), decided, online, _name(f2, l2, u2)))
    if quotes:
        by_pk = {q.pk: q.lines for q in quotes}
        lines = (
            QuoteLine.objects.filter(quote__case_id=case.pk)
            .order_by("quote_id", "position")
            .values_list("quote_id", "description", "explanation", "price")
        )
        for quote_id, description, explanation, price in lines:
            by_pk[quote_id].append(QuoteLineView(description, explanation, price))
    return quotes
