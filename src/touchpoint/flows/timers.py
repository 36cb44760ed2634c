from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum

from django.conf import settings
from django.db import transaction

from touchpoint.cases.actors import TIMER
from touchpoint.cases.errors import CaseError
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, TaskKind, TimelineKind, Timer, TimerStatus
from touchpoint.cases.services.handoffs import fallback_owner, handoff_task
from touchpoint.cases.services.tasks import task_open
from touchpoint.cases.services.timeline import timeline_append
from touchpoint.core.clock import now
from touchpoint.flows.advance import case_advance
from touchpoint.flows.together import Move, cases_advance_together


class TimerOutcome(StrEnum):
    FIRED = "fired"
    STALE = "stale"  # the case moved on since the timer was set: nothing happens
    SKIPPED = "skipped"  # already fired or cancelled (e.g. by another worker after a lease ran out)
    FAILED = "failed"  # the journey refused the timeout event: a person has a task


def timer_fire(*, timer_id: int, worker_id: str) -> TimerOutcome:
    """Fire one claimed timer (:func:`timers_fire` with one); raises what firing raised, having
    written nothing."""
    outcome = timers_fire(timer_ids=[timer_id], worker_id=worker_id)[timer_id]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def timers_fire(
    *, timer_ids: Sequence[int], worker_id: str, fatal: Callable[[Exception], bool] = lambda exc: False
) -> dict[int, TimerOutcome | Exception]:
    """Fire claimed timers in one transaction; the outcome of each.

    A wait timer advances the case with the state's timeout event; an acceptance timer whose
    handoff is still unaccepted opens an urgent task. A timer set for an earlier state is stale;
    one no longer pending (cancelled by a move, fired by another worker) is skipped.

    The wait timers' moves are written together (:func:`cases_advance_together`: one statement per
    kind of row for the lot, in one savepoint). When that raises, the savepoint is rolled back and
    each timer is fired alone in its own: then a move that raises is rolled back alone and the
    exception is its outcome, for the caller to record (:func:`timer_record_error`) while the
    others commit. An exception ``fatal`` says (a lost connection) is raised instead: nothing of the
    batch is written, and its timers are due again."""
    outcomes: dict[int, TimerOutcome | Exception] = {}
    with transaction.atomic():
        pending = Timer.objects.filter(pk__in=timer_ids, status=TimerStatus.PENDING)
        # The cases first, in id order, then their timers: the order a transition takes them in
        # (the case row, then its pending timers), so a sweep and a person moving a case can't
        # deadlock. `of=self`: the journey version is read, not locked.
        cases = {
            case.pk: case
            for case in Case.objects.select_for_update(of=("self",))
            .select_related("journey")
            .filter(pk__in=pending.values("case_id"))
            .order_by("pk")
        }
        timers = list(pending.select_for_update().order_by("due_at", "pk"))
        try:
            with transaction.atomic():  # one savepoint for the moves made together
                outcomes = _fire_together(timers, cases)
        except Exception as exc:  # (a conflict, a bad row): each is made alone below, where it is its own
            if fatal(exc):
                raise
            outcomes = {}
        seen: set[int] = set()
        for timer in timers:
            if timer.pk not in outcomes:
                try:
                    with transaction.atomic():
                        outcome = _fire(timer, cases.get(timer.case_id), again=timer.case_id in seen)
                except Exception as exc:  # this timer's failure, not the batch's: the caller records it
                    if fatal(exc):
                        raise
                    outcomes[timer.pk] = exc
                else:
                    outcomes[timer.pk] = outcome
            seen.add(timer.case_id)
        # Marked done together, in the transaction that made their moves (one UPDATE per outcome,
        # not one per timer); a refused timeout was marked with its error as it happened.
        for outcome, status in ((TimerOutcome.FIRED, TimerStatus.FIRED), (TimerOutcome.STALE, TimerStatus.STALE)):
            if done := [pk for pk, got in outcomes.items() if got is outcome]:
                _finish(done, status)
    return {pk: outcomes.get(pk, TimerOutcome.SKIPPED) for pk in timer_ids}


def _fire_together(timers: list[Timer], cases: dict[int, Case]) -> dict[int, TimerOutcome | Exception]:
    """Fire together the wait timers that are their case's first in ``timers`` (the usual batch:
    one timer a case) and say which are stale; the others are left out, for :func:`_fire` one by one
    (an acceptance, a case's later timer, a move refused or promising a refund)."""
    outcomes: dict[int, TimerOutcome | Exception] = {}
    moves: dict[int, Move] = {}  # by timer id
    firsts: set[int] = set()
    for timer in timers:
        case, first = cases.get(timer.case_id), timer.case_id not in firsts
        firsts.add(timer.case_id)
        if case is None or not first or timer.purpose == "accept":
            continue
        if _stale(timer, case):
            outcomes[timer.pk] = TimerOutcome.STALE
        else:
            moves[timer.pk] = Move(case, timer.event, idempotency_key=f"timer:{timer.pk}")
    made, _ = cases_advance_together(moves=list(moves.values()), actor=TIMER)
    outcomes.update({pk: TimerOutcome.FIRED for pk, move in moves.items() if move.case.pk in made})
    return outcomes


