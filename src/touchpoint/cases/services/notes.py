"""Internal notes on a case: written by staff, for staff. The customer never sees them."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F

from touchpoint.cases.actors import staff_actor
from touchpoint.cases.errors import CaseConflict, CaseError, IdempotencyKeyReused
from touchpoint.cases.models import Case, TimelineEntry, TimelineKind
from touchpoint.cases.services.timeline import timeline_append
from touchpoint.core.clock import now
from touchpoint.staff.models import StaffUser

NOTE_EVENT = "staff_note"  # kind=note + this event: internal, never on the customer's page
NOTE_MAX = 4000


class NoteInvalid(CaseError):
    """The note is empty or too long; nothing was written."""


def case_version_bump(*, case: Case, at: datetime) -> None:
    """Claim ``case`` as the caller read it: bump its version, or raise :class:`CaseConflict` when
    someone changed it since. Call inside a transaction; the updated row stays locked until it ends,
    so the timeline's next sequence number is the caller's."""
    if Case.objects.filter(pk=case.pk, version=case.version).update(version=F("version") + 1, updated_at=at) != 1:
        current = Case.objects.filter(pk=case.pk).values_list("version", flat=True).first() or case.version
        raise CaseConflict(case.reference, case.version, current)


def replayed_entry(*, case: Case, key: str | None, event: str) -> TimelineEntry | None:
    """The entry an earlier call with the same idempotency key wrote (a double click), if any."""
    if key is None:
        return None
    entry = TimelineEntry.objects.filter(idempotency_key=key).first()
    if entry is not None and (entry.case_id != case.pk or entry.event != event):
        raise IdempotencyKeyReused(key)
    return entry


def case_note_add(*, case: Case, author: StaffUser, text: str, idempotency_key: str | None = None) -> TimelineEntry:
    """Add an internal note to ``case`` as the caller read it (its ``version`` is the one they saw).

    Opens its own transaction. Raises :class:`NoteInvalid` for an empty or over-long note and
    :class:`CaseConflict` when the case changed since it was read; nothing is written then. The same
    ``idempotency_key`` again returns the first note."""
    body = text.strip()
    if not body:
        raise NoteInvalid("write the note first: it is empty")
    if len(body) > NOTE_MAX:
        raise NoteInvalid(f"a note can be at most {NOTE_MAX} characters; this one has {len(body)}")
    if (replay := replayed_entry(case=case, key=idempotency_key, event=NOTE_EVENT)) is not None:
        return replay
    at = now()
    try:
        with transaction.atomic():
            case_version_bump(case=case, at=at)
            return timeline_append(
                case=case,
                kind=TimelineKind.NOTE,
                actor=staff_actor(author),
                at=at,
                event=NOTE_EVENT,
                summary=f"Internal note by {author}: {body.splitlines()[0][:200]}",
                detail={"text": body, "internal": True},
                idempotency_key=idempotency_key,
            )
    except (CaseConflict, IntegrityError):
        # A double click that lost the race to its twin: the twin's note is this one.
        if (replay := replayed_entry(case=case, key=idempotency_key, event=NOTE_EVENT)) is not None:
            return replay
        raise
