"""The demo business: a living repair shop a newcomer sees at once, loaded twice without duplicates,
with every case's history made through the product's own services (its money included)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, JourneyVersion, TimelineEntry, Timer, TimerStatus
from touchpoint.core.clock import now
from touchpoint.customers.models import Customer
from touchpoint.demo.loader import demo_load
from touchpoint.feedback.models import Feedback
from touchpoint.outbox.models import OutboxMessage
from touchpoint.payments.models import Payment, Refund
from touchpoint.quotes.models import Quote
from touchpoint.remedies.models import Remedy
from touchpoint.staff.models import StaffUser
from touchpoint.themes.models import ThemeRun
from touchpoint.wall.models import WallItem

pytestmark = pytest.mark.django_db

# The moves whose message says money goes back (`refund:` in the journey; `resume_trip_home` too
# when the device comes home unrepaired).
REFUNDING = {
    "died_on_table",
    "no_answer_return",
    "return_unrepaired",
    "no_option_found",
    "order_given_up",
    "order_cancelled",
    "device_declared_lost",
    "refund_issued",
}


@pytest.fixture(autouse=True)
def demo_card_page(settings: Any) -> None:
    """As `make run` loads it: card payments on the demo card page, with its signing secret."""
    settings.TOUCHPOINT_PAYMENT_PROVIDERS = ["offline", "demo"]
    settings.STRIPE_WEBHOOK_SECRET = "whsec_demo_tests"


def counts() -> dict[str, int]:
    return {
        "cases": Case.objects.count(),
        "timeline": TimelineEntry.objects.count(),
        "messages": OutboxMessage.objects.count(),
        "timers": Timer.objects.count(),
        "customers": Customer.objects.count(),
        "staff": StaffUser.objects.count(),
        "journeys": JourneyVersion.objects.count(),
        "wall": WallItem.objects.count(),
        "theme_runs": ThemeRun.objects.count(),
        "payments": Payment.objects.count(),
        "refunds": Refund.objects.count(),
        "quotes": Quote.objects.count(),
        "feedback": Feedback.objects.count(),
        "remedies": Remedy.objects.count(),
    }


def test_the_demo_spreads_50_cases_over_the_mail_in_repair_journey_with_exceptions() -> None:
    summary = demo_load(password="touchpoint-demo", history=0)
    assert (summary.cases, summary.created, summary.staff) == (50, 50, ["admin", "alex", "jo", "priya", "sam"])
    cases = list(Case.objects.select_related("journey"))
    assert len(cases) == 50 and {c.journey.name for c in cases} == {"mail-in-repair"}
    journey = journey_of(cases[0].journey)
    states = {c.state for c in cases}
    assert len(states) >= 10  # spread over the journey, not piled in one state
    in_exceptions = [c for c in cases if journey.states[c.state].exception]
    assert len(in_exceptions) >= 5  # a living shop has things going wrong, each with a person on it
    assert any(journey.states[s].terminal for s in states) and any(not journey.states[s].terminal for s in states)
    # every open case waits on a running timer: nothing is waiting without one
    for case in cases:
        if not case.outcome:
            assert Timer.objects.filter(
                case=case, status=TimerStatus.PENDING, purpose="wait", due_at__gt=now()
            ).exists()
    assert StaffUser.objects.get(username="priya").check_password("touchpoint-demo")


def test_the_demo_has_a_finished_history_with_feedback_on_the_wall_and_themes() -> None:
    from touchpoint.wall.models import Status

    summary = demo_load(password="touchpoint-demo", cases=0, history=40)
    assert summary.created == 40
    finished = Case.objects.exclude(outcome="")
    assert finished.count() >= 25  # walked to their end, weeks ago
    assert all(case.closed_at is not None and case.closed_at < now() for case in finished)
    given = Feedback.objects.count()
    assert given >= 5
    published = WallItem.objects.filter(status=Status.PUBLISHED)
    assert published.count() == WallItem.objects.count() - 2  # the newest two wait for a person
    assert ThemeRun.objects.count() == 1


def test_loading_the_demo_twice_duplicates_nothing() -> None:
    demo_load(password="touchpoint-demo", history=10)
    before = counts()
    again = demo_load(password="something-else", history=10)
    assert again.created == 0
    assert counts() == before
    assert StaffUser.objects.get(username="sam").check_password("touchpoint-demo")  # passwords kept too


def test_every_case_is_what_the_product_would_have_made_of_it() -> None:
    # Given the demo with open cases and a finished history
    demo_load(password="touchpoint-demo", cases=30, history=30)
    journey = journey_of(Case.objects.select_related("journey").first().journey)  # type: ignore[union-attr]
    assert journey.key == "mail-in-repair@4"
    paid_by_card = paid_offline = refunded = 0
    for case in Case.objects.select_related("journey"):
        events = list(TimelineEntry.objects.filter(case=case).order_by("seq").values_list("event", flat=True))
        payments = Payment.objects.filter(case=case, status__in=["paid", "refunded"])
        # every case opened from an order with its whole intake, as the order page takes it
        assert events[0] == "opened" and set(case.data) >= {"model", "problem", "problem_notes", "prepaid_box"}
        assert set(case.data) >= {"diagnosis_price", "return_address", "quote_total", "repaired"}
        # a case paid for has the payment that paid it, by card on the demo card page or by bank transfer
        if "payment_succeeded" in events:
            assert payments.filter(provider="stripe", purpose="order").count() == 1, case.reference
            paid_by_card += 1
        if "offline_payment_received" in events:
            assert payments.filter(provider="offline", purpose="order").count() == 1, case.reference
            paid_offline += 1
        # a balance paid is a payment of the approved extra work
        if "balance_paid" in events:
            assert payments.filter(purpose="balance").exists(), case.reference
        # every move that says money goes back, on a paid case, has its refund of all that was paid
        unrepaired_home = "resume_trip_home" in events and not case.data["repaired"]
        if payments.exists() and (REFUNDING & set(events) or unrepaired_home):
            assert Refund.objects.filter(case=case).exists(), case.reference
            assert sum(p.amount for p in payments) == sum(r.amount for r in Refund.objects.filter(case=case))
            refunded += 1
        # a repaired device went home repaired: the check-up set it, nobody by hand
        if "qc_passed" in events:
            assert case.data["repaired"] is True
        # a diagnosis with extra work has its quote, for the same total
        quotes = Quote.objects.filter(case=case)
        if case.data["quote_total"] > 0:
            assert quotes.exists() and quotes.order_by("-pk")[0].total == case.data["quote_total"], case.reference
    assert paid_by_card >= 20 and paid_offline >= 1 and refunded >= 1


def test_the_demos_own_words_show_no_internal_keys() -> None:
    demo_load(password="touchpoint-demo", cases=20, history=10)
    parsed = journey_of(Case.objects.select_related("journey").first().journey)  # type: ignore[union-attr]
    keys = {*parsed.states, *(t.on for t in parsed.transitions), *parsed.data}
    keys = {key for key in keys if "_" in key}
    words = re.compile(r"[a-z]+(?:_[a-z]+)+")
    said = [
        *TimelineEntry.objects.values_list("summary", flat=True),
        *Quote.objects.values_list("finding", flat=True),
        *Feedback.objects.values_list("comment", flat=True),
        *Remedy.objects.values_list("reason", flat=True),
        *Payment.objects.exclude(reference="").values_list("reference", flat=True),
    ]
    leaked = {(key, text) for text in said for key in words.findall(text) if key in keys}
    assert leaked == set()
