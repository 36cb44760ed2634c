"""The empowerment policy in force, the remedies given under it, and requests over someone's limit.

Remedies and requests are records: what was given, to whom, by whom, why, and which rule of which
policy version allowed it. Nothing here is edited after the fact; a decision is a new state of a
request, set once."""

from __future__ import annotations

from django.db import models

from touchpoint.core.money import money_text
from touchpoint.remedies.policy.kinds import KINDS

KIND_CHOICES = [(k.key, k.label) for k in KINDS.values()]


class PolicyVersion(models.Model):
    """One version of the shop's policy, its YAML kept verbatim. One version is active; remedies keep
    the version that allowed them, so a later change never rewrites why something was given."""

    name = models.CharField(max_length=80, help_text="The policy's `name`")
    source = models.TextField(help_text="The policy in YAML; see docs/remedies.md for the language")
    sha256 = models.CharField(max_length=64)
    active = models.BooleanField(default=False, help_text="The version in force; one at a time")
    note = models.CharField(max_length=200, blank=True, help_text="What changed, in a few words")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey("staff.StaffUser", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["active"], condition=models.Q(active=True), name="policy_one_active")
        ]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}" + (" (active)" if self.active else "")


class Remedy(models.Model):
    """A remedy given: who, why, how much, and the rule that allowed it."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="remedies")
    kind = models.CharField(max_length=40, choices=KIND_CHOICES)
    amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True, help_text="Money remedies")
    currency = models.CharField(max_length=3)
    reason = models.TextField()
    applied_by = models.ForeignKey("staff.StaffUser", on_delete=models.PROTECT, related_name="remedies_applied")
    approved_by = models.ForeignKey(
        "staff.StaffUser", null=True, blank=True, on_delete=models.PROTECT, related_name="remedies_approved"
    )
    request = models.OneToOneField(
        "RemedyRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="remedy"
    )
    policy = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="remedies")
    rule = models.CharField(max_length=120, help_text="<remedy>.<rule id> of the policy version")
    applied_at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["-applied_at"]
        verbose_name_plural = "remedies"
        indexes = [models.Index(fields=["case", "kind"], name="remedy_case_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.case_id}"

    @property
    def amount_text(self) -> str:
        """``£10.00``, or empty for a remedy that isn't money."""
        return money_text(self.amount, self.currency) if self.amount is not None else ""


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a lead"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class RemedyRequest(models.Model):
    """A remedy over the asker's limit, waiting for a lead. It doesn't lapse: past ``due_at`` it is
    overdue (its task too), and stays first in the lead's list until someone decides."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="remedy_requests")
    kind = models.CharField(max_length=40, choices=KIND_CHOICES)
    amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3)
    reason = models.TextField()
    asked_by = models.ForeignKey("staff.StaffUser", on_delete=models.PROTECT, related_name="remedy_requests")
    asked_at = models.DateTimeField()
    policy = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="requests")
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    due_at = models.DateTimeField(help_text="The lead decides by then; the customer was told so")
    decided_by = models.ForeignKey(
        "staff.StaffUser", null=True, blank=True, on_delete=models.PROTECT, related_name="remedy_decisions"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    task = models.ForeignKey("cases.Task", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["asked_at"]
        indexes = [models.Index(fields=["status", "asked_at"], name="remedy_request_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.case_id} ({self.status})"

    @property
    def amount_text(self) -> str:
        return money_text(self.amount, self.currency) if self.amount is not None else ""
