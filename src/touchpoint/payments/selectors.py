"""Reads about payments: a case's payments, its price, and what a customer has paid us over time."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from touchpoint.cases.models import Case
from touchpoint.catalog.models import DeviceModel
from touchpoint.customers.models import Customer
from touchpoint.payments.models import Payment, PaymentStatus, Provider

# A refunded payment was paid first: it counts, less what went back.
_TAKEN = (PaymentStatus.PAID, PaymentStatus.REFUNDED)


def customer_lifetime_value(*, customer: Customer) -> Decimal:
    """What the customer has paid across all their cases, less refunds (0 when nothing yet)."""
    totals = Payment.objects.filter(case__customer=customer, status__in=_TAKEN).aggregate(
        paid=Sum("amount"), refunded=Sum("amount_refunded")
    )
    return (totals["paid"] or Decimal("0")) - (totals["refunded"] or Decimal("0"))


def case_payments(*, case: Case) -> list[Payment]:
    """Every payment attempt of the case, oldest first, with who recorded the offline ones."""
    return list(Payment.objects.filter(case=case).select_related("recorded_by").order_by("created_at", "id"))


def case_paid_payment(*, case: Case) -> Payment | None:
    """The payment that paid for the case, if one has."""
    return Payment.objects.filter(case=case, status__in=_TAKEN).order_by("paid_at", "id").first()


def case_latest_card_payment(*, case: Case) -> Payment | None:
    return Payment.objects.filter(case=case, provider=Provider.STRIPE).order_by("-created_at", "-id").first()


def case_price(*, case: Case) -> Decimal | None:
    """The diagnosis price of the case's device model; None when the case names no model we know."""
    slug = case.data.get("model")
    if not isinstance(slug, str) or not slug:
        return None
    return DeviceModel.objects.filter(slug=slug).values_list("diagnosis_price", flat=True).first()
