from __future__ import annotations

from django.contrib import admin

from touchpoint.core.forms import MONEY_ADMIN_FIELDS
from touchpoint.demopay.models import DemoEvent, DemoRefund, DemoSession


@admin.register(DemoSession)
class DemoSessionAdmin(admin.ModelAdmin[DemoSession]):
    formfield_overrides = MONEY_ADMIN_FIELDS
    list_display = ["id", "reference", "amount", "currency", "status", "paid", "card_last4", "created_at"]
    list_filter = ["status", "paid"]
    search_fields = ["id", "reference", "payment_intent"]


@admin.register(DemoEvent)
class DemoEventAdmin(admin.ModelAdmin[DemoEvent]):
    list_display = ["id", "type", "status", "attempts", "next_attempt_at", "delivered_at"]
    list_filter = ["status", "type"]
    search_fields = ["id", "session__id", "session__reference"]
    readonly_fields = ["payload", "last_error"]


@admin.register(DemoRefund)
class DemoRefundAdmin(admin.ModelAdmin[DemoRefund]):
    list_display = ["id", "session", "amount", "currency", "created_at"]
    search_fields = ["id", "reference", "session__id"]
