"""What the shop repairs: device models and the problems a customer can pick (or "not sure")."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

# The problem a customer picks when they can't tell: always offered, whatever the catalog holds.
NOT_SURE = "not_sure"


class DeviceKind(models.TextChoices):
    MUSIC_PLAYER = "music_player", "Music player"
    PHONE = "phone", "Phone"
    TABLET = "tablet", "Tablet"


class DeviceModel(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=DeviceKind.choices)
    diagnosis_price = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("29.00"))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Problem(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    label = models.CharField(max_length=120)
    typical_price = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True, help_text="Offered on the order form.")

    class Meta:
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label
