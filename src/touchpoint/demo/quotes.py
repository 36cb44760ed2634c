"""The demo's diagnoses and answers to them, through the quote services (as the bench's panel and
the customer's page do), so every case waiting for an OK has a quote to read."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from touchpoint.cases.actors import CaseActor
from touchpoint.cases.models import Case
from touchpoint.cases.services.advance import case_advance
from touchpoint.quotes.models import Quote, QuoteStatus
from touchpoint.quotes.services import LineInput, quote_decide, quote_propose
from touchpoint.staff.models import StaffUser

QUOTE_EVENTS = frozenset({"diagnosed", "quote_revised", "quote_approved", "quote_declined"})

FINDINGS = [
    LineInput(
        "New battery",
        "The old battery holds less than half its charge; it's why it dies by lunchtime.",
        Decimal("39.00"),
    ),
    LineInput("Headphone socket", "The socket is loose inside, so sound cuts out in one ear.", Decimal("25.00")),
    LineInput(
        "Screen glass", "The glass is cracked across the corner; the display under it is fine.", Decimal("59.00")
    ),
]


def quote_step(*, case: Case, event: str, data: dict[str, Any], by: CaseActor, rng: random.Random) -> Case:
    """Take ``event`` the way staff and customers do in the app."""
    staff = by.user if isinstance(by.user, StaffUser) else StaffUser.objects.filter(username="sam").first()
    assert staff is not None  # the demo's bench
    if event in ("diagnosed", "quote_revised"):
        total = Decimal(str(data.get("quote_total") or 0))
        lines = [rng.choice(FINDINGS)] if total > 0 or event == "quote_revised" else []
        return quote_propose(case=case, version=case.version, by=staff, lines=lines).case
    quote = Quote.objects.filter(case=case, status=QuoteStatus.PROPOSED).order_by("-pk").first()
    if quote is None:  # a route that reached the question without a diagnosis (resumed after a complaint)
        return case_advance(case=case, event=event, actor=by, given=data).case
    by_staff = staff if by.kind == "staff" else None
    return quote_decide(
        case=case, quote_id=quote.pk, version=case.version, approve=event == "quote_approved", by_staff=by_staff
    ).case
