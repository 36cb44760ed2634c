"""Cases written straight to the table for the queue tests: the queues only read, so these skip the
journey engine (the browser test opens one through ``case_open`` to see it arrive live)."""

from __future__ import annotations

from datetime import datetime, timedelta

from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, JourneyVersion, Task, TaskKind, Timer
from touchpoint.core.clock import now
from touchpoint.core.ids import new_reference
from touchpoint.customers.models import Customer
from touchpoint.staff.models import StaffUser


def make_case(
    version: JourneyVersion,
    customer: Customer,
    state: str,
    *,
    reference: str | None = None,
    assignee: StaffUser | None = None,
    entered: datetime | None = None,
    outcome: str = "",
) -> Case:
    at = entered or now() - timedelta(hours=1)
    return Case.objects.create(
        reference=reference or new_reference(),
        journey=version,
        customer=customer,
        state=state,
        owner=journey_of(version).states[state].owner,
        opened_at=at,
        state_entered_at=at,
        updated_at=at,
        assignee=assignee,
        outcome=outcome,
    )


def make_timer(case: Case, *, due_in: timedelta, purpose: str = "wait") -> Timer:
    return Timer.objects.create(
        case=case, purpose=purpose, event="x", state=case.state, state_seq=case.state_seq,
        due_at=now() + due_in, created_at=now(),
    )  # fmt: skip


def make_task(case: Case, *, kind: TaskKind = TaskKind.HANDOFF, due_in: timedelta | None = None) -> Task:
    return Task.objects.create(
        case=case, kind=kind, owner=case.owner, title=f"{kind} for {case.reference}",
        due_at=None if due_in is None else now() + due_in, created_at=now(),
    )  # fmt: skip
