"""Open cases and move them through their journey: state, timeline, outbox and timers in one commit."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from touchpoint.cases.actors import CaseActor
from touchpoint.cases.errors import CaseConflict, IdempotencyKeyReused, TransitionRefused
from touchpoint.cases.eta import eta_figures_mark_stale
from touchpoint.cases.journeys import journey_latest, journey_of
from touchpoint.cases.models import Case, Task, TaskKind, TaskStatus, TimelineEntry, TimelineKind, Timer, TimerStatus
from touchpoint.cases.services.tasks import tasks_open
from touchpoint.cases.services.timeline import timeline_append
from touchpoint.core.clock import now
from touchpoint.core.ids import new_reference
from touchpoint.customers.models import Customer
from touchpoint.customers.services import Contact
from touchpoint.flows.clocks import limit_due
from touchpoint.flows.refunds import refund_promised
from touchpoint.journeys import Advanced, Journey, advance, open_case
from touchpoint.journeys.engine import CancelTimers, Effect, OpenTask, Refund, SendTouchpoint, StartTimer, intake_check
from touchpoint.outbox.services import touchpoint_enqueue

STATE_TASKS = [TaskKind.EXCEPTION, TaskKind.HANDOFF, TaskKind.HANDOFF_OVERDUE]


@dataclass(frozen=True)
class AdvanceResult:
    case: Case
    entry: TimelineEntry
    replayed: bool  # True when the idempotency key had been seen: nothing was done this time


def case_open(
    *,
    journey: str,
    customer: Customer,
    actor: CaseActor,
    data: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    touchpoint: str | None = None,
    opening_sentiment: float | None = None,
    contact: Contact | None = None,
) -> AdvanceResult:
    """Open a case on the newest version of ``journey`` in its start state, with ``data`` gathered
    at intake (checked against the journey's declarations: :class:`TransitionRefused` when it
    doesn't fit, and nothing is written) and the journey's ``initial`` values. ``opening_sentiment``
    is how the customer's own words with the request read (a report of a broken delivery): the
    opening message's tone takes it into account, as it would for any message they wrote.

    ``contact`` is what was given with this case (an order or report form): the case greets and
    offers that name and phone, never the ``customer`` record's, because a form proves no one's
    identity. ``None`` when staff or the system open it for a customer they know: the record's.

    Opens its own transaction; with an ``idempotency_key`` seen before, returns the first result."""
    version = journey_latest(journey)
    definition = journey_of(version)
    # A key seen before is found by its unique index when the timeline entry is written (below): the
    # savepoint rolls the case back and the first result is returned. A new key, the usual answer,
    # costs no SELECT to ask first.
    intake = intake_check(definition, data or {})
    if isinstance(intake, str):
        raise TransitionRefused("bad-input", f"{definition.key}: {intake}")
    result = open_case(definition, touchpoint=touchpoint)
    at = now()
    for _ in range(10):  # a reference collision is rare (1 in 33 million per case); try another
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    reference=new_reference(),
                    journey=version,
                    customer=customer,
                    state=result.target,
                    owner=result.owner,
                    data={**result.data, **intake},
                    opened_at=at,
                    state_entered_at=at,
                    updated_at=at,
                    contact_name=(contact.name if contact is not None else customer.name).strip()[:200],
                    contact_phone=(contact.phone if contact is not None else customer.phone).strip()[:40],
                    customer_sentiment=opening_sentiment,
                    customer_sentiment_at=at if opening_sentiment is not None else None,
                )
                label = definition.states[result.target].label
                title = definition.title or definition.name
                entry = timeline_append(
                    case=case,
                    kind=TimelineKind.OPENED,
                    actor=actor,
                    at=at,
                    event="opened",
                    to_state=result.target,
                    summary=f"Case opened on {title} (version {definition.version}): {label}",
                    idempotency_key=idempotency_key,
                    seq=1,  # the case was created a moment ago, in this transaction
                )
                _apply_effects(case, definition, result, at, opened=True, asked=actor.kind == "customer")
                return AdvanceResult(case, entry, replayed=False)
        except IntegrityError:
            if idempotency_key is not None and (replay := _replay(idempotency_key, None, "opened")) is not None:
                return replay
            continue
    raise RuntimeError("could not find a free case reference after 10 tries")  # pragma: no cover


def case_advance(
    *,
    case: Case,
    event: str,
    actor: CaseActor,
    given: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    manual_reason: str = "",
) -> AdvanceResult:
    """Apply ``event`` to ``case`` as read by the caller (its ``version`` is the one they saw).

    ``given`` holds the values the event asks for (its transition's ``asks``), checked by the
    journey; the move's ``sets`` and those values are written to the case data in the same commit.
    ``manual_reason`` marks a carrier's or system's step recorded by a person, with why.

    Opens its own transaction (a savepoint when called inside one). Raises :class:`TransitionRefused`
    when the journey doesn't allow it, :class:`CaseConflict` when the case changed since it was read;
    in both cases nothing is written. A repeated ``idempotency_key`` returns the first result."""
    if idempotency_key is not None and (replay := _replay(idempotency_key, case.pk, event)) is not None:
        return replay
    try:
        with transaction.atomic():
            return _advance(case, event, actor, given or {}, idempotency_key, manual_reason)
    except (CaseConflict, IntegrityError):
        # Lost a race: if it was the same event under the same key, the winner's result is ours.
        if idempotency_key is not None and (replay := _replay(idempotency_key, case.pk, event)) is not None:
            return replay
        current = Case.objects.filter(pk=case.pk).values_list("version", flat=True).first()
        raise CaseConflict(case.reference, case.version, current or case.version) from None


def _advance(
    case: Case, event: str, actor: CaseActor, given: dict[str, Any], key: str | None, manual_reason: str
) -> AdvanceResult:
    definition = journey_of(case.journey)
    result = advance(definition, state=case.state, event=event, data=case.data, given=given, actor=actor.for_journey())
    if not isinstance(result, Advanced):
        raise TransitionRefused(result.code, f"{case.reference}: {result.reason}")
    at = now()
    changes = move_changes(case, result, at)
    # The optimistic lock: the row changes only if nobody wrote it since the caller read it.
    if Case.objects.filter(pk=case.pk, version=case.version).update(**changes) != 1:
        current = Case.objects.filter(pk=case.pk).values_list("version", flat=True).first()
        raise CaseConflict(case.reference, case.version, current or case.version)
    left = case.state
    # The caller's instance stays as they read it until the transaction commits; the result carries the new one.
    case = copy.copy(case)
    for name, value in changes.items():
        setattr(case, name, value)
    if settles_state_tasks(definition, left):
        Task.objects.filter(case=case, status=TaskStatus.OPEN, kind__in=STATE_TASKS).update(
            status=TaskStatus.DONE, closed_at=at, closed_by=actor.person
        )
    entry = timeline_append(
        case=case,
        kind=TimelineKind.TRANSITION,
        actor=actor,
        at=at,
        idempotency_key=key,
        **move_entry(definition, left, result, event, actor, manual_reason),
    )
    _apply_effects(case, definition, result, at, asked=actor.kind == "customer")
    if result.outcome == "success":  # one more finished case: the worker works out the ETA figures again
        eta_figures_mark_stale(journey_name=definition.name, at=at)
    return AdvanceResult(case, entry, replayed=False)


def _refund_of(result: Advanced) -> Refund | None:
    return next((effect for effect in result.effects if isinstance(effect, Refund)), None)


def move_changes(case: Case, result: Advanced, at: datetime) -> dict[str, Any]:
    """The case's fields after the move ``result`` of ``case``, made at ``at``."""
    return {
        "state": result.target,
        "owner": result.owner,
        "outcome": result.outcome or "",
        "data": {**case.data, **result.data},
        "version": case.version + 1,
        "state_seq": case.state_seq + 1,
        "state_entered_at": at,
        "closed_at": at if result.outcome is not None else None,
        "updated_at": at,
    }


def settles_state_tasks(journey: Journey, state: str) -> bool:
    """Whether leaving ``state`` settles its tasks (its exception, its handoff): they are closed by the move."""
    left = journey.states[state]
    return left.exception or left.accept_within is not None


def move_entry(
    journey: Journey, state: str, result: Advanced, event: str, actor: CaseActor, manual_reason: str
) -> dict[str, Any]:
    """The timeline entry's words for the move ``result`` out of ``state`` (its event, states,
    summary and detail)."""
    before, after = journey.states[state], journey.states[result.target]
    summary = f"{before.label} → {after.label}" if before.label != after.label else after.label
    how = f"recorded by hand by {actor.describe()}: {manual_reason}" if manual_reason else f"by {actor.describe()}"
    return {
        "event": event,
        "from_state": result.source or "",
        "to_state": result.target,
        "summary": f"{summary} ({journey.event_label(event)}, {how})",
        "detail": {
            "data": dict(result.data),
            **({"manual": manual_reason} if manual_reason else {}),
            "touchpoints": result.touchpoints,
            "silent": result.silent_reason,
            "handoff": result.handoff,
            # What the move promised to give back (`all`, or a money field): it settles what was owed
            # before it, even when nothing was left to refund.
            **({"refund": refund.what} if (refund := _refund_of(result)) is not None else {}),
        },
    }


def _apply_effects(
    case: Case, journey: Journey, result: Advanced, at: datetime, *, opened: bool = False, asked: bool = False
) -> None:
    """Persist the transition function's effects; the caller's transaction makes them atomic with the move.
    ``opened``: the case was created by this transaction (nothing else refers to it yet); ``asked``: the
    customer made the move, so its message answers them (a text goes even in quiet hours)."""
    effects: tuple[Effect, ...] = result.effects
    # New timers and tasks are written together, one INSERT each, before any other effect (a message
    # states the new deadlines) and at the end.
    timers: list[Timer] = []
    tasks: list[Task] = []
    started: list[Timer] = []  # every timer this move wrote: its message says when they fall due, unread
    for effect in effects:
        if not isinstance(effect, StartTimer | OpenTask) and (timers or tasks):
            Timer.objects.bulk_create(timers)
            tasks_open(tasks)
            started += timers
            timers, tasks = [], []
        if isinstance(effect, CancelTimers):
            timers_cancel([case.pk], at)
        elif isinstance(effect, SendTouchpoint):
            touchpoint_enqueue(
                case=case,
                journey=journey,
                key=effect.key,
                at=at,
                state_seq=case.state_seq,
                opened=opened,
                timers=started,
                asked=asked,
            )
        elif isinstance(effect, StartTimer):
            timers.append(effect_timer(case, effect, at))
        elif isinstance(effect, Refund):
            refund_promised(case=case, what=effect.what, at=at)
        elif isinstance(effect, OpenTask):
            tasks.append(effect_task(case, effect, at))
    Timer.objects.bulk_create(timers)
    tasks_open(tasks)


def timers_cancel(case_ids: list[int], at: datetime) -> None:
    """Cancel the pending timers of the cases ``case_ids`` (their move left the state that set them)."""
    Timer.objects.filter(case_id__in=case_ids, status=TimerStatus.PENDING).update(
        status=TimerStatus.CANCELLED, finished_at=at, lease_owner="", lease_until=None
    )


def effect_timer(case: Case, effect: StartTimer, at: datetime) -> Timer:
    """The timer ``effect`` starts for ``case`` (in its new state), unsaved."""
    due = limit_due(start=at, seconds=effect.after_seconds, clock=effect.clock, hours_of=effect.hours_of)
    return Timer(
        case=case,
        purpose=effect.purpose,
        event=effect.event or "",
        state=case.state,
        state_seq=case.state_seq,
        due_at=due,
        created_at=at,
    )


def effect_task(case: Case, effect: OpenTask, at: datetime) -> Task:
    """The task ``effect`` opens for ``case`` (in its new state), unsaved: one per state entered."""
    kind = TaskKind.EXCEPTION if effect.kind == "exception" else TaskKind.HANDOFF
    due = (
        limit_due(start=at, seconds=effect.due_in_seconds, clock=effect.clock, hours_of=effect.hours_of)
        if effect.due_in_seconds
        else None
    )
    return Task(
        kind=kind,
        owner=effect.owner,
        title=f"{case.reference}: {effect.reason}",
        case=case,
        due_at=due,
        priority=1 if kind == TaskKind.EXCEPTION else 2,
        source_key=f"{case.pk}:{case.state_seq}:{effect.kind}",
    )


def _replay(key: str, case_id: int | None, event: str) -> AdvanceResult | None:
    keyed = TimelineEntry.objects.filter(idempotency_key=key)
    if not keyed.exists():  # the usual answer, asked the cheapest way (a third of the join's cost)
        return None
    entry = keyed.select_related("case").get()
    if (case_id is not None and entry.case_id != case_id) or entry.event != event:
        raise IdempotencyKeyReused(key)
    return AdvanceResult(entry.case, entry, replayed=True)
