"""What a customer is worth to us (the context card's lifetime value: what was actually paid, net of
refunds), a case's price, and a case's payments in order, each from cases moved by people."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from tests.payments.conftest import RecordedStripe
from tests.payments.walks import balance_due, card_order, died_on_the_table, fresh, pay_by_card, staff
from tests.quotes.repair import pay_offline, walk_to
from tests.support.factories import CustomerFactory
from tests.support.orders import place_repair_order
from touchpoint.catalog.models import DeviceKind, DeviceModel
from touchpoint.console.reads.customer_context import customer_context
from touchpoint.payments.selectors import case_payment_lines, case_price

pytestmark = pytest.mark.usefixtures("mail_in_repair")


def test_lifetime_value_is_what_was_paid_with_the_balance_net_of_refunds(
    client: Client, recorded_stripe: RecordedStripe
) -> None:
    # Given Ian's £35.00 repair of his classic, paid by card, with £25.00 of extra work paid by transfer
    DeviceModel.objects.create(
        slug="classic-7g", name="Classic (7th gen)", kind=DeviceKind.MUSIC_PLAYER, diagnosis_price=Decimal("35.00")
    )
    ian = CustomerFactory(name="Ian Kearns")
    classic = place_repair_order(ian, model="classic-7g")
    classic = pay_by_card(client, recorded_stripe, classic, session_id="cs_test_classic", event_id="evt_classic")
    classic = pay_offline(balance_due(client, classic))
    assert classic.state == "return_to_pack"
    # and his Nano repair (£39.00 by card) that couldn't be saved, refunded in full
    died_on_the_table(card_order(client, recorded_stripe, ian))
    # and someone else's paid order
    card_order(client, recorded_stripe, CustomerFactory())
    # Then his lifetime value is £35 + £25, the refunded £39 counting for nothing
    assert customer_context(customer=ian).lifetime_value == Decimal("60.00")
    # as the console's context card says
    _, console = staff("priya", teams=["intake"])
    html = console.get(reverse("console:case", args=[classic.reference])).content.decode()
    assert re.search(r"<dt>Lifetime value</dt><dd>£60.00</dd>", html)


def test_lifetime_value_of_a_new_customer_is_zero() -> None:
    assert customer_context(customer=CustomerFactory()).lifetime_value == Decimal("0")


def test_case_payments_are_oldest_first_and_only_the_cases(client: Client, recorded_stripe: RecordedStripe) -> None:
    case = card_order(client, recorded_stripe)
    other = walk_to(place_repair_order(CustomerFactory()), "awaiting_device")
    case = balance_due(client, case)
    case = pay_offline(case)
    lines = case_payment_lines(case=fresh(case))
    assert [(line.provider, line.purpose, line.amount, line.status) for line in lines] == [
        ("stripe", "order", Decimal("39.00"), "paid"),
        ("offline", "balance", Decimal("25.00"), "paid"),
    ]
    assert lines[0].created_at < lines[1].created_at
    assert [line.purpose for line in case_payment_lines(case=other)] == ["order"]


def test_the_price_is_what_the_order_was_placed_at_even_after_the_catalog_changes() -> None:
    case = place_repair_order(CustomerFactory())
    DeviceModel.objects.filter(slug="nano-4g").update(diagnosis_price=Decimal("45.00"))
    assert case_price(case=case) == Decimal("39.00")
