"""Money as the customer reads it: the project's one formatter.

Amounts are exact ``Decimal`` values in a currency (lower-case ISO 4217): the shop's own, set in the
console (:func:`touchpoint.shop.selectors.shop_currency`), or the one a payment was recorded in.
Pages, messages and the console all say an amount through :func:`money_text` (templates:
``{% load money %}{{ amount|money }}``, :mod:`touchpoint.shop.templatetags.money`), so "£29.00"
reads the same everywhere. The caller names the currency: this module reads no settings."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

SYMBOLS = {"gbp": "£", "eur": "€", "usd": "$", "aud": "A$", "cad": "C$", "nzd": "NZ$"}
PENNY = Decimal("0.01")
ZERO = Decimal("0.00")


def money_text(amount: Decimal | int, currency: str) -> str:
    """``Decimal("1234.5")``, ``"gbp"`` → ``"£1,234.50"`` (``"€…"``, ``"$…"``, …); a currency without a
    symbol here is written by its code after the figure: ``"25.00 CHF"``."""
    code = currency.lower()
    value = Decimal(amount).quantize(PENNY)
    symbol = SYMBOLS.get(code)
    return f"{symbol}{value:,}" if symbol else f"{value:,} {code.upper()}"


def as_decimal(value: object) -> Decimal | None:
    """A stored amount (``"39.00"``, ``39``, a Decimal) as a Decimal; None for anything else."""
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None
