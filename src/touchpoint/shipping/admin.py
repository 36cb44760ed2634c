"""Parcels in the admin: find one by tracking number or case reference, see which legs are out."""

from django.contrib import admin

from touchpoint.shipping.models import Shipment


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin[Shipment]):
    list_display = ["case", "leg", "carrier", "tracking_number", "created_at", "delivered_at"]
    list_select_related = ["case"]
    search_fields = ["tracking_number", "case__reference"]
    list_filter = ["leg", "carrier", ("delivered_at", admin.EmptyFieldListFilter)]
    date_hierarchy = "created_at"
    raw_id_fields = ["case"]  # a select of every case would not scale
