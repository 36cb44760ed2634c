from __future__ import annotations

from django.contrib import admin

from touchpoint.payments.models import Payment, PaymentEvent


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin[Payment]):
    list_display = ["case", "provider", "amount", "currency", "status", "method", "created_at", "paid_at"]
    list_filter = ["provider", "status", "method"]
    search_fields = ["case__reference", "provider_ref", "reference"]
    readonly_fields = ["case", "provider", "provider_ref", "idempotency_key", "created_at", "updated_at", "paid_at"]


@admin.register(PaymentEvent)
class PaymentEventAdmin(admin.ModelAdmin[PaymentEvent]):
    list_display = ["event_id", "provider", "type", "outcome", "received_at"]
    list_filter = ["provider", "type", "outcome"]
    search_fields = ["event_id"]
