from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection

from touchpoint.cases.actors import CaseActor
from touchpoint.cases.models import Case, TimelineEntry, TimelineKind
from touchpoint.core import rows

_LAST_SEQ = f"SELECT MAX(seq) FROM {TimelineEntry._meta.db_table} WHERE case_id = %s"  # noqa: S608 - names from the model


def timeline_append(
    *,
    case: Case,
    kind: TimelineKind,
    actor: CaseActor,
    summary: str,
    at: datetime,
    event: str = "",
    from_state: str = "",
    to_state: str = "",
    detail: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
) -> TimelineEntry:
    """Append one entry. The caller holds the case's row (it has just updated it) inside a transaction,
    so the next sequence number can't be taken by anyone else."""
    with connection.cursor() as cursor:  # the hot path: one plain statement, not a compiled aggregate
        cursor.execute(_LAST_SEQ, [case.pk])
        last = cursor.fetchone()[0] or 0
    entry = TimelineEntry(
        case=case,
        seq=last + 1,
        at=at,
        kind=kind,
        event=event,
        from_state=from_state,
        to_state=to_state,
        actor_kind=actor.kind,
        actor_user=actor.person,
        summary=summary[:500],
        detail=detail or {},
        idempotency_key=idempotency_key,
    )
    return rows.insert(entry)
