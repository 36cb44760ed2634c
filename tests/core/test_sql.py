"""Each statement of :mod:`touchpoint.core.sql` writes and reads what its ORM equivalent does
(run on SQLite and on PostgreSQL by ``make test``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import F

from touchpoint.core.models import RateWindow
from touchpoint.core.sql import rate_window_count

pytestmark = pytest.mark.django_db
START = 1_795_000_000  # a window's start, Unix seconds
EXPIRES = datetime(2026, 11, 22, 13, 0, 0, tzinfo=UTC)


def orm_rate_window_count(*, key: str, window_start: int, expires_at: datetime) -> int:
    """The ORM equivalent named in rate_window_count's docstring."""
    updated = RateWindow.objects.filter(key=key, window_start=window_start).update(count=F("count") + 1)
    if not updated:
        RateWindow.objects.create(key=key, window_start=window_start, count=1, expires_at=expires_at)
    return RateWindow.objects.get(key=key, window_start=window_start).count


def stored(key: str) -> list[dict[str, Any]]:
    rows = RateWindow.objects.filter(key=key).order_by("window_start")
    return [dict(row) for row in rows.values("window_start", "count", "expires_at")]


def test_rate_window_count_counts_as_the_orm_does_and_stores_the_same_rows() -> None:
    # Given the same hits in two windows, counted once by the statement and once by the ORM
    hits = [START, START, START + 60, START, START + 60]
    by_sql = [
        rate_window_count(key="sql", window_start=s, expires_at=EXPIRES + timedelta(seconds=s - START)) for s in hits
    ]
    by_orm = [
        orm_rate_window_count(key="orm", window_start=s, expires_at=EXPIRES + timedelta(seconds=s - START))
        for s in hits
    ]

    # Then both answer the same counts and leave the same rows behind (the window's first expiry kept)
    assert by_sql == by_orm == [1, 2, 1, 3, 2]
    assert (
        stored("sql")
        == stored("orm")
        == [
            {"window_start": START, "count": 3, "expires_at": EXPIRES},
            {"window_start": START + 60, "count": 2, "expires_at": EXPIRES + timedelta(seconds=60)},
        ]
    )


def test_rate_window_count_adds_to_a_window_the_orm_opened() -> None:
    # Given a window opened and counted by the ORM
    orm_rate_window_count(key="both", window_start=START, expires_at=EXPIRES)

    # When the statement counts in it, and the ORM again after it
    assert rate_window_count(key="both", window_start=START, expires_at=EXPIRES + timedelta(hours=1)) == 2
    assert orm_rate_window_count(key="both", window_start=START, expires_at=EXPIRES) == 3

    # Then one row holds the count, with the expiry it was opened with
    assert stored("both") == [{"window_start": START, "count": 3, "expires_at": EXPIRES}]


NAMES = ("m_entries", "m_authors", "m_inbound", "m_outbound", "m_cases", "m_payments", "m_refunds", "m_tasks")
NAMES += ("m_feedback", "m_said")


