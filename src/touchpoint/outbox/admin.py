from django.contrib import admin
from django.http import HttpRequest

from touchpoint.outbox.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin[OutboxMessage]):
    list_display = ["created_at", "case", "channel", "recipient", "subject", "status", "attempts", "tone"]
    list_filter = ["status", "channel", "tone"]
    search_fields = ["recipient", "subject", "case__reference"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # written only by the moves that send: every field is read-only, so an "Add" could only fail
