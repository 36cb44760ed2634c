"""Work claimed under a lease, as the worker claims timers, messages, refunds and demo webhooks.

A row is due when its due time has come and nobody holds a live lease on it; claiming writes the
worker's name and the lease's end. On PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets many workers claim
side by side without waiting on each other's rows; on SQLite the IMMEDIATE transaction makes one
claim at a time. A row whose lease has run out (its worker died) is due again; a worker that is
alive gives back what it holds and won't work (:func:`leases_release`), so nothing waits that long."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Model, Q, QuerySet

from touchpoint.core.clock import now


def lease_due(rows: QuerySet[Any], *, due_field: str, worker_id: str, batch: int, lease_seconds: float) -> list[Any]:
    """Lease up to ``batch`` of ``rows`` (the caller's waiting ones, e.g. ``status="pending"``) whose
    ``due_field`` has come, oldest due first, to ``worker_id``; return their ids.

    The model needs ``lease_owner`` and ``lease_until`` fields. Opens its own transaction."""
    with transaction.atomic():
        at = now()
        due = (
            rows.filter(**{f"{due_field}__lte": at})
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=at))
            .order_by(due_field, "pk")
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:batch])
        if ids:
            rows.model.objects.filter(pk__in=ids).update(
                lease_owner=worker_id, lease_until=at + timedelta(seconds=lease_seconds)
            )
        return ids


@cache
def _leased_models() -> tuple[type[Model], ...]:
    """Every model whose rows are claimed under a lease (those with the two lease fields)."""
    fields = {"lease_owner", "lease_until"}
    return tuple(m for m in apps.get_models() if fields <= {f.name for f in m._meta.get_fields()})


def leases_release(*, worker_id: str) -> int:
    """Give back every lease ``worker_id`` holds, of every leased model; how many rows.

    For a worker that won't finish what it claimed (its pass was cut by a lost database
    connection, or it is stopping): the rows are due again at once, to it or to any other worker,
    instead of after the lease. Whatever it did finish cleared its own lease already; what it did
    but could not record (a message accepted by the mail server) it records *before* calling this.
    Autocommit, one UPDATE per model."""
    released = 0
    for model in _leased_models():
        released += model._default_manager.filter(lease_owner=worker_id).update(lease_owner="", lease_until=None)
    return released
