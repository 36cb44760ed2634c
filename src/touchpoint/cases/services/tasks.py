from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from touchpoint.cases.models import Case, Task, TaskKind, TaskStatus
from touchpoint.core.clock import now
from touchpoint.staff.models import StaffUser


def task_open(
    *,
    kind: TaskKind,
    owner: str,
    title: str,
    case: Case | None = None,
    detail: str = "",
    due_at: datetime | None = None,
    priority: int = 2,
    source_key: str | None = None,
) -> Task:
    """Open a task for a person. The same ``source_key`` opens one task, however often it is asked.

    Call it inside the transaction that decided a person is needed, so the decision and the task
    commit together. A new key (nearly always) costs one INSERT: the unique constraint on
    ``source_key`` answers whether it was seen, and only then is the first task read."""
    try:
        with transaction.atomic():
            return Task.objects.create(
                case=case,
                kind=kind,
                owner=owner,
                title=title[:300],
                detail=detail,
                due_at=due_at,
                priority=priority,
                source_key=source_key,
                created_at=now(),
            )
    except IntegrityError:
        if source_key is None:
            raise
        return Task.objects.get(source_key=source_key)


def task_close(*, task: Task, user: StaffUser | None) -> Task:
    with transaction.atomic():
        Task.objects.filter(pk=task.pk, status=TaskStatus.OPEN).update(
            status=TaskStatus.DONE, closed_at=now(), closed_by=user
        )
    task.refresh_from_db()
    return task
