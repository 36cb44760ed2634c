"""Timers fire the journey's timeout through case_advance; stale ones do nothing; handoffs must be accepted."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.factories import TeamFactory
from tests.support.timers import opened_together, refuse
from touchpoint.cases.actors import CARRIER, SYSTEM, staff_actor
from touchpoint.cases.errors import TransitionRefused
from touchpoint.cases.journeys import journey_register
from touchpoint.cases.models import Case, Task, TaskKind, TaskStatus, TimelineEntry, Timer, TimerStatus
from touchpoint.cases.services.handoffs import case_accept_handoff
from touchpoint.core.clock import at, now
from touchpoint.flows.advance import case_advance, case_open
from touchpoint.flows.timers import TimerOutcome, timer_fire
from touchpoint.outbox.models import OutboxMessage
from touchpoint.staff.models import StaffUser
from touchpoint.worker.loop import PassResult, Worker

ROOT = Path(__file__).resolve().parents[2]


def worker_pass_when_due(timer: Timer) -> PassResult:
    """The worker's passes at the moment ``timer`` falls due."""
    with at(timer.due_at):
        return Worker(worker_id="w1").run(until_idle=True)


def test_a_due_wait_timer_fires_the_states_timeout_event(new_case: Case) -> None:
    # given a case whose payment wait runs out, when the worker makes a pass then
    totals = worker_pass_when_due(Timer.objects.get(case=new_case))
    # then the timeout moved the case, told the customer, and the timer is done
    new_case.refresh_from_db()
    assert (new_case.state, new_case.outcome) == ("cancelled", "failure")
    assert totals.timers == {"fired": 1}
    entry = TimelineEntry.objects.filter(case=new_case).order_by("seq").last()
    assert entry is not None
    assert (entry.event, entry.actor_kind, entry.idempotency_key) == (
        "payment_timeout",
        "timer",
        f"timer:{Timer.objects.get().pk}",
    )
    assert list(OutboxMessage.objects.filter(case=new_case).values_list("touchpoint", flat=True)) == [
        "cancelled_unpaid"
    ]
    assert Timer.objects.get(case=new_case).status == TimerStatus.FIRED


def test_a_timer_made_stale_by_a_later_transition_does_nothing(new_case: Case) -> None:
    # given a worker has claimed the payment timer, and then payment arrives
    timer = Timer.objects.get(case=new_case)
    Timer.objects.filter(pk=timer.pk).update(due_at=now() - timedelta(seconds=1))
    case_advance(case=new_case, event="payment_received", actor=SYSTEM)
    Timer.objects.filter(pk=timer.pk).update(status=TimerStatus.PENDING)  # as if claimed before the cancel
    # when it fires
    outcome = timer_fire(timer_id=timer.pk, worker_id="w1")
    # then nothing happens to the case
    new_case.refresh_from_db()
    assert outcome == TimerOutcome.STALE
    assert (new_case.state, new_case.version) == ("awaiting_device", 2)
    assert Timer.objects.get(pk=timer.pk).status == TimerStatus.STALE
    assert TimelineEntry.objects.filter(case=new_case).count() == 2


def test_a_cancelled_or_fired_timer_is_skipped(new_case: Case) -> None:
    timer = Timer.objects.get(case=new_case)
    case_advance(case=new_case, event="payment_received", actor=SYSTEM)
    assert timer_fire(timer_id=timer.pk, worker_id="w1") == TimerOutcome.SKIPPED


def on_bench(case: Case) -> Case:
    case = case_advance(case=case, event="payment_received", actor=SYSTEM).case
    return case_advance(case=case, event="device_arrived", actor=CARRIER).case


def test_a_handoff_to_a_team_waits_for_acceptance_and_a_member_accepts_it(
    new_case: Case, bench_tech: StaffUser
) -> None:
    case = on_bench(new_case)
    task = Task.objects.get(case=case, kind=TaskKind.HANDOFF)
    assert (task.owner, task.status, task.title) == ("team:bench", "open", f"{case.reference}: accept: On the bench")
    case = case_accept_handoff(case=case, actor=staff_actor(bench_tech))
    task.refresh_from_db()
    assert (task.status, task.closed_by) == (TaskStatus.DONE, bench_tech)
    assert not Timer.objects.filter(case=case, purpose="accept", status=TimerStatus.PENDING).exists()
    last = TimelineEntry.objects.filter(case=case).order_by("seq").last()
    assert last is not None and last.summary == "Handoff to team:bench accepted by Sam"
    with pytest.raises(TransitionRefused, match="no handoff waiting"):
        case_accept_handoff(case=case, actor=staff_actor(bench_tech))


