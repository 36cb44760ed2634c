"""Parcels a case sends or receives. A tracking number finds its case at the scan station and in search."""

from __future__ import annotations

from django.db import models


class Leg(models.TextChoices):
    BOX = "box", "Repair kit to the customer"
    INBOUND = "inbound", "Device to the shop"
    RETURN = "return", "Device home"


class Shipment(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="shipments")
    leg = models.CharField(max_length=10, choices=Leg.choices)
    carrier = models.CharField(max_length=60, blank=True)
    tracking_number = models.CharField(max_length=60, blank=True, db_index=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["case", "leg"], name="shipment_case_leg")]

    def __str__(self) -> str:
        return f"{self.get_leg_display()} {self.tracking_number or '(no tracking yet)'}"
