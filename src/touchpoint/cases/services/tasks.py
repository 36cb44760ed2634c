from __future__ import annotations

from collections.abc import Sequence
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


def tasks_open(tasks: Sequence[Task]) -> None:
    """Open several tasks (unsaved, as :func:`task_open` would make them) in one INSERT, as a move's
    effects do; one whose ``source_key`` was seen is left out (the unique constraint's ON CONFLICT
    DO NOTHING), so a key still opens one task, and no savepoint is needed to learn it."""
    at = now()
    for task in tasks:
        task.title, task.created_at = task.title[:300], task.created_at or at
    Task.objects.bulk_create(tasks, ignore_conflicts=True)


def task_close(*, task: Task, user: StaffUser | None) -> Task:
    with transaction.atomic():
        Task.objects.filter(pk=task.pk, status=TaskStatus.OPEN).update(
            status=TaskStatus.DONE, closed_at=now(), closed_by=user
        )
    task.refresh_from_db()
    return task