def test_someone_outside_the_receiving_team_cannot_accept(new_case: Case, bench_tech: StaffUser) -> None:
    from tests.support.factories import StaffFactory

    outsider = StaffFactory(username="outsider", teams=["care"])
    case = on_bench(new_case)
    with pytest.raises(TransitionRefused, match="only they can accept it"):
        case_accept_handoff(case=case, actor=staff_actor(outsider))
    assert Task.objects.get(case=case, kind=TaskKind.HANDOFF).status == TaskStatus.OPEN


def test_an_unaccepted_handoff_becomes_an_urgent_task_when_its_limit_runs_out(new_case: Case) -> None:
    case = on_bench(new_case)
    worker_pass_when_due(Timer.objects.get(case=case, purpose="accept", status=TimerStatus.PENDING))
    overdue = Task.objects.get(case=case, kind=TaskKind.HANDOFF_OVERDUE)
    assert (overdue.owner, overdue.priority, overdue.title) == (
        "team:bench",
        1,
        f"{case.reference}: handoff to team:bench not accepted in time",
    )
    case.refresh_from_db()
    assert case.state == "on_bench"  # the case itself waits for its own wait limit


def test_a_timeout_the_journey_refuses_becomes_a_task_not_a_silent_drop(new_case: Case) -> None:
    # given a timer whose event the journey can't take in this state (as if the journey were wrong)
    Timer.objects.filter(case=new_case).update(event="no_such_event", due_at=now() - timedelta(seconds=1))
    # when the worker fires it
    Worker(worker_id="w1").run(until_idle=True)
    # then a person is told, and the case is untouched
    task = Task.objects.get(case=new_case, kind=TaskKind.TIMER_FAILED)
    assert task.title == f"{new_case.reference}: the wait limit ran out but `no_such_event` was refused"
    new_case.refresh_from_db()
    assert new_case.state == "ordered"


def test_a_parcel_the_carrier_never_scans_becomes_a_task_for_the_fallback_team(
    new_case: Case, bench_tech: StaffUser
) -> None:
    # given a repaired device handed to the carrier, who must scan it within a day
    case = on_bench(new_case)
    case = case_advance(case=case, event="repaired", actor=staff_actor(bench_tech), given={"needs_ok": False}).case
    assert (case.state, case.owner) == ("shipped", "carrier")
    # when the carrier's acceptance limit runs out without a scan
    worker_pass_when_due(Timer.objects.get(case=case, purpose="accept", status=TimerStatus.PENDING))
    # then customer care is asked to chase it, because a carrier can't hold a task
    overdue = Task.objects.get(case=case, kind=TaskKind.HANDOFF_OVERDUE)
    assert (overdue.owner, overdue.title) == ("team:care", f"{case.reference}: handoff to carrier not accepted in time")


def test_a_carrier_scan_accepts_its_handoff(new_case: Case, bench_tech: StaffUser) -> None:
    case = on_bench(new_case)
    case = case_advance(case=case, event="repaired", actor=staff_actor(bench_tech), given={"needs_ok": False}).case
    case = case_accept_handoff(case=case, actor=CARRIER)
    assert not Timer.objects.filter(case=case, purpose="accept", status=TimerStatus.PENDING).exists()
    last = TimelineEntry.objects.filter(case=case).order_by("seq").last()
    assert last is not None and last.summary == "Handoff to carrier accepted by carrier"