def orm_case_marks(*, case_id: int, customer_id: int) -> tuple[int, str, int, int, int, int, int, int, int, int]:
    """The ORM equivalent named in case_marks' docstring: one Subquery annotation a figure."""
    from django.db.models import Count, IntegerField, OuterRef, StringAgg, Subquery, Sum, TextField, Value
    from django.db.models.functions import Coalesce, Concat

    from touchpoint.cases.models import Case, Task, TimelineEntry
    from touchpoint.feedback.models import Feedback
    from touchpoint.inbox.models import InboundMessage
    from touchpoint.outbox.models import OutboxMessage
    from touchpoint.payments.models import Payment, Refund

    def figure(rows: Any, path: str, outer: str, how: Any) -> Any:
        one = rows.filter(**{path: OuterRef(outer)}).order_by().values(path).annotate(f=how).values("f")
        return Coalesce(Subquery(one, output_field=IntegerField()), 0)

    named = Concat(
        "actor_user__first_name", Value(" "), "actor_user__last_name", Value(" "), "actor_user__username",
        output_field=TextField(),
    )  # fmt: skip
    authors = (
        TimelineEntry.objects.filter(case_id=OuterRef("pk"), actor_user__isnull=False)
        .order_by()
        .values("case_id")
        .annotate(names=StringAgg(named, delimiter=Value("|"), output_field=TextField()))
        .values("names")
    )
    row = (
        Case.objects.filter(pk=case_id, customer_id=customer_id)
        .annotate(
            m_entries=figure(TimelineEntry.objects.all(), "case_id", "pk", Count("pk")),
            m_authors=Coalesce(Subquery(authors, output_field=TextField()), Value(""), output_field=TextField()),
            m_inbound=figure(InboundMessage.objects.all(), "case_id", "pk", Sum("changed")),
            m_outbound=figure(OutboxMessage.objects.all(), "case_id", "pk", Sum("changed")),
            m_cases=figure(Case.objects.all(), "customer_id", "customer_id", Sum("changed")),
            m_payments=figure(Payment.objects.all(), "case__customer_id", "customer_id", Sum("changed")),
            m_refunds=figure(Refund.objects.all(), "case__customer_id", "customer_id", Sum("changed")),
            m_tasks=figure(Task.objects.all(), "case__customer_id", "customer_id", Sum("changed")),
            m_feedback=figure(Feedback.objects.all(), "case__customer_id", "customer_id", Count("pk")),
            m_said=figure(InboundMessage.objects.all(), "customer_id", "customer_id", Sum("changed")),
        )
        .values_list(*NAMES)
        .get()
    )
    return row  # type: ignore[no-any-return]


def _sorted_names(marks: tuple[Any, ...]) -> tuple[Any, ...]:
    """The names in a set order: neither side orders its aggregate (SQLite orders none)."""
    return (marks[0], sorted(marks[1].split("|")) if marks[1] else [], *marks[2:])


def test_case_marks_reads_what_the_orm_does_and_moves_with_every_write() -> None:
    from tests.console.given import open_repair
    from tests.support.factories import CustomerFactory, StaffFactory
    from touchpoint.cases.models import Case
    from touchpoint.cases.services.notes import case_note_add
    from touchpoint.core.sql import case_marks
    from touchpoint.flows.payments import offline_payment_record
    from touchpoint.outbox.models import OutboxMessage
    from touchpoint.payments.models import OfflineMethod

    # Given a customer with two cases, a note by a colleague, a payment, and their messages
    ian = CustomerFactory(name="Ian Kearns", email="ian@example.com")
    case, other = open_repair(ian), open_repair(ian)
    lena = StaffFactory(teams=["intake"], first_name="Lena", last_name="Berg")
    case_note_add(case=Case.objects.get(pk=case.pk), author=lena, text="Rang him")
    marks = [case_marks(case_id=case.pk, customer_id=ian.pk)]
    assert _sorted_names(marks[0]) == _sorted_names(orm_case_marks(case_id=case.pk, customer_id=ian.pk))
    assert marks[0][1] == f"Lena Berg {lena.username}"
    # When each kind of row is written, the figures move, and still match the ORM's
    OutboxMessage.objects.filter(case=case).update(delivery="queued")
    marks.append(case_marks(case_id=case.pk, customer_id=ian.pk))
    paid_on = Case.objects.get(pk=other.pk)
    offline_payment_record(
        case=paid_on,
        seen_version=paid_on.version,
        staff=lena,
        amount=Decimal("39.00"),
        method=OfflineMethod.BANK_TRANSFER,
        reference="till 4",
    )
    marks.append(case_marks(case_id=case.pk, customer_id=ian.pk))
    assert marks[1][3] == marks[0][3] + 1  # the outgoing messages' counters
    assert marks[2][4] > marks[1][4] and marks[2][5] > marks[1][5]  # the customer's cases and payments
    assert _sorted_names(marks[2]) == _sorted_names(orm_case_marks(case_id=case.pk, customer_id=ian.pk))
    # And a case with nothing on it reads zeros
    lone = CustomerFactory()
    assert case_marks(case_id=0, customer_id=lone.pk) == (0, "", 0, 0, 0, 0, 0, 0, 0, 0)
