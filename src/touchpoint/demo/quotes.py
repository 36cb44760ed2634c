"""The demo's diagnoses and answers to them, through the quote services (as the bench's panel and
the customer's page do), so every case waiting for an OK has a quote to read."""

from __future__ import annotations

from decimal import Decimal

from touchpoint.cases.actors import CaseActor
from touchpoint.cases.models import Case
from touchpoint.flows.quotes import LineInput, quote_decide, quote_propose
from touchpoint.quotes.models import Quote, QuoteStatus
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
REVISED_SHARE = Decimal("0.8")  # care's better offer after a decline: a fifth off, within policy


def revised(lines: tuple[LineInput, ...]) -> tuple[LineInput, ...]:
    """The declined quote's lines at care's better price."""
    return tuple(
        LineInput(
            line.description,
            f"{line.explanation} We've taken a fifth off the price.",
            (line.price * REVISED_SHARE).quantize(Decimal("0.01")),
        )
        for line in lines
    )


def quote_step(*, case: Case, event: str, lines: tuple[LineInput, ...], by: CaseActor, bench: StaffUser) -> Case:
    """Take ``event`` the way staff and customers do in the app: the bench (or care, for a revised
    quote) sends ``lines`` from the quote panel (none: no extra work); the customer, or care on the
    phone, answers the open quote."""
    staff = by.user if isinstance(by.user, StaffUser) else bench
    if event in ("diagnosed", "quote_revised"):
        return quote_propose(case=case, version=case.version, by=staff, lines=list(lines)).case
    quote = Quote.objects.filter(case=case, status=QuoteStatus.PROPOSED).order_by("-pk").first()
    assert quote is not None, f"{case.reference} has no open quote to answer"
    by_staff = staff if by.kind == "staff" else None
    return quote_decide(
        case=case, quote_id=quote.pk, version=case.version, approve=event == "quote_approved", by_staff=by_staff
    ).case
