"""The worker fires the wait timers of a batch together (one statement per kind of row for the
lot): the same rows as one move at a time, and a bad move still costs the others nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support.factories import TeamFactory
from tests.support.timers import opened_together, refuse
from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.journeys import journey_register
from touchpoint.cases.models import Case, Task, TaskKind, TaskStatus, TimelineEntry, Timer, TimerStatus
from touchpoint.core.clock import at, now
from touchpoint.flows.advance import case_open
from touchpoint.outbox.models import OutboxMessage
from touchpoint.worker.loop import PassResult, Worker

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bench_journey(db: Any) -> None:
    """The timer bench's journey (a wait that becomes a team's exception, whose own wait closes the
    case with a message), its exception to be accepted within its wait limit (the wait timer, made
    first, comes first of the two due together)."""
    source = (ROOT / "bench" / "bench-timers.yaml").read_text().replace("accept_within: 4h", "accept_within: 1d")
    journey_register(source=source, filename="bench-timers.yaml")
    TeamFactory(slug="bench")


def waiting(customer: Any, count: int, *, opened: datetime) -> list[Case]:
    with at(opened):
        return [case_open(journey="bench-timers", customer=customer, actor=SYSTEM).case for _ in range(count)]


def worker_pass(when: datetime) -> PassResult:
    with at(when):
        return Worker(worker_id="w1").run(max_passes=1)


def test_orders_whose_payment_waits_run_out_together_are_each_cancelled_and_told(new_case: Case) -> None:
    # given four orders whose payment waits run out in the same instant
    cases = opened_together(new_case, 4)
    timers = {t.case_id: t for t in Timer.objects.filter(case__in=cases, status=TimerStatus.PENDING)}
    history = {case.pk: TimelineEntry.objects.filter(case=case).count() for case in cases}
    # when the worker makes one pass after it
    totals = worker_pass(max(t.due_at for t in timers.values()) + timedelta(minutes=1))
    # then each was cancelled once, by its own timer, after its own history, and told so once
    assert totals.timers == {"fired": 4}
    for case in cases:
        moved = Case.objects.get(pk=case.pk)
        assert (moved.state, moved.outcome, moved.version, moved.state_seq) == (
            "cancelled",
            "failure",
            case.version + 1,
            case.state_seq + 1,
        )
        entry = TimelineEntry.objects.filter(case=case).order_by("seq").last()
        assert entry is not None
        assert (entry.seq, entry.event, entry.actor_kind, entry.from_state, entry.to_state, entry.idempotency_key) == (
            history[case.pk] + 1,
            "payment_timeout",
            "timer",
            "ordered",
            "cancelled",
            f"timer:{timers[case.pk].pk}",
        )
        assert list(OutboxMessage.objects.filter(case=case).values_list("touchpoint", flat=True)) == [
            "cancelled_unpaid"
        ]
        assert Timer.objects.get(pk=timers[case.pk].pk).status == TimerStatus.FIRED


def test_a_pass_over_more_due_timers_takes_no_more_statements(customer: Any, bench_journey: None) -> None:
    # given three cases whose waits run out at one time, and six others an hour later (and a case
    # whose wait ran out before theirs: the worker's first pass does what it does once)
    start = now() - timedelta(days=3)
    waiting(customer, 1, opened=start - timedelta(hours=1))
    first, second = waiting(customer, 3, opened=start), waiting(customer, 6, opened=start + timedelta(hours=1))
    worker_pass(start + timedelta(days=1) - timedelta(minutes=30))
    # when the worker makes a pass after each
    counts = []
    for when in (start + timedelta(days=1, minutes=1), start + timedelta(days=1, hours=1, minutes=1)):
        with CaptureQueriesContext(connection) as statements:
            totals = worker_pass(when)
        counts.append((totals.timers, len(statements.captured_queries)))
    # then each pass fired its timers, and the six cost what the three did: the moves are written together
    assert [fired for fired, _ in counts] == [{"fired": 3}, {"fired": 6}]
    assert counts[0][1] == counts[1][1]
    assert Case.objects.filter(pk__in=[c.pk for c in first + second], state="stuck").count() == 9
    # each case has its new wait and its exception's acceptance deadline, and a task per person's part
    for case in first + second:
        pending = Timer.objects.filter(case=case, status=TimerStatus.PENDING)
        assert sorted(pending.values_list("purpose", "state", "state_seq")) == [
            ("accept", "stuck", 2),
            ("wait", "stuck", 2),
        ]
        assert sorted(Task.objects.filter(case=case).values_list("kind", "owner", "status")) == [
            (TaskKind.EXCEPTION, "team:bench", TaskStatus.OPEN),
            (TaskKind.HANDOFF, "team:bench", TaskStatus.OPEN),
        ]
        assert list(TimelineEntry.objects.filter(case=case).values_list("seq", "event")) == [
            (1, "opened"),
            (2, "overdue"),
        ]


def test_cases_closed_together_settle_their_tasks_and_each_tell_their_customer(
    customer: Any, bench_journey: None
) -> None:
    # given three cases that became the bench team's exceptions, nobody having resolved them
    start = now() - timedelta(days=3)
    cases = waiting(customer, 3, opened=start)
    worker_pass(start + timedelta(days=1, minutes=1))
    # when their own wait limits run out together
    totals = worker_pass(start + timedelta(days=2, minutes=2))
    # then each is done (its acceptance deadline cancelled by the move), its exception and handoff
    # are settled, and its customer told once
    assert totals.timers == {"fired": 3, "skipped": 3}
    for case in cases:
        assert Case.objects.get(pk=case.pk).state == "done"
        assert set(Task.objects.filter(case=case).values_list("status", flat=True)) == {TaskStatus.DONE}
        assert list(OutboxMessage.objects.filter(case=case).values_list("touchpoint", flat=True)) == ["resolved"]
        assert not Timer.objects.filter(case=case, status=TimerStatus.PENDING).exists()


def test_a_move_that_fails_in_a_batch_costs_the_others_nothing(customer: Any, bench_journey: None) -> None:
    # given five cases whose waits run out together, one of whose moves the database refuses
    start = now() - timedelta(days=3)
    cases = waiting(customer, 5, opened=start)
    bad = cases[2]
    bad_timer = Timer.objects.get(case=bad)
    refuse("refuse_move", "cases_timelineentry", f"NEW.case_id = {bad.pk} AND NEW.event = 'overdue'")
    # when the worker makes one pass
    totals = worker_pass(start + timedelta(days=1, minutes=1))
    # then the four others moved, once each (the batch was rolled back and fired one by one), and the
    # bad one, untouched, is a person's task, as when it fails alone
    assert totals.timers == {"fired": 4, "failed": 1}
    moved = TimelineEntry.objects.filter(case__in=cases, event="overdue")
    assert sorted(moved.values_list("case_id", flat=True)) == sorted(c.pk for c in cases if c != bad)
    assert Case.objects.get(pk=bad.pk).state == "waiting"
    task = Task.objects.get(kind=TaskKind.TIMER_FAILED)
    assert (task.case_id, task.title) == (bad.pk, f"{bad.reference}: the wait limit ran out but `overdue` was refused")
    assert Timer.objects.get(pk=bad_timer.pk).status == TimerStatus.FIRED


def test_a_refused_timeout_in_a_batch_becomes_a_task_and_the_others_move(new_case: Case) -> None:
    # given three orders whose payment waits run out together, one whose timeout the journey can't take
    cases = opened_together(new_case, 3)
    odd = cases[1]
    Timer.objects.filter(case=odd).update(event="no_such_event")  # as if the journey were wrong
    due = max(Timer.objects.filter(case__in=cases).values_list("due_at", flat=True))
    # when the worker makes one pass
    totals = worker_pass(due + timedelta(minutes=1))
    # then the others are cancelled, and a person is told about the odd one, which is untouched
    assert totals.timers == {"fired": 2, "failed": 1}
    assert sorted(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("state", flat=True)) == [
        "cancelled",
        "cancelled",
        "ordered",
    ]
    task = Task.objects.get(kind=TaskKind.TIMER_FAILED)
    assert (task.case_id, task.title) == (
        odd.pk,
        f"{odd.reference}: the wait limit ran out but `no_such_event` was refused",
    )
