"""Quotes on a real mail-in-repair case: proposed with the diagnosis, decided once by the customer."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.quotes.repair import crew, repair_case
from tests.support.factories import CustomerFactory, StaffFactory
from touchpoint.cases.errors import CaseConflict, TransitionRefused
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.customers.models import Customer
from touchpoint.flows.quotes import LineInput, QuoteInvalid, QuoteNotOpen, quote_decide, quote_propose
from touchpoint.outbox.models import OutboxMessage
from touchpoint.payments.money import money
from touchpoint.quotes.models import Quote, QuoteLine, QuoteStatus

pytestmark = pytest.mark.django_db

BATTERY = LineInput("New battery", "The old one holds a charge for ten minutes.", Decimal("39.00"))
SCREEN = LineInput("Screen protector", "The glass is scratched; this keeps it from cracking.", Decimal("5.50"))


@pytest.fixture
def surgery(customer: Customer) -> Case:
    return repair_case(customer, "in_surgery")


def snapshot(case: Case) -> tuple[str, int, int, int, int]:
    case.refresh_from_db()
    return (
        case.state,
        case.version,
        TimelineEntry.objects.filter(case=case).count(),
        Quote.objects.filter(case=case).count(),
        OutboxMessage.objects.filter(case=case).count(),
    )


def propose(case: Case) -> tuple[Quote, Case]:
    proposed = quote_propose(
        case=case, version=case.version, by=crew(), lines=[BATTERY, SCREEN], finding="He pulled through."
    )
    assert proposed.quote is not None
    return proposed.quote, proposed.case


def test_proposing_extra_work_writes_the_quote_and_asks_the_customer(surgery: Case) -> None:
    # When the bench proposes two lines
    quote, moved = propose(surgery)
    # Then the quote holds them in order, totals them, and the case waits for the customer's OK
    assert (quote.status, quote.total, quote.finding, quote.created_by) == (
        "proposed",
        Decimal("44.50"),
        "He pulled through.",
        crew(),
    )
    assert list(QuoteLine.objects.filter(quote=quote).values_list("position", "description", "price")) == [
        (1, "New battery", Decimal("39.00")),
        (2, "Screen protector", Decimal("5.50")),
    ]
    surgery.refresh_from_db()
    assert (moved.state, surgery.state, surgery.owner, surgery.data["quote_total"]) == (
        "awaiting_approval",
        "awaiting_approval",
        "customer",
        44.5,
    )
    assert OutboxMessage.objects.filter(case=surgery).order_by("-id").values_list("touchpoint", flat=True)[0] == (
        "needs_your_ok"
    )
    # The total is the value the diagnosis gave the journey (`diagnosed` asks for it), not set by
    # hand; the move itself marks the quote open for the customer's answer.
    entry = TimelineEntry.objects.filter(case=surgery, event="diagnosed").get()
    assert entry.detail["data"] == {"quote_total": 44.5, "quote_open": True}


def test_no_extra_work_goes_straight_to_the_repair_without_a_quote(surgery: Case) -> None:
    proposed = quote_propose(case=surgery, version=surgery.version, by=crew(), lines=[])
    assert proposed.quote is None
    assert (proposed.case.state, proposed.case.data["quote_total"]) == ("repairing", 0.0)
    assert Quote.objects.count() == 0


def test_a_stale_staff_page_is_refused_and_nothing_is_written(surgery: Case) -> None:
    before = snapshot(surgery)
    with pytest.raises(CaseConflict):
        quote_propose(case=surgery, version=surgery.version - 1, by=crew(), lines=[BATTERY])
    assert snapshot(surgery) == before


def test_someone_outside_the_bench_cannot_propose_and_nothing_is_written(surgery: Case) -> None:
    before = snapshot(surgery)
    outsider = StaffFactory(username="shipper", teams=["shipping"])
    with pytest.raises(TransitionRefused):
        quote_propose(case=surgery, version=surgery.version, by=outsider, lines=[BATTERY])
    assert snapshot(surgery) == before
    assert QuoteLine.objects.count() == 0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (LineInput("  ", "why", Decimal("1")), "Every line needs a description and an explanation for the customer."),
        (LineInput("Battery", "", Decimal("1")), "Every line needs a description and an explanation for the customer."),
        (
            LineInput("Battery", "why", Decimal("0")),
            "Every price must be more than 0, with at most two decimals (e.g. 39.00).",
        ),
        (
            LineInput("Battery", "why", Decimal("1.005")),
            "Every price must be more than 0, with at most two decimals (e.g. 39.00).",
        ),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_written(surgery: Case, line: LineInput, message: str) -> None:
    before = snapshot(surgery)
    with pytest.raises(QuoteInvalid) as refused:
        quote_propose(case=surgery, version=surgery.version, by=crew(), lines=[line])
    assert str(refused.value) == message
    assert snapshot(surgery) == before


def test_approving_records_the_decision_and_moves_to_the_repair(surgery: Case) -> None:
    quote, waiting = propose(surgery)
    decided = quote_decide(case=waiting, quote_id=quote.pk, version=waiting.version, approve=True)
    quote.refresh_from_db()
    assert (quote.status, quote.decided_by_customer, quote.decided_by) == ("approved", True, None)
    assert quote.decided_at is not None
    assert decided.case.state == "repairing"
    entry = TimelineEntry.objects.get(idempotency_key=f"quote:{quote.pk}:decided")
    assert (entry.event, entry.actor_kind, entry.from_state, entry.to_state) == (
        "quote_approved",
        "customer",
        "awaiting_approval",
        "repairing",
    )
    # The decision is the quote's record; the journey's move closes the quote and opens the balance
    # the approved work will cost, and the case keeps the total the diagnosis gave.
    assert entry.detail["data"] == {"quote_open": False, "balance_open": True}
    assert decided.case.data["quote_total"] == 44.5


def test_declining_moves_to_care(surgery: Case) -> None:
    quote, waiting = propose(surgery)
    decided = quote_decide(case=waiting, quote_id=quote.pk, version=waiting.version, approve=False)
    assert (decided.quote.status, decided.case.state, decided.case.owner) == ("declined", "quote_declined", "team:care")


def test_a_double_click_decides_once_and_the_second_is_told_the_first_answer(surgery: Case) -> None:
    # Given a quote approved from the page rendered at this version
    quote, waiting = propose(surgery)
    quote_decide(case=waiting, quote_id=quote.pk, version=waiting.version, approve=True)
    after_first = snapshot(surgery)
    # When the same page posts again (a double click), or a second tab posts "decline"
    for approve in (True, False):
        fresh = Case.objects.get(pk=surgery.pk)
        with pytest.raises(QuoteNotOpen) as refused:
            quote_decide(case=fresh, quote_id=quote.pk, version=waiting.version, approve=approve)
        assert refused.value.quote.status == "approved"
    # Then nothing more was written: one decision event, exactly
    assert snapshot(surgery) == after_first
    assert TimelineEntry.objects.filter(case=surgery, event__in=["quote_approved", "quote_declined"]).count() == 1


def test_a_stale_page_cannot_decide_and_nothing_is_written(surgery: Case) -> None:
    quote, waiting = propose(surgery)
    before = snapshot(surgery)
    with pytest.raises(CaseConflict):
        quote_decide(case=waiting, quote_id=quote.pk, version=waiting.version - 1, approve=True)
    assert snapshot(surgery) == before
    quote.refresh_from_db()
    assert (quote.status, quote.decided_at) == ("proposed", None)


def test_another_cases_quote_cannot_be_decided(surgery: Case) -> None:
    quote, _ = propose(surgery)
    other = repair_case(CustomerFactory(), "in_surgery")
    with pytest.raises(QuoteInvalid):
        quote_decide(case=other, quote_id=quote.pk, version=other.version, approve=True)
    quote.refresh_from_db()
    assert quote.status == "proposed"


def test_care_revises_a_declined_quote_and_the_old_one_stays_declined(surgery: Case) -> None:
    quote, waiting = propose(surgery)
    declined = quote_decide(case=waiting, quote_id=quote.pk, version=waiting.version, approve=False).case
    cheaper = LineInput("New battery", "Same battery, our goodwill price.", Decimal("29.00"))
    revised = quote_propose(case=declined, version=declined.version, by=crew(), lines=[cheaper])
    assert revised.quote is not None
    assert (revised.case.state, revised.quote.total, revised.case.data["quote_total"]) == (
        "awaiting_approval",
        Decimal("29.00"),
        29.0,
    )
    assert list(Quote.objects.filter(case=surgery).order_by("pk").values_list("status", flat=True)) == [
        QuoteStatus.DECLINED,
        QuoteStatus.PROPOSED,
    ]


def test_care_can_record_an_answer_taken_on_the_phone(surgery: Case) -> None:
    quote, waiting = propose(surgery)
    carer = StaffFactory(username="carer", teams=["care"])
    decided = quote_decide(case=waiting, quote_id=quote.pk, version=waiting.version, approve=True, by_staff=carer)
    assert (decided.quote.decided_by_customer, decided.quote.decided_by, decided.case.state) == (
        False,
        carer,
        "repairing",
    )


def test_money_is_written_with_the_shops_currency() -> None:
    assert money(Decimal("1234.5")) == "£1,234.50"
