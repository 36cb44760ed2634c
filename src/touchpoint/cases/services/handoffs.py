from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import F

from touchpoint.cases.actors import CaseActor
from touchpoint.cases.errors import CaseConflict, TransitionRefused
from touchpoint.cases.models import Case, Task, TaskKind, TaskStatus, TimelineKind, Timer, TimerStatus
from touchpoint.cases.services.timeline import timeline_append
from touchpoint.core.clock import now
from touchpoint.journeys.engine import ROLE_RANK


def handoff_task(case: Case) -> Task | None:
    """The open acceptance task for the case's current state, if its owner hasn't accepted yet."""
    return Task.objects.filter(
        case=case, kind=TaskKind.HANDOFF, status=TaskStatus.OPEN, source_key=f"{case.pk}:{case.state_seq}:handoff"
    ).first()


def case_accept_handoff(*, case: Case, actor: CaseActor) -> Case:
    """The new owner acknowledges the handoff: the acceptance deadline is cancelled and the timeline says who.

    Refused (nothing written) when there is nothing to accept or the actor isn't the new owner."""
    owner = case.owner
    if actor.kind == "carrier":
        allowed = owner == "carrier"
    elif actor.user is not None:
        in_team = owner.startswith("team:") and actor.user.teams.filter(slug=owner[5:]).exists()
        allowed = in_team or ROLE_RANK.get(actor.user.role, 0) >= ROLE_RANK["lead"]
    else:
        allowed = False
    if not allowed:
        raise TransitionRefused("actor-not-allowed", f"{case.reference} is handed to {owner}; only they can accept it")
    at = now()
    with transaction.atomic():
        pending = Timer.objects.filter(
            case=case, purpose="accept", status=TimerStatus.PENDING, state_seq=case.state_seq
        )
        task = handoff_task(case)
        if task is None and not pending.exists():
            raise TransitionRefused("nothing-to-accept", f"{case.reference} has no handoff waiting to be accepted")
        if Case.objects.filter(pk=case.pk, version=case.version).update(version=F("version") + 1, updated_at=at) != 1:
            current = Case.objects.filter(pk=case.pk).values_list("version", flat=True).first() or case.version
            raise CaseConflict(case.reference, case.version, current)
        pending.update(status=TimerStatus.CANCELLED, finished_at=at, lease_owner="", lease_until=None)
        if task is not None:
            Task.objects.filter(pk=task.pk).update(status=TaskStatus.DONE, closed_at=at, closed_by=actor.user)
        case.refresh_from_db()
        timeline_append(
            case=case,
            kind=TimelineKind.TASK,
            actor=actor,
            at=at,
            event="handoff_accepted",
            summary=f"Handoff to {owner} accepted by {actor.describe()}",
        )
    return case


def fallback_owner() -> str:
    """Who gets tasks that no journey state names a team for (e.g. a carrier that never scanned)."""
    return f"team:{getattr(settings, 'TOUCHPOINT_FALLBACK_TEAM', 'care')}"
