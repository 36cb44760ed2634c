"""A Read returns exactly what the ORM's values_list returns, with each call's own arguments."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connections

from touchpoint.cases.models import Case, TimelineEntry, Timer, TimerStatus
from touchpoint.core.clock import now
from touchpoint.core.reads import Read, ReadInstances
from touchpoint.payments.models import Payment, PaymentStatus, Provider
from touchpoint.staff.models import StaffUser

pytestmark = pytest.mark.django_db


def timers_due(case_id: int, before: datetime, status: str) -> Any:
    return (
        Timer.objects.filter(case_id=case_id, due_at__lte=before, status=status)
        .order_by("due_at", "pk")
        .values_list("pk", "event", "due_at", "state_seq", "attempts", "case__reference", "lease_until")
    )


TIMERS_DUE = Read(timers_due, int, datetime, str)
ENTRIES = Read(
    lambda case_id: (
        Case.objects.filter(pk=case_id)
        .order_by("timeline__seq")
        .values_list("timeline__seq", "timeline__detail", "timeline__actor_user__username", "timeline__at")
    ),
    int,
)
PAYMENTS = Read(
    lambda case_id: Payment.objects.filter(case_id=case_id).order_by("pk").values_list("amount", "amount_refunded"),
    int,
)


def make_timers(case: Case) -> None:
    Timer.objects.filter(case=case).delete()  # the journey's own payment timer: only these four
    at = now()
    for i, status in enumerate(["pending", "pending", "done", "pending"]):
        Timer.objects.create(
            case=case, purpose="wait", event=f"e{i}", state=case.state, state_seq=i + 1, status=status,
            created_at=at, due_at=at + timedelta(minutes=10 * i - 15), attempts=i,
        )  # fmt: skip


def test_rows_equal_the_orms_for_each_calls_arguments(new_case: Case) -> None:
    make_timers(new_case)
    for before in [now() - timedelta(hours=1), now(), now() + timedelta(minutes=20), now() + timedelta(days=1)]:
        for status in ["pending", "done", "cancelled"]:
            expected = [tuple(r) for r in timers_due(new_case.pk, before, status)]
            assert TIMERS_DUE(new_case.pk, before, status) == expected
    got = TIMERS_DUE(new_case.pk, now() + timedelta(days=1), TimerStatus.PENDING)
    assert [r[1] for r in got] == ["e0", "e1", "e3"]
    assert got[0][2].tzinfo is not None  # an aware datetime, as the ORM gives it
    assert got[0][5] == new_case.reference and got[0][6] is None
    assert TIMERS_DUE(new_case.pk + 1000, now() + timedelta(days=1), "pending") == []


def test_json_decoded_and_a_missing_join_is_none(new_case: Case) -> None:
    author = StaffUser.objects.create_user("ann", password="x-not-used")
    for seq, user, detail in [(50, None, {"text": "hi", "n": [1, 2]}), (51, author, {})]:
        TimelineEntry.objects.create(
            case=new_case, seq=seq, at=now(), kind="note", event="note_added", actor_kind="staff", actor_user=user,
            summary="a note", detail=detail,
        )  # fmt: skip
    rows = ENTRIES(new_case.pk)
    expected = [tuple(r) for r in ENTRIES.build(new_case.pk)]
    assert rows == expected
    assert {"text": "hi", "n": [1, 2]} in [r[1] for r in rows]
    assert [r[2] for r in rows].count("ann") == 1 and None in [r[2] for r in rows]


def test_decimals_are_exact(new_case: Case) -> None:
    Payment.objects.create(
        case=new_case, provider=Provider.OFFLINE, amount=Decimal("12.30"), amount_refunded=Decimal("0.10"),
        currency="gbp", status=PaymentStatus.PAID, created_at=now(), updated_at=now(),
    )  # fmt: skip
    assert PAYMENTS(new_case.pk) == [(Decimal("12.30"), Decimal("0.10"))]


def test_an_argument_that_does_not_reach_the_sql_as_itself_is_refused_at_once() -> None:
    fuzzy = Read(lambda text: Case.objects.filter(reference__icontains=text).values_list("pk"), str)
    with pytest.raises(TypeError, match=r"don't reach the SQL as themselves"):
        fuzzy("TP-1")


def test_a_constant_equal_to_a_marker_is_not_taken_for_the_argument(new_case: Case) -> None:
    # 31001 is the first round's int marker: a constant equal to it must stay a constant.
    odd = Read(
        lambda case_id: Timer.objects.filter(case_id=case_id, state_seq=31_001).values_list("event"),
        int,
    )
    Timer.objects.create(
        case=new_case, purpose="wait", event="odd", state=new_case.state, state_seq=31_001, created_at=now(),
        due_at=now(),
    )  # fmt: skip
    assert odd(new_case.pk) == [("odd",)]


@pytest.mark.django_db(transaction=True)
def test_each_thread_compiles_on_its_own_connection(new_case: Case) -> None:
    make_timers(new_case)
    later = now() + timedelta(days=1)
    expected = TIMERS_DUE(new_case.pk, later, "pending")
    results: list[Any] = []

    def other() -> None:
        try:
            results.append(TIMERS_DUE(new_case.pk, later, "pending"))
        finally:
            connections.close_all()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert results == [expected]
    assert "_touchpoint_reads" in connections["default"].__dict__  # on this thread's own connection object


CASE_WITH = ReadInstances(
    Case,
    lambda reference: Case.objects.filter(reference=reference),
    str,
    related=("journey", "customer", "assignee"),
    defer=("journey__source",),
)


def test_instances_carry_their_related_rows_as_select_related_would(
    new_case: Case, django_assert_num_queries: Any
) -> None:
    expected = Case.objects.select_related("journey", "customer", "assignee").get(pk=new_case.pk)
    with django_assert_num_queries(1):
        (case,) = CASE_WITH(new_case.reference)
        assert case.assignee is None  # a null key: attached as None, no query
        assert case.customer.email == expected.customer.email
        assert case.journey.sha256 == expected.journey.sha256
    for field in Case._meta.concrete_fields:
        assert getattr(case, field.attname) == getattr(expected, field.attname), field.attname
    assert case._state.adding is False and case._state.db == "default"
    with django_assert_num_queries(1):  # the deferred column, read on first access
        assert case.journey.source == expected.journey.source
    assert CASE_WITH("TP-NOPE0") == []


def test_an_assigned_case_carries_its_assignee(new_case: Case) -> None:
    person = StaffUser.objects.create_user("bo", password="x-not-used", first_name="Bo")
    Case.objects.filter(pk=new_case.pk).update(assignee=person)
    (case,) = CASE_WITH(new_case.reference)
    assert case.assignee == person and str(case.assignee) == "Bo"


def test_a_positive_integer_argument_works_on_every_database(new_case: Case) -> None:
    # PostgreSQL's ORM hands such a value to the driver wrapped (psycopg's Int4): the read must too.
    by_seq = Read(
        lambda case_id, seq: Timer.objects.filter(case_id=case_id, state_seq=seq).values_list("event"), int, int
    )
    make_timers(new_case)
    assert by_seq(new_case.pk, 2) == [("e1",)]
    assert by_seq(new_case.pk, 4) == [("e3",)]
    assert by_seq(new_case.pk, 9) == []


def test_a_read_the_orm_proves_empty_returns_nothing_without_a_query(
    new_case: Case, django_assert_num_queries: Any
) -> None:
    nothing = Read(lambda case_id: Timer.objects.filter(case_id=case_id, pk__in=[]).values_list("pk"), int)
    with django_assert_num_queries(0):
        assert nothing(new_case.pk) == []
