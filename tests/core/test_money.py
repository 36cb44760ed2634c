"""The one money formatter (``touchpoint.core.money``), the shop's currency (``payments.money``) and the filter."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.template import Context, Template

from touchpoint.core.money import money_text
from touchpoint.payments.money import money


@pytest.mark.parametrize(
    ("amount", "currency", "said"),
    [
        (Decimal("25"), "gbp", "£25.00"),
        (Decimal("25"), "eur", "€25.00"),
        (Decimal("25"), "USD", "$25.00"),
        (Decimal("25"), "chf", "25.00 CHF"),
        (Decimal("1234.5"), "gbp", "£1,234.50"),
        (Decimal("0.1"), "gbp", "£0.10"),
        (7, "nzd", "NZ$7.00"),
    ],
)
def test_money_text_says_the_currency(amount: Decimal | int, currency: str, said: str) -> None:
    assert money_text(amount, currency) == said


@pytest.mark.django_db
@pytest.mark.parametrize(("shop", "said"), [("gbp", "£25.00"), ("eur", "€25.00"), ("sek", "25.00 SEK")])
def test_an_amount_is_said_in_the_shops_currency(settings: Any, shop: str, said: str) -> None:
    # A new install's shop takes its currency from the environment until a lead sets it in the console
    settings.TOUCHPOINT_CURRENCY = shop
    assert money(Decimal("25")) == said
    assert money(Decimal("25"), "usd") == "$25.00"  # an amount recorded in another currency keeps it


@pytest.mark.parametrize(
    ("source", "context", "said"),
    [
        ("{{ x|money }}", {"x": Decimal("25")}, "£25.00"),
        ("{{ x|money }}", {"x": "39.5"}, "£39.50"),
        ("{{ x|money:'eur' }}", {"x": Decimal("3")}, "€3.00"),
        ("{{ x|money:c }}", {"x": Decimal("3"), "c": ""}, "£3.00"),
        ("{{ x|money }}", {"x": None}, ""),
        ("{{ x|money }}", {"x": ""}, ""),
        ("{{ x|money }}", {}, ""),
        ("{{ x|money }}", {"x": "free"}, "free"),
    ],
)
@pytest.mark.django_db  # the filter says amounts in the shop's currency, read from its settings
def test_money_filter(settings: Any, source: str, context: dict[str, object], said: str) -> None:
    settings.TOUCHPOINT_CURRENCY = "gbp"
    assert Template("{% load money %}" + source).render(Context(context)) == said
