"""Work claimed under a lease, as the worker claims timers, messages, refunds and demo webhooks.

A row is due when its due time has come and nobody holds a live lease on it; claiming writes the
worker's name and the lease's end. On PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets many workers claim
side by side without waiting on each other's rows; on SQLite the IMMEDIATE transaction makes one
claim at a time. A row whose lease has run out (its worker died) is due again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet

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
