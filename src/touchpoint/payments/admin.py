from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from touchpoint.core.forms import MONEY_ADMIN_FIELDS
from touchpoint.payments.models import Payment, PaymentEvent, Refund


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin[Payment]):
    formfield_overrides = MONEY_ADMIN_FIELDS
    list_display = ["case", "provider", "purpose", "amount", "currency", "status", "method", "created_at", "paid_at"]
    list_filter = ["provider", "purpose", "status", "method"]
    search_fields = ["case__reference", "provider_ref", "reference"]
    readonly_fields = [
        "case", "provider", "purpose", "provider_ref", "payment_ref", "amount_refunded", "idempotency_key",
        "created_at", "updated_at", "paid_at",
    ]  # fmt: skip


@admin.register(PaymentEvent)
class PaymentEventAdmin(admin.ModelAdmin[PaymentEvent]):
    list_display = ["event_id", "provider", "type", "outcome", "received_at"]
    list_filter = ["provider", "type", "outcome"]
    search_fields = ["event_id"]


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin[Refund]):
    """Refunds are kept as they were promised: marking one paid back happens on the case's payment
    panel (audited on its timeline), so here they are read, never edited."""

    list_display = ["case", "amount", "currency", "status", "event", "provider", "attempts", "created_at", "done_at"]
    list_filter = ["status", "provider"]
    search_fields = ["case__reference", "provider_ref", "idempotency_key"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Refund | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Refund | None = None) -> bool:
        return False
