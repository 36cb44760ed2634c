"""Staff and teams as leads manage them in the console: roles, teams, deactivating (never deleting:
cases and their timelines name the people who worked them), and teams added or renamed. Each change
is audited (``SettingChange``, under the shop's area with a ``staff:`` or ``team:`` subject).

Guard rails: only an admin gives or takes the admin role (a lead can't make an admin, nor change
one); nobody demotes or deactivates the last active admin; nobody deactivates themself."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import Q

from touchpoint.core.clock import now
from touchpoint.shop.models import Area, SettingChange
from touchpoint.staff.models import Role, StaffInvite, StaffUser, Team


class PeopleRefused(Exception):
    """Why a change to staff or teams can't be made, worded for the lead with what to do."""


def is_admin(user: StaffUser) -> bool:
    return user.is_superuser or user.role == Role.ADMIN


def role_grant_check(*, by: StaffUser, role: str) -> None:
    """Refuse a lead giving the admin role (or a role that isn't one)."""
    if role not in Role.values:
        raise PeopleRefused(f"“{role}” isn't a role: choose agent, lead or admin.")
    if role == Role.ADMIN and not is_admin(by):
        raise PeopleRefused("Only an admin can make someone an admin: ask one of the shop's admins.")


def _audit(*, by: StaffUser, subject: str, changed: Sequence[tuple[str, str, str]]) -> list[SettingChange]:
    at = now()
    return SettingChange.objects.bulk_create(
        SettingChange(
            at=at, by=by, by_name=by.get_username(), area=Area.PEOPLE, subject=subject, field=f, before=b, after=a
        )
        for f, b, a in changed
    )


def _teams_text(slugs: Sequence[str]) -> str:
    return ", ".join(sorted(slugs)) or "none"


def staff_change(
    *, by: StaffUser, member: StaffUser, role: str, teams: Sequence[Team], active: bool
) -> list[SettingChange]:
    """Set ``member``'s role, teams and whether they may sign in; one audit row per thing that
    changed. Raises PeopleRefused (nothing written) past a guard rail. Opens its own transaction and
    locks the active admins, so two leads can't each demote one of the last two."""
    if role not in Role.values:
        raise PeopleRefused(f"“{role}” isn't a role: choose agent, lead or admin.")
    with transaction.atomic():
        admins = list(
            StaffUser.objects.select_for_update()
            .filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True)
            .values_list("pk", flat=True)
        )
        member = StaffUser.objects.select_for_update().get(pk=member.pk)
        was_admin = member.is_active and is_admin(member)
        if role != member.role:
            role_grant_check(by=by, role=role)
        if (
            (member.role == Role.ADMIN or member.is_superuser)
            and not is_admin(by)
            and (role != member.role or not active)
        ):
            raise PeopleRefused(f"Only an admin can change {member}'s role or sign-in: {member} is an admin.")
        if member.pk == by.pk and not active:
            raise PeopleRefused("You can't deactivate yourself: ask another lead or an admin.")
        stays_admin = active and (role == Role.ADMIN or member.is_superuser)
        if was_admin and not stays_admin and set(admins) == {member.pk}:
            raise PeopleRefused(
                f"{member} is the shop's last admin: make someone else an admin first, so someone can always "
                "manage the shop."
            )
        joined = member.has_usable_password()
        changed: list[tuple[str, str, str]] = []
        if member.role != role:
            changed.append(("role", Role(member.role).label, Role(role).label))
            member.role = role
        if member.is_active != active:
            if active and not joined:
                raise PeopleRefused(f"{member} hasn't set a password yet: send the invitation again instead.")
            changed.append(("active", "yes" if member.is_active else "no", "yes" if active else "no"))
            member.is_active = active
            if not active:  # an unused invitation must never make them active again
                StaffInvite.objects.filter(member=member, used_at__isnull=True).update(expires_at=now())
        member.save(update_fields=["role", "is_active"])
        before = sorted(member.teams.values_list("slug", flat=True))
        after = sorted(t.slug for t in teams)
        if before != after:
            member.teams.set(teams)
            changed.append(("teams", _teams_text(before), _teams_text(after)))
        return _audit(
            by=by, subject=f"staff:{member.get_username()}", changed=[(f"staff {f}", b, a) for f, b, a in changed]
        )


def team_add(*, by: StaffUser, slug: str, name: str, description: str) -> Team:
    """A new team; its ``slug`` is fixed from now on (journeys name it: ``team:<slug>``)."""
    try:
        with transaction.atomic():
            team = Team.objects.create(slug=slug, name=name, description=description)
            _audit(by=by, subject=f"team:{slug}", changed=[("team added", "", name)])
            return team
    except IntegrityError:
        raise PeopleRefused(f"There is already a team with the slug {slug}: rename that one instead.") from None


def team_rename(*, by: StaffUser, team: Team, name: str, description: str) -> list[SettingChange]:
    """Change a team's name and description (never its slug: journeys and cases name it)."""
    with transaction.atomic():
        team = Team.objects.select_for_update().get(pk=team.pk)
        changed = [
            (f"team {field}", str(getattr(team, field)), value)
            for field, value in (("name", name), ("description", description))
            if getattr(team, field) != value
        ]
        if not changed:
            return []
        team.name, team.description = name, description
        team.save(update_fields=["name", "description"])
        return _audit(by=by, subject=f"team:{team.slug}", changed=changed)
