"""Staff: Django users with a role, grouped in teams that own journey states (``team:bench``)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    AGENT = "agent", "Agent"
    LEAD = "lead", "Lead"
    ADMIN = "admin", "Admin"


class Team(models.Model):
    """A group of people that can own a state; ``slug`` is the name journeys use after ``team:``."""

    slug = models.SlugField(max_length=40, unique=True, help_text="As written in journeys: team:<slug>")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def owner(self) -> str:
        return f"team:{self.slug}"


class StaffUser(AbstractUser):
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.AGENT)
    teams = models.ManyToManyField(Team, related_name="members", blank=True)

    class Meta:
        verbose_name = "staff member"
        verbose_name_plural = "staff"

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class TwoFactorReset(models.Model):
    """A lead or admin took a colleague's two-factor away (a lost phone): who, whom, when and why.
    The colleague sets it up again on their next request; this row is the audit of it."""

    member = models.ForeignKey(StaffUser, on_delete=models.PROTECT, related_name="two_factor_resets")
    reset_by = models.ForeignKey(StaffUser, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "two-factor reset"

    def __str__(self) -> str:
        return f"{self.member} reset by {self.reset_by}"


class StaffInvite(models.Model):
    """A one-time link emailed to a new colleague: it opens only the page where they set their
    password, once, until ``expires_at``. Only the token's hash is kept (the link is in their email)."""

    member = models.ForeignKey(StaffUser, on_delete=models.CASCADE, related_name="invites")
    invited_by = models.ForeignKey(StaffUser, null=True, on_delete=models.SET_NULL, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "staff invitation"

    def __str__(self) -> str:
        return f"invitation for {self.member}"
