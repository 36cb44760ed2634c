from __future__ import annotations

from datetime import datetime
from typing import Any

from touchpoint.cases.actors import CaseActor
from touchpoint.cases.models import Case, TimelineEntry, TimelineKind


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
    seq: int | None = None,
) -> TimelineEntry:
    """Append one entry. The caller holds the case's row (it has just updated it) inside a transaction,
    so the next sequence number can't be taken by anyone else. ``seq``: the entry's number when the
    caller knows it without asking (1 for the first entry of a case its transaction created)."""
    if seq is None:
        # The newest entry's seq, read backwards along the (case, seq) unique index: one row, however long.
        last = TimelineEntry.objects.filter(case_id=case.pk).order_by("-seq").values_list("seq", flat=True).first()
        seq = (last or 0) + 1
    entry = timeline_entry(
        case=case,
        seq=seq,
        at=at,
        kind=kind,
        event=event,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        summary=summary,
        detail=detail,
        idempotency_key=idempotency_key,
    )
    entry.save(force_insert=True)
    return entry


def timeline_entry(
    *, case: Case, seq: int, actor: CaseActor, summary: str, detail: dict[str, Any] | None = None, **fields: Any
) -> TimelineEntry:
    """One entry, unsaved, numbered ``seq`` (``fields``: the rest of :func:`timeline_append`'s): for a
    caller that writes several cases' entries in one INSERT (``TimelineEntry.objects.bulk_create``),
    holding each case's row as :func:`timeline_append` asks."""
    return TimelineEntry(
        case=case,
        seq=seq,
        actor_kind=actor.kind,
        actor_user=actor.person,
        summary=summary[:500],
        detail=detail or {},
        **fields,
    )
