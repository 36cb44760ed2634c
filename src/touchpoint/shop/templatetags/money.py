"""``{% load money %}``: an amount in templates, said as everywhere else (:func:`touchpoint.core.money.money_text`),
in the shop's currency (set in the console) unless another is given.

``{{ quote.total|money }}`` → ``£45.00``; ``{{ refund.amount|money:refund.currency }}`` for an amount
recorded in another currency. Nothing (``None``, ``""``) renders as ``""``; a value that is not an
amount renders as written."""

from __future__ import annotations

from decimal import Decimal

from django import template

from touchpoint.core.money import as_decimal, money_text
from touchpoint.shop.selectors import shop_currency

register = template.Library()


@register.filter
def money(amount: Decimal | int | str | None, currency: str | None = None) -> str:
    if amount is None or amount == "":
        return ""
    value = as_decimal(amount)
    return str(amount) if value is None else money_text(value, currency or shop_currency())
