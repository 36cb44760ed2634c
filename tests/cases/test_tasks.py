"""A task's source key opens one task, however often the same cause asks (a timer fired twice, a
webhook sent again), and asking again leaves the caller's transaction usable."""

from __future__ import annotations

import pytest
from django.db import transaction

from touchpoint.cases.models import Case, Task, TaskKind
from touchpoint.cases.services.tasks import task_open

pytestmark = pytest.mark.django_db


def test_the_same_source_key_opens_one_task_and_the_transaction_goes_on(new_case: Case) -> None:
    # Given a task opened for a cause
    first = task_open(kind=TaskKind.EXCEPTION, owner="team:bench", title="Stuck", case=new_case, source_key="k:1")

    # When the same cause asks again inside a transaction that then writes on
    with transaction.atomic():
        again = task_open(kind=TaskKind.EXCEPTION, owner="team:other", title="Other", case=new_case, source_key="k:1")
        other = task_open(kind=TaskKind.HANDOFF, owner="team:bench", title="Accept", case=new_case, source_key="k:2")

    # Then the first task is the answer, unchanged, and the transaction's later write committed
    assert again.pk == first.pk
    assert list(Task.objects.filter(case=new_case).order_by("pk").values_list("source_key", "owner", "title")) == [
        ("k:1", "team:bench", "Stuck"),
        ("k:2", "team:bench", "Accept"),
    ]
    assert other.pk != first.pk


def test_tasks_without_a_source_key_are_each_opened(new_case: Case) -> None:
    for title in ("One", "Two"):
        task_open(kind=TaskKind.EXCEPTION, owner="team:bench", title=title, case=new_case)
    assert list(Task.objects.filter(case=new_case).order_by("pk").values_list("title", flat=True)) == ["One", "Two"]
