"""What a customer told us about a case once it was over: a rating, a comment, and whether we may publish it.

One per case. Publication (the public wall) and moderation are a later issue's: the ``consent_publish``
flag is the customer's permission, never a decision to show; a wall adds its own fields (e.g.
``published_at``, a moderation status, the shop's answer) beside these without changing them."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Feedback(models.Model):
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="feedback")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="feedback")
    csat = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)], help_text="1 (very unhappy) to 5 (very happy)"
    )
    comment = models.TextField(blank=True, max_length=4000)
    consent_publish = models.BooleanField(
        default=False, help_text="The customer agreed to have this shown publicly with their first name and town."
    )
    display_name = models.CharField(max_length=60, blank=True, help_text="First name to sign it with, if published")
    town = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["customer", "created_at"], name="feedback_customer_created")]
        constraints = [
            models.CheckConstraint(condition=models.Q(csat__gte=1, csat__lte=5), name="feedback_csat_1_to_5"),
        ]
        verbose_name_plural = "feedback"

    def __str__(self) -> str:
        return f"{self.csat}/5 on case {self.case_id}"
