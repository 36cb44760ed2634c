from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from touchpoint.inbox.models import InboundAttachment, InboundMessage


class InboundAttachmentInline(admin.TabularInline[InboundAttachment, InboundMessage]):
    model = InboundAttachment
    fields = ["filename", "content_type", "size", "file", "inline"]
    readonly_fields = ["filename", "content_type", "size", "file", "inline"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin[InboundMessage]):
    """Read-only: mail that reached us is a record, not something to edit."""

    list_display = [
        "received_at",
        "from_email",
        "subject",
        "kind",
        "matched_by",
        "proof",
        "case",
        "sentiment",
        "source",
    ]
    list_filter = ["kind", "matched_by", "proof", "source"]
    search_fields = ["from_email", "subject", "message_id", "case__reference"]
    exclude = ["raw"]
    readonly_fields = [f.name for f in InboundMessage._meta.fields if f.name != "raw"]
    inlines = [InboundAttachmentInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[InboundMessage]:
        return super().get_queryset(request).defer("raw").select_related("case")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: InboundMessage | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: InboundMessage | None = None) -> bool:
        return False
