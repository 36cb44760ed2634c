"""The shop as its owner sets it up in the console: identity, money, look; and the audit of every change.

One ``ShopSettings`` row, made from the environment's values on first read (so an existing install
says what it said before). ``SettingChange`` rows are the audit: one per field changed, never edited."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from touchpoint.shop.hours_models import TeamHours as TeamHours  # a model of this app, kept in its own module

SINGLETON = 1


def new_stamp() -> str:
    return uuid.uuid4().hex


class ShopSettings(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON)
    name = models.CharField(max_length=120)
    address = models.TextField(blank=True, help_text="The postal address, one line per line.")
    sender_name = models.CharField(max_length=120, blank=True)
    sender_email = models.EmailField(max_length=254)
    bank_details = models.TextField(blank=True)
    currency = models.CharField(max_length=3, help_text="Lower-case ISO 4217, as Stripe writes it.")
    logo = models.FileField(upload_to="shop/", blank=True)
    brand_colour = models.CharField(max_length=7)
    # A new value on every save: another process's cached copy knows it is stale by it (selectors.py).
    stamp = models.CharField(max_length=32, default=new_stamp)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "shop settings"
        verbose_name_plural = "shop settings"

    def __str__(self) -> str:
        return self.name

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]


class Area(models.TextChoices):
    SHOP = "shop", "Shop"
    DEVICE_MODEL = "device_model", "Device model"
    PROBLEM = "problem", "Problem"
    HOURS = "hours", "Opening hours"
    PERSONA = "persona", "Persona"
    PEOPLE = "people", "Staff and teams"
    SERVICE_LEVEL = "service_level", "Service levels"


class SettingChange(models.Model):
    """One field changed by one person: who, when, what it was and what it became."""

    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField(max_length=150)  # kept when the person's account goes
    area = models.CharField(max_length=20, choices=Area.choices)
    subject = models.CharField(max_length=120)  # "shop", or the model's or problem's slug
    field = models.CharField(max_length=40)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["area", "-at"], name="settingchange_area_at")]

    def __str__(self) -> str:
        return f"{self.by_name} changed {self.area} {self.subject}.{self.field}"
