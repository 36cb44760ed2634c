"""The one place that reads the time, so services agree on "now".

``at(moment)`` makes everything inside it happen at ``moment``: the demo uses it to lay down a
believable history (cases opened days ago, their timers due in the future), instead of every
service taking a ``now`` argument."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.utils import timezone

_override: ContextVar[datetime | None] = ContextVar("touchpoint_clock", default=None)


def now() -> datetime:
    return _override.get() or timezone.now()


@contextmanager
def at(moment: datetime) -> Iterator[None]:
    token = _override.set(moment)
    try:
        yield
    finally:
        _override.reset(token)