def _stale(timer: Timer, case: Case) -> bool:
    """The case moved on since ``timer`` was set (or finished): firing it does nothing."""
    return case.state_seq != timer.state_seq or case.state != timer.state or bool(case.outcome)


def _fire(timer: Timer, case: Case | None, *, again: bool) -> TimerOutcome:
    """Fire ``timer`` of ``case`` (both locked). ``again``: an earlier timer of this batch may have
    moved the case and cancelled this one, so both are read afresh."""
    if again or case is None:
        if not Timer.objects.filter(pk=timer.pk, status=TimerStatus.PENDING).exists():
            return TimerOutcome.SKIPPED
        case = Case.objects.select_for_update(of=("self",)).select_related("journey").get(pk=timer.case_id)
    at = now()
    if _stale(timer, case):
        return TimerOutcome.STALE
    if timer.purpose == "accept":
        return _acceptance_overdue(timer, case)
    try:
        case_advance(case=case, event=timer.event, actor=TIMER, idempotency_key=f"timer:{timer.pk}")
    except CaseError as exc:
        _finish([timer.pk], TimerStatus.FIRED, error=str(exc))
        state = journey_of(case.journey).states.get(case.state)
        task_open(
            kind=TaskKind.TIMER_FAILED,
            owner=state.owner if state and state.team else fallback_owner(),
            title=f"{case.reference}: the wait limit ran out but `{timer.event}` was refused",
            detail=str(exc),
            case=case,
            due_at=at,
            priority=1,
            source_key=f"timer:{timer.pk}:failed",
        )
        return TimerOutcome.FAILED
    return TimerOutcome.FIRED


def _acceptance_overdue(timer: Timer, case: Case) -> TimerOutcome:
    task = handoff_task(case)
    owner = case.owner if case.owner.startswith("team:") else fallback_owner()
    task_open(
        kind=TaskKind.HANDOFF_OVERDUE,
        owner=owner,
        case=case,
        priority=1,
        due_at=now(),
        title=f"{case.reference}: handoff to {case.owner} not accepted in time",
        detail="The new owner did not acknowledge the handoff within its limit. Chase it or reassign.",
        source_key=f"timer:{timer.pk}:overdue",
    )
    timeline_append(
        case=case,
        kind=TimelineKind.TASK,
        actor=TIMER,
        at=now(),
        event="handoff_overdue",
        summary=f"Handoff to {case.owner} not accepted in time; escalated",
        detail={"handoff_task": task.pk if task else None},
    )
    return TimerOutcome.FIRED


def _finish(timer_ids: list[int], status: TimerStatus, error: str = "") -> None:
    Timer.objects.filter(pk__in=timer_ids).update(
        status=status, finished_at=now(), lease_owner="", lease_until=None, last_error=error[:2000]
    )


def timer_record_error(*, timer_id: int, worker_id: str, error: str) -> TimerOutcome:
    """Firing raised unexpectedly. Retry on a later pass (the lease is released), up to
    ``TOUCHPOINT_TIMER_MAX_ATTEMPTS``; then give up and hand the case to a person."""
    with transaction.atomic():
        timer = (
            Timer.objects.select_for_update()
            .filter(pk=timer_id, status=TimerStatus.PENDING, lease_owner=worker_id)
            .first()
        )
        if timer is None:
            return TimerOutcome.SKIPPED
        attempts = timer.attempts + 1
        if attempts < settings.TOUCHPOINT_TIMER_MAX_ATTEMPTS:
            Timer.objects.filter(pk=timer.pk).update(
                attempts=attempts, last_error=error[:2000], lease_owner="", lease_until=None
            )
            return TimerOutcome.SKIPPED
        Timer.objects.filter(pk=timer.pk).update(attempts=attempts)
        _finish([timer.pk], TimerStatus.FIRED, error=error)
        task_open(
            kind=TaskKind.TIMER_FAILED,
            owner=fallback_owner(),
            case=timer.case,
            due_at=now(),
            priority=1,
            title=f"{timer.case.reference}: the wait limit ran out but firing `{timer.event}` kept failing",
            detail=error,
            source_key=f"timer:{timer.pk}:failed",
        )
        return TimerOutcome.FAILED
