"""Money as the shop writes it: exact Decimals in the shop's currency (set in the console).

:func:`money` says an amount through the one formatter (:func:`touchpoint.core.money.money_text`),
in the shop's currency unless the amount was recorded in another; :func:`currency` is the shop's."""

from __future__ import annotations

from decimal import Decimal

from touchpoint.core.money import PENNY, SYMBOLS, ZERO, as_decimal, money_text
from touchpoint.shop.selectors import shop_currency as currency

__all__ = ["PENNY", "SYMBOLS", "ZERO", "as_decimal", "currency", "money"]


def money(amount: Decimal | int, currency_code: str | None = None) -> str:
    return money_text(amount, currency_code or currency())
