"""Money as the shop writes it: exact Decimals in the shop's currency (``TOUCHPOINT_CURRENCY``).

The one formatter is :func:`touchpoint.core.money.money_text`; ``money`` and ``currency`` here are
older names for it and for :func:`touchpoint.core.money.shop_currency`, kept for their callers."""

from __future__ import annotations

from touchpoint.core.money import PENNY, SYMBOLS, ZERO, as_decimal
from touchpoint.core.money import money_text as money
from touchpoint.core.money import shop_currency as currency

__all__ = ["PENNY", "SYMBOLS", "ZERO", "as_decimal", "currency", "money"]
