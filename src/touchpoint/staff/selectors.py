"""Reads about staff that every console page makes."""

from __future__ import annotations

from touchpoint.staff.models import StaffUser, Team


def team_slugs(user_id: int) -> list[str]:
    """The slugs of the teams ``user_id`` belongs to, in order."""
    return list(Team.objects.filter(members__pk=user_id).order_by("slug").values_list("slug", flat=True))


def teams_of(user: StaffUser) -> frozenset[str]:
    """``user``'s team slugs, read once per user object: the case view and its panels all ask, and a
    request's user lives only as long as the request (don't use it on a long-lived object)."""
    cached: frozenset[str] | None = user.__dict__.get("_touchpoint_team_slugs")
    if cached is None:
        cached = user.__dict__["_touchpoint_team_slugs"] = frozenset(team_slugs(user.pk))
    return cached


def teams() -> list[tuple[str, str]]:
    """Every team as (slug, name)."""
    return list(Team.objects.order_by("slug").values_list("slug", "name"))


def active_usernames() -> list[str]:
    return list(StaffUser.objects.filter(is_active=True).order_by("username").values_list("username", flat=True))


OWNER_WORDS = {"customer": "the customer", "carrier": "the carrier", "system": "Touchpoint"}


def owner_words(owner: str, names: dict[str, str]) -> str:
    """Who owns a state, as people say it: a team by its name ("Customer care", from ``names``, slug →
    name as :func:`teams` gives), else "the customer", "the carrier" or "Touchpoint"."""
    if owner.startswith("team:"):
        slug = owner[5:]
        return names.get(slug) or f"the {slug} team"
    return OWNER_WORDS.get(owner, owner)


def team_names() -> dict[str, str]:
    """Every team's name by slug (one query)."""
    return dict(teams())
