"""Refunds a journey promises: recorded with the move whose message says so, sent through Stripe by
the worker (bounded retries; what finally fails is a person's task with the exact amount), or paid
back by a person and marked so in the console. Never limited by an agent's remedy limit."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.payments.conftest import RecordedStripe, stripe_event
from tests.payments.walks import (
    PAYMENT_INTENT,
    bench_says,
    card_order,
    died_on_the_table,
    fresh,
    hook,
    pay_panel,
    staff,
    text,
)
from tests.quotes.repair import walk_to
from tests.support.factories import CustomerFactory
from tests.support.orders import place_repair_order
from touchpoint.cases.models import Case, Task, TaskKind, TaskStatus, TimelineEntry
from touchpoint.core.clock import at, now
from touchpoint.outbox.models import OutboxMessage
from touchpoint.payments.models import Payment, Refund, RefundStatus
from touchpoint.payments.selectors import case_money
from touchpoint.worker.loop import Worker

pytestmark = pytest.mark.usefixtures("mail_in_repair")


def refund_tasks(case: Case) -> list[tuple[str, str]]:
    return list(
        Task.objects.filter(case=case, kind=TaskKind.PAYMENT_PROBLEM).order_by("pk").values_list("title", "status")
    )


def test_a_journey_refund_is_written_with_the_move_that_promises_it(
    client: Client, recorded_stripe: RecordedStripe
) -> None:
    # Given Ian's repair, paid £39.00 by card, on the bench
    case = walk_to(card_order(client, recorded_stripe), "in_surgery")
    payment = Payment.objects.get(case=case)
    # When the bench records that it couldn't be saved (the message says the repair is refunded)
    case = died_on_the_table(case)
    # Then the refund is recorded by that very move: the whole £39.00, to go back through Stripe
    move = TimelineEntry.objects.get(case=case, event="died_on_table")
    refund = Refund.objects.get()
    assert (refund.case, refund.payment, refund.what, refund.amount, refund.currency) == (
        case,
        payment,
        "all",
        Decimal("39.00"),
        "gbp",
    )
    assert (refund.status, refund.provider, refund.event, refund.entry) == (
        RefundStatus.TO_SEND,
        "stripe",
        "died_on_table",
        move,
    )
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("39.00")
    money = case_money(case=case)
    assert (money.paid, money.refunded, money.net, money.refund_ways) == (
        Decimal("39.00"),
        Decimal("39.00"),
        Decimal("0"),
        ["to your card"],
    )
    # and the customer's page says so
    assert "We're refunding £39.00 to your card." in text(pay_panel(client, case))


def test_a_refused_move_records_no_refund(client: Client, recorded_stripe: RecordedStripe) -> None:
    case = walk_to(card_order(client, recorded_stripe), "resting")  # not on the bench yet
    response = bench_says(case, "died_on_table", "died-early")
    assert response.status_code in (400, 403, 409)
    assert (fresh(case).state, Refund.objects.count()) == ("resting", 0)


def test_the_worker_sends_the_refund_through_stripe_once(client: Client, recorded_stripe: RecordedStripe) -> None:
    # Given a card-paid repair that couldn't be saved
    case = died_on_the_table(card_order(client, recorded_stripe))
    payment = Payment.objects.get(case=case)
    # When the worker runs (twice: a second pass must not refund again)
    recorded_stripe.reply("refund_created", id="re_3RecordedTouchpoint0000001")
    Worker(worker_id="w1").run(until_idle=True)
    Worker(worker_id="w2").run(until_idle=True)
    # Then Stripe was asked once, for the payment's £39.00, under the refund's own idempotency key
    asked = [r for r in recorded_stripe.requests if r["url"].endswith("/v1/refunds")]
    assert len(asked) == 1
    refund = Refund.objects.get()
    assert (asked[0]["form"]["payment_intent"], asked[0]["form"]["amount"], asked[0]["form"]["metadata[case]"]) == (
        f"{PAYMENT_INTENT}{payment.pk}",
        "3900",
        case.reference,
    )
    assert asked[0]["idempotency_key"] == refund.idempotency_key
    assert (refund.status, refund.provider_ref, refund.attempts) == (
        RefundStatus.SUCCEEDED,
        "re_3RecordedTouchpoint0000001",
        1,
    )
    assert refund_tasks(case) == []
    assert text(pay_panel(client, case)).count("Refunded £39.00 to your card on") == 1


def test_a_refund_stripe_keeps_refusing_ends_as_a_task_after_bounded_retries(
    client: Client, recorded_stripe: RecordedStripe
) -> None:
    # Given a card-paid repair that couldn't be saved, and Stripe rate-limiting every request
    case = died_on_the_table(card_order(client, recorded_stripe))
    tries = settings.TOUCHPOINT_OUTBOX_MAX_ATTEMPTS
    for _ in range(tries):
        recorded_stripe.reply("error_rate_limit", status=429)
    # When the worker runs each time the refund is due again
    for attempt in range(1, tries + 1):
        refund = Refund.objects.get()
        assert refund.next_attempt_at is not None
        with at(max(refund.next_attempt_at, now())):
            Worker(worker_id="w1").run(until_idle=True)
        refund.refresh_from_db()
        assert refund.attempts == attempt
        if attempt < tries:
            # capped backoff: later each time, never sooner
            assert refund.status == RefundStatus.TO_SEND
            assert refund.next_attempt_at is not None
            assert refund.next_attempt_at - refund.updated_at == timedelta(
                seconds=min(
                    settings.TOUCHPOINT_OUTBOX_BACKOFF_CAP, settings.TOUCHPOINT_OUTBOX_BACKOFF_BASE * 2 ** (attempt - 1)
                )
            )
    # Then after the last try it is a person's task with the exact amount, and no more tries
    assert (refund.status, refund.next_attempt_at) == (RefundStatus.FAILED, None)
    assert refund.problem.startswith("Stripe refused or could not be reached: Request rate limit exceeded.")
    assert refund_tasks(case) == [
        (
            f"{case.reference}: pay back £39.00 to Ian Kearns (by card, payment "
            f"{PAYMENT_INTENT}{refund.payment_id}: refund it in the card provider's dashboard)",
            TaskStatus.OPEN,
        )
    ]
    assert len([r for r in recorded_stripe.requests if r["url"].endswith("/v1/refunds")]) == tries
    with at(now() + timedelta(days=1)):
        Worker(worker_id="w1").run(until_idle=True)
    assert len([r for r in recorded_stripe.requests if r["url"].endswith("/v1/refunds")]) == tries


def test_a_refund_stripe_refuses_for_good_is_a_persons_task_at_once(
    client: Client, recorded_stripe: RecordedStripe
) -> None:
    case = died_on_the_table(card_order(client, recorded_stripe))
    recorded_stripe.reply("error_charge_already_refunded", status=400)
    Worker(worker_id="w1").run(until_idle=True)
    refund = Refund.objects.get()
    assert (refund.status, refund.attempts) == (RefundStatus.FAILED, 1)
    assert refund.problem == (
        "Stripe refused or could not be reached: Charge ch_3RecordedTouchpoint000000 has already been refunded."
    )
    assert [title for title, _ in refund_tasks(case)] == [
        f"{case.reference}: pay back £39.00 to Ian Kearns (by card, payment "
        f"{PAYMENT_INTENT}{refund.payment_id}: refund it in the card provider's dashboard)"
    ]


def test_stripe_failing_a_refund_later_hands_it_to_a_person(client: Client, recorded_stripe: RecordedStripe) -> None:
    case = died_on_the_table(card_order(client, recorded_stripe))
    recorded_stripe.reply("refund_created", id="re_3RecordedTouchpoint0000000", fields={"status": "pending"})
    Worker(worker_id="w1").run(until_idle=True)
    assert Refund.objects.get().status == RefundStatus.SENT
    event = stripe_event(
        "event_refund_failed", event_id="evt_refund_failed", session_id="re_3RecordedTouchpoint0000000"
    )
    answer = hook(client, event)
    assert (answer["outcome"], answer["detail"]) == ("needs_person", "the refund failed; a person pays it back")
    refund = Refund.objects.get()
    assert (refund.status, refund.problem) == (
        RefundStatus.FAILED,
        "Stripe failed the refund: expired_or_canceled_card",
    )
    assert len(refund_tasks(case)) == 1
    assert hook(client, event)["duplicate"] is True
    assert len(refund_tasks(case)) == 1


def test_an_offline_payment_is_paid_back_by_a_person_with_the_exact_amount(client: Client) -> None:
    # Given Ian's repair, paid £39.00 by bank transfer, that couldn't be saved
    case = died_on_the_table(place_repair_order(CustomerFactory(name="Ian Kearns")))
    # Then the refund is a task for intake: who, how much, and how he paid
    refund = Refund.objects.get()
    assert (refund.status, refund.amount, refund.provider) == (RefundStatus.PAY_BACK, Decimal("39.00"), "")
    title = f"{case.reference}: pay back £39.00 to Ian Kearns (bank transfer, reference Transfer {case.reference})"
    assert refund_tasks(case) == [(title, TaskStatus.OPEN)]
    task = Task.objects.get(title=title)
    assert (task.owner, task.priority, task.due_at) == ("team:intake", 1, refund.created_at + timedelta(days=1))
    # and the customer's page says what is owed and by when (the task's due time)
    owed = text(pay_panel(client, case))
    assert "We owe you £39.00: a person from our team pays it back the way you paid, by " in owed
    # When Priya in intake marks it paid back from the payment panel
    priya, console = staff("priya", first_name="Priya", last_name="Shah", teams=["intake"])
    url = reverse("console:refund_paid_back", args=[case.reference, refund.pk])
    panel = console.get(reverse("console:case", args=[case.reference])).content.decode()
    assert f'action="{url}"' in panel
    assert "Mark £39.00 paid back</button>" in panel
    stale = console.post(url, {"version": case.version - 1, "note": "BACS"})
    assert stale.status_code == 409
    assert Refund.objects.get().status == RefundStatus.PAY_BACK
    response = console.post(url, {"version": case.version, "note": "BACS to his account, ref TP refund"})
    # Then it is recorded with who and how, on the timeline, its task closed, and Ian told
    assert response.status_code == 303
    refund.refresh_from_db()
    assert (refund.status, refund.paid_back_by, refund.paid_back_note) == (
        RefundStatus.PAID_BACK,
        priya,
        "BACS to his account, ref TP refund",
    )
    assert refund_tasks(case) == [(title, TaskStatus.DONE)]
    note = TimelineEntry.objects.filter(case=case).order_by("-seq").first()
    assert note is not None and (note.event, note.summary, note.actor_user) == (
        "refund_paid_back",
        "£39.00 paid back to Ian Kearns, marked by Priya Shah: BACS to his account, ref TP refund",
        priya,
    )
    told = OutboxMessage.objects.filter(case=case).order_by("-pk").first()
    assert told is not None and told.subject == f"{case.reference}: we've paid back £39.00"
    assert "We paid back £39.00 on" in text(pay_panel(client, case))
    # and marking it again changes nothing
    again = console.post(url, {"version": fresh(case).version, "note": "again"})
    assert again.status_code == 409
    assert "was already marked paid back by Priya Shah" in again.content.decode()
    assert TimelineEntry.objects.filter(case=case, event="refund_paid_back").count() == 1


def test_only_intake_or_a_lead_marks_a_refund_paid_back(client: Client) -> None:
    case = died_on_the_table(place_repair_order(CustomerFactory(name="Ian Kearns")))
    refund = Refund.objects.get()
    _, bench = staff("sam", teams=["bench"])
    url = reverse("console:refund_paid_back", args=[case.reference, refund.pk])
    assert bench.post(url, {"version": case.version}).status_code == 403
    assert Refund.objects.get().status == RefundStatus.PAY_BACK


def test_a_second_promise_finds_nothing_left_to_refund_and_records_nothing(
    client: Client, recorded_stripe: RecordedStripe
) -> None:
    # Given a repair refunded in full when it couldn't be saved, sent home at the customer's choice
    case = died_on_the_table(card_order(client, recorded_stripe))
    _, care = staff("jo", first_name="Jo", teams=["care"])
    for event in ("return_chosen", "complaint_raised"):
        case = fresh(case)
        url = reverse("console:case_event", args=[case.reference])
        assert care.post(url, {"event": event, "version": case.version, "nonce": event}).status_code in (302, 303)
    # When care resolves the complaint by sending it home unrepaired (its message says "refunded" too)
    case = fresh(case)
    url = reverse("console:case_event", args=[case.reference])
    assert care.post(url, {"event": "resume_trip_home", "version": case.version, "nonce": "home"}).status_code in (
        302,
        303,
    )
    # Then nothing more is recorded: the £39.00 is already on its way back
    assert fresh(case).state == "return_to_pack"
    assert list(Refund.objects.values_list("amount", "event")) == [(Decimal("39.00"), "died_on_table")]
    assert case_money(case=case).refunded == Decimal("39.00")


def test_an_order_problem_refund_pays_back_the_order_total_by_a_persons_hand(client: Client) -> None:
    from tests.support.orders import contact_of, register_library
    from tests.support.timers import time_runs_out
    from touchpoint.inbox.reports import Report, report_place

    # Given Ian's report of a wrong item on order 1001, which cost him £49.99, whose replacement stalled
    register_library("order-problem")
    ian = CustomerFactory(name="Ian Kearns")
    report = Report(
        order_number="1001", what_happened="wrong_item", order_total=Decimal("49.99"), contact=contact_of(ian)
    )
    case = report_place(report=report, photos=[], nonce="report-1")
    _, care = staff("jo", first_name="Jo", teams=["care"])
    url = reverse("console:case_event", args=[case.reference])
    assert care.post(url, {"event": "replacement_requested", "version": case.version, "nonce": "r1"}).status_code == 302
    case = time_runs_out(fresh(case))
    assert case.state == "handoff_stuck"
    # When care refunds the order instead (no agent's remedy limit applies: the journey promised it)
    response = care.post(url, {"event": "refunded", "version": case.version, "nonce": "r2"})
    # Then the order's total is owed back, by a person, with the order to find the payment by
    assert response.status_code == 302
    assert fresh(case).state == "refunded"
    refund = Refund.objects.get()
    assert (refund.payment, refund.what, refund.amount, refund.status) == (
        None,
        "order_total",
        Decimal("49.99"),
        RefundStatus.PAY_BACK,
    )
    assert refund_tasks(case) == [
        (f"{case.reference}: pay back £49.99 to Ian Kearns (the way they paid for order 1001)", TaskStatus.OPEN)
    ]
    assert case_money(case=case).refunded == Decimal("49.99")
    assert "We owe you £49.99" in text(pay_panel(client, case))
