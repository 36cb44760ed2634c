"""Parcels in the admin: find one by tracking number or case reference, see which legs are out and
what their carriers said (read-only: a carrier's events come only through its signed webhook)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from touchpoint.shipping.models import Shipment, TrackingEvent

EVENT_FIELDS = ("occurred_at", "status", "description", "location", "provider", "status_code", "received_at")


class TrackingEventInline(admin.TabularInline[TrackingEvent, Shipment]):
    model = TrackingEvent
    fields = EVENT_FIELDS
    readonly_fields = EVENT_FIELDS
    extra = 0
    can_delete = False
    ordering = ["-occurred_at", "-id"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin[Shipment]):
    list_display = ["case", "leg", "carrier", "tracking_number", "status", "created_at", "delivered_at"]
    list_select_related = ["case"]
    search_fields = ["tracking_number", "case__reference"]
    list_filter = ["leg", "carrier", "provider", "status", ("delivered_at", admin.EmptyFieldListFilter)]
    date_hierarchy = "created_at"
    raw_id_fields = ["case"]  # a select of every case would not scale
    readonly_fields = ["status", "status_at"]  # the furthest the carrier has reported: its events move it
    inlines = [TrackingEventInline]
