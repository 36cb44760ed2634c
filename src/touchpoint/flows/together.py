"""Several cases' moves written together: one statement per kind of row for the lot, where
``case_advance`` writes each move's rows on their own (the worker's timer sweep, issue 14: ~11
statements a move one by one, under one a move together).

The same rows as one ``case_advance`` per move, in the caller's transaction; a move that can't be
written so (refused, promising a refund, or whose idempotency key was seen) is handed back for the
caller to make one by one, where ``case_advance`` says why or replays it."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, Max

from touchpoint.cases.actors import CaseActor
from touchpoint.cases.errors import CaseConflict
from touchpoint.cases.eta import eta_figures_mark_stale
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, Task, TaskStatus, TimelineEntry, TimelineKind, Timer
from touchpoint.cases.services.tasks import tasks_open
from touchpoint.cases.services.timeline import timeline_entry
from touchpoint.core.clock import now
from touchpoint.flows.advance import (
    STATE_TASKS,
    AdvanceResult,
    effect_task,
    effect_timer,
    move_changes,
    move_entry,
    settles_state_tasks,
    timers_cancel,
)
from touchpoint.journeys import Advanced, Journey, advance
from touchpoint.journeys.engine import CancelTimers, Effect, OpenTask, SendTouchpoint, StartTimer
from touchpoint.outbox.services import touchpoint_enqueue


@dataclass(frozen=True)
class Move:
    """``event`` applied to ``case`` as the caller read it (and holds it: its row is locked)."""

    case: Case
    event: str
    idempotency_key: str


@dataclass(frozen=True)
class _Planned:
    move: Move
    journey: Journey
    result: Advanced
    changes: dict[str, Any]


def cases_advance_together(*, moves: Sequence[Move], actor: CaseActor) -> tuple[dict[int, AdvanceResult], list[Move]]:
    """Make ``moves`` (one per case, their rows locked by the caller's transaction) together: the
    results by case id, and the moves left for the caller to make one by one with ``case_advance``.

    Raises :class:`CaseConflict` when a case changed since it was read, and whatever a write raises
    (an idempotency key taken meanwhile): the caller rolls the lot back (a savepoint) and makes
    them one by one, where each conflict is that move's alone."""
    if len({move.case.pk for move in moves}) != len(moves):
        raise ValueError("one move a case: a case's later move must read what its earlier one wrote")
    seen = set(
        TimelineEntry.objects.filter(idempotency_key__in=[move.idempotency_key for move in moves]).values_list(
            "idempotency_key", flat=True
        )
    )
    at = now()
    planned: list[_Planned] = []
    left: list[Move] = []
    for move in moves:
        case = move.case
        journey = journey_of(case.journey)
        result = advance(
            journey, state=case.state, event=move.event, data=case.data, given={}, actor=actor.for_journey()
        )
        if move.idempotency_key in seen or not isinstance(result, Advanced) or not _writable_together(result.effects):
            left.append(move)
        else:
            planned.append(_Planned(move, journey, result, move_changes(case, result, at)))
    if not planned:
        return {}, left
    _cases_update(planned)
    settled = [p.move.case.pk for p in planned if settles_state_tasks(p.journey, p.move.case.state)]
    if settled:
        Task.objects.filter(case_id__in=settled, status=TaskStatus.OPEN, kind__in=STATE_TASKS).update(
            status=TaskStatus.DONE, closed_at=at, closed_by=actor.person
        )
    last = dict(
        TimelineEntry.objects.filter(case_id__in=[p.move.case.pk for p in planned])
        .values_list("case_id")
        .annotate(last=Max("seq"))
        .order_by()
    )
    entries, moved = [], []
    for p in planned:
        case = copy.copy(p.move.case)  # the caller's instance stays as they read it, as case_advance's does
        for name, value in p.changes.items():
            setattr(case, name, value)
        moved.append(case)
        entry = timeline_entry(
            case=case,
            seq=last.get(case.pk, 0) + 1,
            kind=TimelineKind.TRANSITION,
            actor=actor,
            at=at,
            idempotency_key=p.move.idempotency_key,
            **move_entry(p.journey, p.move.case.state, p.result, p.move.event, actor, ""),
        )
        entries.append(entry)
    TimelineEntry.objects.bulk_create(entries)
    _effects_write(planned, moved, at, asked=actor.kind == "customer")
    return {
        case.pk: AdvanceResult(case, entry, replayed=False) for case, entry in zip(moved, entries, strict=True)
    }, left


def _writable_together(effects: Sequence[Effect]) -> bool:
    """Whether the effects fit the order they are written in together: the pending timers
    cancelled, then the new timers and tasks, then the messages (which state the new deadlines).
    The order a move's effects come in; anything else (a refund promised) is made one by one."""
    ranks = [next((n for n, kinds in enumerate(_ORDER) if isinstance(effect, kinds)), -1) for effect in effects]
    return -1 not in ranks and ranks == sorted(ranks)


_ORDER: tuple[type | tuple[type, ...], ...] = (CancelTimers, (StartTimer, OpenTask), SendTouchpoint)


def _cases_update(planned: list[_Planned]) -> None:
    """The cases' rows, one UPDATE for the moves that change them alike (the same state, owner and
    outcome, their data only where the move sets some, from the same version), each row only at the
    version its move read (the optimistic lock, as ``case_advance``'s)."""
    alike: dict[str, list[_Planned]] = defaultdict(list)
    for p in planned:
        alike[repr((p.move.case.version, sorted(_shared(p).items())))].append(p)
    for group in alike.values():
        case = group[0].move.case
        updated = Case.objects.filter(pk__in=[p.move.case.pk for p in group], version=case.version).update(
            **_shared(group[0]), version=case.version + 1, state_seq=F("state_seq") + 1
        )
        if updated != len(group):
            raise CaseConflict(case.reference, case.version, case.version + 1)


def _shared(p: _Planned) -> dict[str, Any]:
    """The fields ``p`` sets that moves alike set alike: all but the counters (each the case's own,
    one up) and the data, written only where the move sets some (it is unchanged otherwise)."""
    shared = {k: v for k, v in p.changes.items() if k not in ("version", "state_seq", "data")}
    return {**shared, "data": p.changes["data"]} if p.result.data else shared


def _effects_write(planned: list[_Planned], moved: list[Case], at: datetime, *, asked: bool) -> None:
    """The moves' effects in the order one move writes its own (see :func:`_writable_together`)."""
    cancel = [
        case.pk
        for p, case in zip(planned, moved, strict=True)
        if any(isinstance(e, CancelTimers) for e in p.result.effects)
    ]
    if cancel:
        timers_cancel(cancel, at)
    started: dict[int, list[Timer]] = defaultdict(list)
    tasks: list[Task] = []
    for p, case in zip(planned, moved, strict=True):
        for effect in p.result.effects:
            if isinstance(effect, StartTimer):
                started[case.pk].append(effect_timer(case, effect, at))
            elif isinstance(effect, OpenTask):
                tasks.append(effect_task(case, effect, at))
    Timer.objects.bulk_create([timer for timers in started.values() for timer in timers])
    tasks_open(tasks)
    for p, case in zip(planned, moved, strict=True):
        for effect in p.result.effects:
            if isinstance(effect, SendTouchpoint):
                touchpoint_enqueue(
                    case=case, journey=p.journey, key=effect.key, at=at, state_seq=case.state_seq,
                    timers=started[case.pk], asked=asked,
                )  # fmt: skip
        if p.result.outcome == "success":  # one more finished case: the worker works out the ETA figures again
            eta_figures_mark_stale(journey_name=p.journey.name, at=at)
