"""Staff and teams in the admin: who works here, with which role, in which teams.

A team's ``slug`` is what journeys name as an owner (``team:bench``), so the team list shows the
owner string and its members; a person's teams decide which journey steps they may take."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from touchpoint.staff.models import StaffUser, Team, TwoFactorReset


class MembershipInline(admin.TabularInline[Any, Team]):
    model = StaffUser.teams.through
    extra = 1
    verbose_name = "member"
    verbose_name_plural = "members"
    autocomplete_fields = ["staffuser"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ["slug", "name", "owner_as_written", "member_count"]
    search_fields = ["slug", "name", "description"]
    inlines = [MembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        return super().get_queryset(request).annotate(member_total=Count("members"))

    @admin.display(description="in journeys")
    def owner_as_written(self, team: Team) -> str:
        return team.owner

    @admin.display(description="members", ordering="member_total")
    def member_count(self, team: Any) -> int:
        return int(team.member_total)


@admin.register(StaffUser)
class StaffUserAdmin(UserAdmin[StaffUser]):
    list_display = ["username", "first_name", "last_name", "role", "team_list", "is_active", "last_login"]
    list_filter = ["role", "teams", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email", "teams__slug"]
    filter_horizontal = ["teams", "groups", "user_permissions"]
    fieldsets = [*(UserAdmin.fieldsets or []), ("Touchpoint", {"fields": ["role", "teams"]})]
    add_fieldsets = [
        *(UserAdmin.add_fieldsets or []),
        ("Touchpoint", {"classes": ["wide"], "fields": ["first_name", "last_name", "email", "role", "teams"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[StaffUser]:
        return super().get_queryset(request).prefetch_related("teams")

    @admin.display(description="teams")
    def team_list(self, user: StaffUser) -> str:
        return ", ".join(team.slug for team in user.teams.all()) or "—"


@admin.register(TwoFactorReset)
class TwoFactorResetAdmin(admin.ModelAdmin[TwoFactorReset]):
    """The audit of resets made from the console's people pages: read here, never written."""

    list_display = ["at", "member", "reset_by", "reason"]
    list_filter = ["reset_by"]
    search_fields = ["member__username", "reset_by__username", "reason"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: TwoFactorReset | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: TwoFactorReset | None = None) -> bool:
        return False
