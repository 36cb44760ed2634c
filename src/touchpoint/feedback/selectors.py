"""Reads of customers' feedback."""

from __future__ import annotations

from touchpoint.cases.models import Case
from touchpoint.customers.models import Customer
from touchpoint.feedback.models import Feedback


def last_feedback(*, customer: Customer) -> Feedback | None:
    """The customer's most recent feedback on any of their cases, or ``None``."""
    return Feedback.objects.filter(customer=customer).select_related("case").order_by("-created_at", "-pk").first()


def feedback_for_case(*, case: Case) -> Feedback | None:
    return Feedback.objects.filter(case=case).first()
