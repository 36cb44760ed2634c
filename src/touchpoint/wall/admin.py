from django.contrib import admin

from touchpoint.wall.models import WallItem


@admin.register(WallItem)
class WallItemAdmin(admin.ModelAdmin[WallItem]):
    """Read-only here: moderation goes through the console, where the rules (hide only for personal
    data or abuse, with a note) are enforced."""

    list_display = ["feedback", "kind", "status", "hidden_reason", "moderated_by", "created_at"]
    list_filter = ["kind", "status", "hidden_reason"]
    readonly_fields = [field.name for field in WallItem._meta.get_fields() if getattr(field, "concrete", False)]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
