"""Public forms' rate limits: counted per key and window in the database, shared by every process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from touchpoint.core.clock import at
from touchpoint.core.models import RateWindow
from touchpoint.core.ratelimit import Limit, ratelimit_hit, ratelimit_prune

pytestmark = pytest.mark.django_db
START = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)


def test_the_limit_allows_count_requests_per_window_then_refuses() -> None:
    limit = Limit(count=3, seconds=60)
    with at(START):
        answers = [ratelimit_hit(scope="form", key="10.0.0.1", limit=limit) for _ in range(5)]
    assert answers == [True, True, True, False, False]


def test_keys_and_scopes_are_counted_apart() -> None:
    limit = Limit(count=1, seconds=60)
    with at(START):
        assert ratelimit_hit(scope="form", key="a", limit=limit)
        assert ratelimit_hit(scope="form", key="b", limit=limit)
        assert ratelimit_hit(scope="other", key="a", limit=limit)
        assert not ratelimit_hit(scope="form", key="a", limit=limit)


def test_a_new_window_starts_afresh_and_old_windows_are_pruned() -> None:
    limit = Limit(count=1, seconds=60)
    with at(START):
        assert ratelimit_hit(scope="form", key="a", limit=limit)
        assert not ratelimit_hit(scope="form", key="a", limit=limit)
    with at(START + timedelta(seconds=61)):
        assert ratelimit_hit(scope="form", key="a", limit=limit)
    with at(START + timedelta(minutes=5)):
        assert ratelimit_prune() == 2
    assert RateWindow.objects.count() == 0


def test_no_address_is_stored_in_clear() -> None:
    with at(START):
        ratelimit_hit(scope="form", key="203.0.113.9", limit=Limit(count=5, seconds=60))
    assert "203.0.113.9" not in RateWindow.objects.get().key


def test_the_worker_prunes_ended_windows_on_its_first_pass_and_not_on_every_pass() -> None:
    from touchpoint.worker.loop import Worker

    with at(START):
        ratelimit_hit(scope="form", key="a", limit=Limit(count=5, seconds=60))
    worker = Worker(worker_id="test-worker")
    with at(START + timedelta(minutes=5)):
        worker.run_once()
        assert RateWindow.objects.count() == 0
        ratelimit_hit(scope="form", key="b", limit=Limit(count=5, seconds=60))
    with at(START + timedelta(minutes=10)):
        worker.run_once()  # within HOUSEKEEPING_EVERY of the last tidy-up: left alone
    assert RateWindow.objects.count() == 1
