"""Read-mostly admin: cases move only through services, so state fields are read-only here."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from touchpoint.cases.models import Case, JourneyVersion, Task, TimelineEntry, Timer


class TimelineInline(admin.TabularInline[TimelineEntry, Case]):
    model = TimelineEntry
    fields = ("seq", "at", "kind", "event", "from_state", "to_state", "actor_kind", "summary")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin[Case]):
    list_display = ["reference", "journey", "state", "owner", "outcome", "customer", "state_entered_at"]
    list_filter = ["journey", "state", "outcome"]
    search_fields = ["reference", "customer__email", "customer__name"]
    readonly_fields = [
        "reference",
        "journey",
        "customer",
        "state",
        "owner",
        "outcome",
        "data",
        "version",
        "state_seq",
        "opened_at",
        "state_entered_at",
        "closed_at",
        "updated_at",
    ]
    inlines = [TimelineInline]
    list_select_related = ["journey", "customer"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(JourneyVersion)
class JourneyVersionAdmin(admin.ModelAdmin[JourneyVersion]):
    list_display = ["name", "version", "registered_at", "sha256"]
    readonly_fields = ["name", "version", "source", "sha256", "registered_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin[Task]):
    list_display = ["title", "kind", "owner", "status", "priority", "due_at"]
    list_filter = ["kind", "status", "owner"]
    search_fields = ["title", "case__reference"]
    raw_id_fields = ["case"]


@admin.register(Timer)
class TimerAdmin(admin.ModelAdmin[Timer]):
    list_display = ["case", "purpose", "event", "state", "due_at", "status", "attempts"]
    list_filter = ["purpose", "status"]
    readonly_fields = [f.name for f in Timer._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # written only by the journey's moves: every field here is read-only, so an "Add" could only fail
