"""Reads about payments: a case's payments, its price, and what a customer has paid us over time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from touchpoint.cases.models import Case
from touchpoint.catalog.models import DeviceModel
from touchpoint.core.reads import Read
from touchpoint.payments.models import OfflineMethod, Payment, PaymentStatus, Provider

# A refunded payment was paid first: it counts, less what went back.
TAKEN = (PaymentStatus.PAID, PaymentStatus.REFUNDED)


@dataclass(frozen=True)
class PaymentLine:
    """A payment attempt as the case view lists it."""

    created_at: datetime
    provider: str
    provider_ref: str
    method: str
    reference: str
    recorded_by: str  # who recorded an offline payment, as ``str(StaffUser)`` says it; "" for none
    amount: Decimal
    currency: str
    status: str
    problem: str

    @property
    def method_label(self) -> str:
        return str(_METHODS.get(self.method, self.method))

    @property
    def status_label(self) -> str:
        return str(_STATUSES.get(self.status, self.status))


_METHODS, _STATUSES = dict(OfflineMethod.choices), dict(PaymentStatus.choices)  # labels (translated when shown)


_CASE_PAYMENTS = Read(
    lambda case_id: Payment.objects.filter(case_id=case_id)
    .order_by("created_at", "id")
    .values_list(
        "created_at", "provider", "provider_ref", "method", "reference", "recorded_by__first_name",
        "recorded_by__last_name", "recorded_by__username", "amount", "currency", "status", "problem",
    ),
    int,
)  # fmt: skip


def case_payment_lines(*, case: Case) -> list[PaymentLine]:
    """Every payment attempt of the case, oldest first, with who recorded the offline ones, as plain
    values in one compiled query (the case view reads it on every request)."""
    lines = []
    for (
        at,
        provider,
        ref,
        method,
        reference,
        first,
        last,
        username,
        amount,
        currency,
        status,
        problem,
    ) in _CASE_PAYMENTS(case.pk):
        by = (f"{first} {last}".strip() or username) if username is not None else ""
        lines.append(PaymentLine(at, provider, ref, method, reference, by, amount, currency, status, problem))
    return lines


def case_paid_payment(*, case: Case) -> Payment | None:
    """The payment that paid for the case, if one has."""
    return Payment.objects.filter(case=case, status__in=TAKEN).order_by("paid_at", "id").first()


def case_latest_card_payment(*, case: Case) -> Payment | None:
    return Payment.objects.filter(case=case, provider=Provider.STRIPE).order_by("-created_at", "-id").first()


def case_price(*, case: Case) -> Decimal | None:
    """The diagnosis price of the case's device model; None when the case names no model we know."""
    slug = case.data.get("model")
    if not isinstance(slug, str) or not slug:
        return None
    found = _PRICE(slug)
    return found[0][0] if found else None


_PRICE = Read(lambda slug: DeviceModel.objects.filter(slug=slug).values_list("diagnosis_price")[:1], str)
