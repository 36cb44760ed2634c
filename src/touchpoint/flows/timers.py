from __future__ import annotations

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


class TimerOutcome(StrEnum):
    FIRED = "fired"
    STALE = "stale"  # the case moved on since the timer was set: nothing happens
    SKIPPED = "skipped"  # already fired or cancelled (e.g. by another worker after a lease ran out)
    FAILED = "failed"  # the journey refused the timeout event: a person has a task


def timer_fire(*, timer_id: int, worker_id: str) -> TimerOutcome:
    """Fire one claimed timer. Opens its own transaction; locks the timer and its case.

    A wait timer advances the case with the state's timeout event; an acceptance timer whose
    handoff is still unaccepted opens an urgent task. A timer set for an earlier state is stale."""
    at = now()
    with transaction.atomic():
        timer = Timer.objects.select_for_update().filter(pk=timer_id, status=TimerStatus.PENDING).first()
        if timer is None:
            return TimerOutcome.SKIPPED
        case = Case.objects.select_for_update().select_related("journey").get(pk=timer.case_id)
        if case.state_seq != timer.state_seq or case.state != timer.state or case.outcome:
            _finish(timer, TimerStatus.STALE)
            return TimerOutcome.STALE
        if timer.purpose == "accept":
            return _acceptance_overdue(timer, case)
        try:
            case_advance(case=case, event=timer.event, actor=TIMER, idempotency_key=f"timer:{timer.pk}")
        except CaseError as exc:
            _finish(timer, TimerStatus.FIRED, error=str(exc))
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
        _finish(timer, TimerStatus.FIRED)
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
    _finish(timer, TimerStatus.FIRED)
    return TimerOutcome.FIRED


def _finish(timer: Timer, status: TimerStatus, error: str = "") -> None:
    Timer.objects.filter(pk=timer.pk).update(
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
        _finish(timer, TimerStatus.FIRED, error=error)
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
