"""Who looks after a case now: one person, or the owning team's queue as a whole."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from touchpoint.cases.actors import staff_actor
from touchpoint.cases.errors import CaseConflict, CaseError
from touchpoint.cases.models import Case, TimelineKind
from touchpoint.cases.services.notes import replayed_entry
from touchpoint.cases.services.timeline import timeline_append
from touchpoint.core.clock import now
from touchpoint.journeys.engine import ROLE_RANK
from touchpoint.staff.models import StaffUser

ASSIGN_EVENT = "assigned"  # kind=note: internal, never on the customer's page


class AssignRefused(CaseError):
    """The assignment isn't allowed (who asks, who would get it, or the case has ended); nothing changed."""


def is_lead(user: StaffUser) -> bool:
    return user.is_superuser or ROLE_RANK.get(user.role, 0) >= ROLE_RANK["lead"]


def owning_team(case: Case) -> str | None:
    return case.owner[5:] if case.owner.startswith("team:") else None


def may_assign(*, user: StaffUser, case: Case, team_slugs: frozenset[str]) -> bool:
    """A member of the owning team, or a lead, may (re)assign an open case."""
    if not case.is_open or not user.is_active:
        return False
    team = owning_team(case)
    return is_lead(user) or (team is not None and team in team_slugs)


def assignable_staff(*, case: Case) -> list[StaffUser]:
    """Who can be given the case: active members of the owning team, and leads (one query)."""
    leads = [role for role, rank in ROLE_RANK.items() if rank >= ROLE_RANK["lead"]]
    team = owning_team(case)
    query = StaffUser.objects.filter(is_active=True)
    if team is not None:
        query = query.filter(pk__in=StaffUser.objects.filter(teams__slug=team).values("pk")) | query.filter(
            role__in=leads
        )
    else:
        query = query.filter(role__in=leads)
    return list(query.distinct().order_by("first_name", "last_name", "username"))


def case_assign(
    *, case: Case, assignee: StaffUser | None, actor: StaffUser, idempotency_key: str | None = None
) -> Case:
    """Give ``case`` (as the caller read it) to ``assignee``, or back to the owning team's queue with ``None``.

    Opens its own transaction. Raises :class:`AssignRefused` when ``actor`` may not assign this case
    or ``assignee`` may not take it, and :class:`CaseConflict` when the case changed since it was
    read; nothing is written then. Returns the case as it is now."""
    if replayed_entry(case=case, key=idempotency_key, event=ASSIGN_EVENT) is not None:
        return Case.objects.select_related("assignee").get(pk=case.pk)  # a double click: done already
    teams = frozenset(actor.teams.values_list("slug", flat=True))
    if not may_assign(user=actor, case=case, team_slugs=teams):
        if not case.is_open:
            raise AssignRefused(f"{case.reference} has ended; there is no one to assign it to")
        raise AssignRefused(f"only a member of {case.owner} or a lead can reassign {case.reference}; ask one of them")
    if assignee is not None and assignee.pk not in {s.pk for s in assignable_staff(case=case)}:
        raise AssignRefused(
            f"{assignee} can't take {case.reference}: choose an active member of {case.owner} or a lead"
        )
    current = Case.objects.filter(pk=case.pk).values_list("version", flat=True).first() or case.version
    if current != case.version:  # judge "already assigned" on what the caller saw only if it is still so
        raise CaseConflict(case.reference, case.version, current)
    if assignee is not None and case.assignee_id == assignee.pk:
        raise AssignRefused(f"{case.reference} is already assigned to {assignee}")
    if assignee is None and case.assignee_id is None:
        raise AssignRefused(f"{case.reference} is already in the {case.owner} queue, with no one assigned")
    at = now()
    summary = f"Assigned to {assignee} by {actor}" if assignee else f"Back to the {case.owner} queue, by {actor}"
    try:
        with transaction.atomic():
            updated = Case.objects.filter(pk=case.pk, version=case.version).update(
                assignee=assignee, version=F("version") + 1, updated_at=at
            )
            if updated != 1:
                current = Case.objects.filter(pk=case.pk).values_list("version", flat=True).first() or case.version
                raise CaseConflict(case.reference, case.version, current)
            timeline_append(
                case=case,
                kind=TimelineKind.NOTE,
                actor=staff_actor(actor),
                at=at,
                event=ASSIGN_EVENT,
                summary=summary,
                detail={"assignee": assignee.pk if assignee else None, "internal": True},
                idempotency_key=idempotency_key,
            )
    except (CaseConflict, IntegrityError):
        if replayed_entry(case=case, key=idempotency_key, event=ASSIGN_EVENT) is not None:
            return Case.objects.select_related("assignee").get(pk=case.pk)
        raise
    return Case.objects.select_related("assignee").get(pk=case.pk)