@pytest.mark.parametrize(
    ("where", "table", "condition"),
    [
        # its move fails: that timer's savepoint is rolled back, the batch commits the others
        ("its_move", "cases_timelineentry", "NEW.case_id = {case} AND NEW.event = 'handoff_overdue'"),
        # marking it fired fails: the batch's one UPDATE fails, so the batch is fired again one by one
        ("marking_it_fired", "cases_timer", "OLD.id = {timer} AND NEW.status = 'fired' AND NEW.last_error = ''"),
    ],
)
def test_a_timer_that_fails_costs_the_others_of_its_batch_nothing_and_ends_as_a_task(
    new_case: Case, where: str, table: str, condition: str, settings: Any
) -> None:
    # given five repairs on the bench whose handoffs nobody accepted, one of which can't be escalated
    cases = [on_bench(case) for case in opened_together(new_case, 5)]
    bad = cases[2]
    timers = Timer.objects.filter(case__in=cases, purpose="accept", status=TimerStatus.PENDING)
    bad_timer = timers.get(case=bad)
    refuse(f"refuse_{where}", table, condition.format(case=bad.pk, timer=bad_timer.pk))
    due = max(timers.values_list("due_at", flat=True)) + timedelta(minutes=1)
    # when the worker makes one pass (one batch: the five are fired in one transaction)
    with at(due):
        first = Worker(worker_id="w1").run(max_passes=1)
    # then the other four were escalated, once each, and the bad one's attempt is counted and its
    # lease given back
    assert first.timers == {"fired": 4, "skipped": 1}
    escalated = TimelineEntry.objects.filter(case__in=cases, event="handoff_overdue")
    assert sorted(escalated.values_list("case_id", flat=True)) == sorted(c.pk for c in cases if c != bad)
    overdue = Task.objects.filter(kind=TaskKind.HANDOFF_OVERDUE)
    assert sorted(overdue.values_list("case_id", flat=True)) == sorted(c.pk for c in cases if c != bad)
    bad_timer.refresh_from_db()
    assert (bad_timer.status, bad_timer.attempts, bad_timer.lease_owner) == (TimerStatus.PENDING, 1, "")
    assert f"refused by refuse_{where}" in bad_timer.last_error
    # and when the worker keeps trying, it gives up after the last attempt and a person has a task
    with at(due + timedelta(minutes=1)):
        rest = Worker(worker_id="w1").run(until_idle=True)
    assert rest.timers == {"skipped": settings.TOUCHPOINT_TIMER_MAX_ATTEMPTS - 2, "failed": 1}
    bad_timer.refresh_from_db()
    assert (bad_timer.status, bad_timer.attempts) == (TimerStatus.FIRED, settings.TOUCHPOINT_TIMER_MAX_ATTEMPTS)
    task = Task.objects.get(kind=TaskKind.TIMER_FAILED)
    assert (task.case, task.priority, task.owner) == (bad, 1, "team:care")
    assert task.title.startswith(f"{bad.reference}: the wait limit ran out but firing")
    assert escalated.count() == 4 and overdue.count() == 4  # nobody escalated twice, the bad one never


def test_two_timers_of_one_case_due_together_fire_in_due_order_in_one_batch(new_case: Case) -> None:
    # given a case on the bench whose handoff was never accepted and whose wait limit has run out too
    case = on_bench(new_case)
    accept = Timer.objects.get(case=case, purpose="accept", status=TimerStatus.PENDING)
    wait = Timer.objects.get(case=case, purpose="wait", status=TimerStatus.PENDING)
    assert accept.due_at < wait.due_at
    # when the worker makes a pass after both
    with at(wait.due_at + timedelta(minutes=1)):
        totals = Worker(worker_id="w1").run(max_passes=1)
    # then the handoff is escalated first, then the overdue repair moves the case (once)
    assert totals.timers == {"fired": 2}
    events = list(TimelineEntry.objects.filter(case=case).order_by("seq").values_list("event", flat=True))
    assert events[-2:] == ["handoff_overdue", "bench_overdue"]
    case.refresh_from_db()
    assert case.state == "running_late"
    assert Task.objects.filter(case=case, kind=TaskKind.HANDOFF_OVERDUE).count() == 1
    assert [t.status for t in Timer.objects.filter(pk__in=[accept.pk, wait.pk]).order_by("due_at")] == [
        TimerStatus.FIRED,
        TimerStatus.FIRED,
    ]


def test_a_timer_cancelled_by_an_earlier_one_of_its_batch_is_skipped(customer: Any) -> None:
    # given a journey whose exception must be accepted within a day, as long as it may wait (the wait
    # timer, made first, comes first of the two due together)
    source = (ROOT / "bench" / "bench-timers.yaml").read_text().replace("accept_within: 4h", "accept_within: 1d")
    journey_register(source=source, filename="bench-timers.yaml")
    TeamFactory(slug="bench")
    case = case_open(journey="bench-timers", customer=customer, actor=SYSTEM).case
    with at(Timer.objects.get(case=case).due_at):
        Worker(worker_id="w1").run(until_idle=True)
    accept = Timer.objects.get(case=case, purpose="accept", status=TimerStatus.PENDING)
    wait = Timer.objects.get(case=case, purpose="wait", status=TimerStatus.PENDING)
    # when the worker fires both in one pass
    with at(accept.due_at + timedelta(minutes=1)):
        totals = Worker(worker_id="w1").run(max_passes=1)
    # then the wait moved the case on and cancelled the deadline of the state it left: no escalation
    assert totals.timers == {"fired": 1, "skipped": 1}
    case.refresh_from_db()
    assert case.state == "done"
    assert [Timer.objects.get(pk=t.pk).status for t in (wait, accept)] == [TimerStatus.FIRED, TimerStatus.CANCELLED]
    assert not Task.objects.filter(case=case, kind=TaskKind.HANDOFF_OVERDUE).exists()
