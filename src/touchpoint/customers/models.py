"""Customers: who a case is for, and what we know that changes how we talk to them."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower, StrIndex, Substr


class Tier(models.TextChoices):
    STANDARD = "standard", "Standard"
    GOLD = "gold", "Gold"
    PLATINUM = "platinum", "Platinum"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


class Customer(models.Model):
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254, unique=True)
    # E.164 ("+447700900123"), normalised with phonenumbers from what the customer typed and their country
    phone = models.CharField(max_length=40, blank=True)
    texts_only = models.BooleanField(
        default=False,
        help_text="The customer asked for texts only: a text that can't be delivered is a person's task, not an email.",
    )
    # STOP by text sets it (START clears it); an opted-out number is never texted
    sms_opted_out_at = models.DateTimeField(null=True, blank=True)
    tier = models.CharField(max_length=10, choices=Tier.choices, default=Tier.STANDARD)
    preferred_channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    plain_messages = models.BooleanField(default=False, help_text="The customer asked for plain, sober messages.")
    email_failing = models.BooleanField(default=False, help_text="Mail to this address bounced.")
    # Where the device goes home to, asked once at intake; the town also signs published feedback.
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True, default="GB", help_text="ISO 3166 code, e.g. GB")
    created_at = models.DateTimeField(auto_now_add=True)
    # What the console's search matches a prefix of, through an index, however many customers there
    # are (a "contains" match reads every row). Worked out by the database, so no write path (the
    # admin, a bulk insert) can leave them behind. Lowercased as the database does it (ASCII on SQLite).
    email_key = models.GeneratedField(
        expression=Lower("email"), output_field=models.CharField(max_length=254), db_persist=True
    )
    # The address after its "@", so a search for "example.com" finds everyone writing from there
    email_domain_key = models.GeneratedField(
        expression=Lower(Substr("email", StrIndex("email", models.Value("@")) + 1)),
        output_field=models.CharField(max_length=254),
        db_persist=True,
    )
    name_key = models.GeneratedField(
        expression=Lower("name"), output_field=models.CharField(max_length=200), db_persist=True
    )
    # The name after its first word: the surname, for most ("Ada Lovelace" → "lovelace")
    surname_key = models.GeneratedField(
        expression=Lower(Substr("name", StrIndex("name", models.Value(" ")) + 1)),
        output_field=models.CharField(max_length=200),
        db_persist=True,
    )

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["email_key"], name="customer_email_key"),
            # an inbound text finds its customer by number
            models.Index(fields=["phone"], name="customer_phone", condition=models.Q(phone__gt="")),
            models.Index(fields=["email_domain_key", "-id"], name="customer_email_domain_key"),
            # newest first among equal keys, so a search for a common name reads its newest customers
            models.Index(fields=["name_key", "-id"], name="customer_name_key"),
            models.Index(fields=["surname_key", "-id"], name="customer_surname_key"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def address_lines(self) -> list[str]:
        parts = [self.name, self.address_line1, self.address_line2, self.town, self.postcode]
        return [part for part in parts if part.strip()]

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else ""
