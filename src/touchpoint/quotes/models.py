"""Extra work found at diagnosis, priced line by line, waiting for the customer's OK.

A quote is written by the bench with the ``diagnosed`` move and decided by the customer (or by
customer care on their behalf, on the phone) with ``quote_approved`` / ``quote_declined``. Prices
are in the shop's currency; the journey's guards read the total as ``quote_total``."""

from __future__ import annotations

from decimal import Decimal

from django.db import models


class QuoteStatus(models.TextChoices):
    PROPOSED = "proposed", "Waiting for the customer"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Quote(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="quotes")
    status = models.CharField(max_length=10, choices=QuoteStatus.choices, default=QuoteStatus.PROPOSED)
    finding = models.TextField(blank=True, help_text="What the bench found, in words for the customer")
    total = models.DecimalField(max_digits=10, decimal_places=2)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey("staff.StaffUser", on_delete=models.PROTECT, related_name="quotes_proposed")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by_customer = models.BooleanField(
        default=False, help_text="True when the customer decided online; false when care decided for them"
    )
    decided_by = models.ForeignKey(
        "staff.StaffUser",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotes_decided",
        help_text="The person in care who recorded the customer's answer, when not given online",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One open question to the customer at a time: a revision withdraws the previous quote.
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="proposed"), name="quote_one_proposed_per_case"
            ),
            models.CheckConstraint(condition=models.Q(total__gt=0), name="quote_total_positive"),
        ]

    def __str__(self) -> str:
        return f"Quote {self.pk} ({self.get_status_display()}, {self.total})"

    @property
    def is_open(self) -> bool:
        return self.status == QuoteStatus.PROPOSED


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=200, help_text="e.g. New battery")
    explanation = models.TextField(help_text="Why it is needed, in words for the customer")
    price = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["quote_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "position"], name="quote_line_position_unique"),
            models.CheckConstraint(condition=models.Q(price__gt=Decimal("0")), name="quote_line_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.description} ({self.price})"
