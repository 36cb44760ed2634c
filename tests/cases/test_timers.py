"""Timers fire the journey's timeout through case_advance; stale ones do nothing; handoffs must be accepted."""

from __future__ import annotations

from datetime import timedelta

import pytest

from touchpoint.cases.actors import CARRIER, SYSTEM, staff_actor
from touchpoint.cases.errors import TransitionRefused
from touchpoint.cases.models import Case, Task, TaskKind, TaskStatus, TimelineEntry, Timer, TimerStatus
from touchpoint.cases.services.handoffs import case_accept_handoff
from touchpoint.core.clock import at, now
from touchpoint.flows.advance import case_advance
from touchpoint.flows.timers import TimerOutcome, timer_fire
from touchpoint.outbox.models import OutboxMessage
from touchpoint.staff.models import StaffUser
from touchpoint.worker.loop import PassResult, Worker


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
