"""Each statement of :mod:`touchpoint.core.sql` writes and reads what its ORM equivalent does
(run on SQLite and on PostgreSQL by ``make test``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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
