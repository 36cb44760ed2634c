"""The lean row writer writes exactly what the ORM would read back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from touchpoint.cases.models import Case, Timer, TimerStatus
from touchpoint.core import rows
from touchpoint.core.clock import now


@pytest.mark.django_db
def test_insert_and_update_round_trip_through_the_orm(new_case: Case) -> None:
    due = now() + timedelta(hours=3)
    timer = rows.insert(
        Timer(case=new_case, purpose="wait", event="ping", state="ordered", state_seq=1, due_at=due, created_at=now())
    )
    stored = Timer.objects.get(pk=timer.pk)
    assert (stored.case_id, stored.event, stored.due_at, stored.status) == (new_case.pk, "ping", due, "pending")
    assert timer._state.adding is False
    changed = rows.update(
        Timer,
        where={"id": timer.pk, "status": TimerStatus.PENDING},
        values={"status": TimerStatus.CANCELLED, "lease_until": None},
    )
    assert changed == 1
    assert Timer.objects.get(pk=timer.pk).status == "cancelled"
    assert rows.update(Timer, where={"id": timer.pk, "status": TimerStatus.PENDING}, values={"attempts": 3}) == 0


def test_a_name_that_is_not_a_column_is_refused() -> None:
    with pytest.raises(TypeError, match=r"Case\.timeline is not a column"):
        rows.update(Case, where={"timeline": 1}, values={"state": "x"})
