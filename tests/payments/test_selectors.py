"""What a customer has paid us over time (the context card's figure), and a case's payments in order."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.payments.conftest import open_repair
from tests.support.factories import CustomerFactory
from touchpoint.cases.selectors.context import customer_context
from touchpoint.core.clock import now
from touchpoint.payments.models import Payment, PaymentStatus, Provider
from touchpoint.payments.selectors import case_payment_lines, case_price

pytestmark = pytest.mark.usefixtures("mail_in_repair")


def pay(case: object, amount: str, status: PaymentStatus, refunded: str = "0", minutes: int = 0) -> Payment:
    at = now() + timedelta(minutes=minutes)
    return Payment.objects.create(
        case=case,
        provider=Provider.OFFLINE,
        amount=Decimal(amount),
        amount_refunded=Decimal(refunded),
        currency="gbp",
        status=status,
        created_at=at,
        updated_at=at,
    )


def test_lifetime_value_is_paid_less_refunded_across_the_customers_cases_only() -> None:
    # Given two cases for Ian (one paid, one paid then half refunded, one abandoned) and a stranger's case
    ian = CustomerFactory(name="Ian Kearns")
    first, second = open_repair(ian), open_repair(ian)
    pay(first, "39.00", PaymentStatus.PAID)
    pay(second, "59.00", PaymentStatus.REFUNDED, refunded="20.00")
    pay(second, "59.00", PaymentStatus.EXPIRED)
    pay(open_repair(CustomerFactory()), "99.00", PaymentStatus.PAID)
    # Then only Ian's money counts, net of the refund
    assert customer_context(customer=ian).lifetime_value == Decimal("78.00")


def test_lifetime_value_of_a_new_customer_is_zero() -> None:
    assert customer_context(customer=CustomerFactory()).lifetime_value == Decimal("0")


def test_case_payments_are_oldest_first_and_only_the_cases() -> None:
    case, other = open_repair(), open_repair()
    later = pay(case, "39.00", PaymentStatus.PAID, minutes=5)
    earlier = pay(case, "39.00", PaymentStatus.EXPIRED)
    pay(other, "39.00", PaymentStatus.PAID)
    assert [(p.created_at, p.status) for p in case_payment_lines(case=case)] == [
        (earlier.created_at, "expired"),
        (later.created_at, "paid"),
    ]


def test_the_price_is_the_diagnosis_price_of_the_cases_model() -> None:
    case = open_repair()
    assert case_price(case=case) == Decimal("39.00")
    case.data["model"] = "no-such-model"
    assert case_price(case=case) is None
