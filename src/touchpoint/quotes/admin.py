from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from touchpoint.quotes.models import Quote, QuoteLine


class QuoteLineInline(admin.TabularInline[QuoteLine, Quote]):
    model = QuoteLine
    extra = 0
    can_delete = False
    readonly_fields = ["position", "description", "explanation", "price"]

    def has_add_permission(self, request: HttpRequest, obj: Quote | None = None) -> bool:
        return False


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin[Quote]):
    # Quotes are written and decided through the console and the portal, with their journey moves.
    list_display = ["pk", "case", "status", "total", "created_by", "created_at", "decided_at", "decided_by_customer"]
    list_filter = ["status", "decided_by_customer"]
    search_fields = ["case__reference"]
    inlines = [QuoteLineInline]
    readonly_fields = [
        "case",
        "status",
        "finding",
        "total",
        "created_at",
        "created_by",
        "decided_at",
        "decided_by_customer",
        "decided_by",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Quote | None = None) -> bool:
        return False
