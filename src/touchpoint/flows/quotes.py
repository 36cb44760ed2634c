"""Propose extra work and record the customer's decision, each with its journey move in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction

from touchpoint.cases.actors import CUSTOMER, staff_actor
from touchpoint.cases.errors import CaseConflict
from touchpoint.cases.models import Case
from touchpoint.core.clock import now
from touchpoint.flows.advance import case_advance
from touchpoint.quotes.models import Quote, QuoteLine, QuoteStatus
from touchpoint.staff.models import StaffUser

# The state a quote is proposed from, and the event that carries it to the customer.
PROPOSE_EVENTS = {"in_surgery": "diagnosed", "quote_declined": "quote_revised"}
# States in which the customer's answer is awaited (the reminder and care's call included).
DECIDE_STATES = frozenset({"awaiting_approval", "approval_reminded", "quote_unanswered"})
MAX_LINES = 10
PRICE_MAX = Decimal("100000")


class QuoteError(Exception):
    """A quote action that can't be done; ``str(error)`` is meant for the person who asked."""


class QuoteInvalid(QuoteError):
    """A quote or an answer that can't be taken as given (empty lines, a bad price, the wrong state)."""


class QuoteNotOpen(QuoteError):
    """The quote was already decided (or withdrawn): the first answer stands."""

    def __init__(self, quote: Quote) -> None:
        self.quote = quote
        super().__init__(f"This quote is already {quote.get_status_display().lower()}.")


@dataclass(frozen=True)
class LineInput:
    description: str
    explanation: str
    price: Decimal


@dataclass(frozen=True)
class Proposed:
    quote: Quote | None  # None: no extra work, the repair goes ahead
    case: Case


@dataclass(frozen=True)
class Decided:
    quote: Quote
    case: Case


def _checked(lines: list[LineInput]) -> list[LineInput]:
    cleaned = [LineInput(line.description.strip(), line.explanation.strip(), line.price) for line in lines]
    if len(cleaned) > MAX_LINES:
        raise QuoteInvalid(f"A quote has at most {MAX_LINES} lines.")
    for line in cleaned:
        if not line.description or not line.explanation:
            raise QuoteInvalid("Every line needs a description and an explanation for the customer.")
        if len(line.description) > 200:
            raise QuoteInvalid("A line's description is at most 200 characters.")
        if not Decimal("0") < line.price < PRICE_MAX or line.price != line.price.quantize(Decimal("0.01")):
            raise QuoteInvalid("Every price must be more than 0, with at most two decimals (e.g. 39.00).")
    return cleaned


def quote_propose(*, case: Case, version: int, by: StaffUser, lines: list[LineInput], finding: str = "") -> Proposed:
    """Tell the customer what the diagnosis found. With ``lines``, write a quote and move the case
    to wait for their OK; without, move it straight on to the repair (``quote_total`` 0). From
    ``quote_declined`` (care revising a declined quote) lines are required.

    ``version`` is the case version the staff page was rendered with. One transaction; raises
    :class:`QuoteInvalid`, ``CaseConflict`` (stale page) or ``TransitionRefused`` (wrong state or
    not this person's team), and then nothing is written."""
    event = PROPOSE_EVENTS.get(case.state)
    if event is None:
        raise QuoteInvalid("Extra work can only be proposed during the surgery or after a declined quote.")
    cleaned = _checked(lines)
    if event == "quote_revised" and not cleaned:
        raise QuoteInvalid("A revised quote needs at least one line.")
    total = sum((line.price for line in cleaned), Decimal("0"))
    with transaction.atomic():
        if case.version != version:
            raise CaseConflict(case.reference, version, case.version)
        quote = None
        if cleaned:
            at = now()
            # A quote still waiting (e.g. a complaint sent the case back) is replaced, never left beside.
            Quote.objects.filter(case=case, status=QuoteStatus.PROPOSED).update(status=QuoteStatus.WITHDRAWN)
            quote = Quote.objects.create(case=case, finding=finding.strip(), total=total, created_at=at, created_by=by)
            QuoteLine.objects.bulk_create(
                QuoteLine(
                    quote=quote,
                    position=n,
                    description=line.description,
                    explanation=line.explanation,
                    price=line.price,
                )
                for n, line in enumerate(cleaned, start=1)
            )
        moved = case_advance(case=case, event=event, actor=staff_actor(by), given={"quote_total": str(total)})
        return Proposed(quote, moved.case)


def quote_decide(
    *, case: Case, quote_id: int, version: int, approve: bool, by_staff: StaffUser | None = None
) -> Decided:
    """Record the answer to quote ``quote_id`` of ``case`` and move the case on (``quote_approved`` or
    ``quote_declined``) in one transaction, once: the event's idempotency key is
    ``quote:<id>:decided``. ``by_staff`` is the person in care who took the answer on the phone;
    ``None`` means the customer answered online.

    Raises :class:`QuoteNotOpen` when it was already decided (a double click, a second tab: the
    first answer stands), :class:`QuoteInvalid` for a quote not of this case, ``CaseConflict`` when
    the case moved on since ``version`` was rendered; in every refusal nothing is written."""
    event = "quote_approved" if approve else "quote_declined"
    try:
        with transaction.atomic():
            quote = Quote.objects.select_for_update().filter(pk=quote_id, case=case).first()
            if quote is None:
                raise QuoteInvalid("That quote isn't part of this repair.")
            if not quote.is_open:
                raise QuoteNotOpen(quote)
            if case.version != version or case.state not in DECIDE_STATES:
                raise CaseConflict(case.reference, version, case.version)
            at = now()
            quote.status = QuoteStatus.APPROVED if approve else QuoteStatus.DECLINED
            quote.decided_at = at
            quote.decided_by_customer = by_staff is None
            quote.decided_by = by_staff
            quote.save(update_fields=["status", "decided_at", "decided_by_customer", "decided_by"])
            actor = CUSTOMER if by_staff is None else staff_actor(by_staff)
            moved = case_advance(
                case=case,
                event=event,
                actor=actor,
                idempotency_key=f"quote:{quote.pk}:decided",
            )
            return Decided(quote, moved.case)
    except IntegrityError:  # pragma: no cover - the row lock makes the loser wait, then see it decided
        decided = Quote.objects.get(pk=quote_id)
        raise QuoteNotOpen(decided) from None
