"""Money as the customer reads it: the project's one formatter.

Amounts are exact ``Decimal`` values in the shop's currency (``settings.TOUCHPOINT_CURRENCY``,
lower-case ISO 4217, ``gbp`` unless configured). Pages, messages and the console all say an amount
through :func:`money_text` (templates: ``{% load money %}{{ amount|money }}``), so "£29.00" reads
the same everywhere."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings

SYMBOLS = {"gbp": "£", "eur": "€", "usd": "$", "aud": "A$", "cad": "C$", "nzd": "NZ$"}
PENNY = Decimal("0.01")
ZERO = Decimal("0.00")


def shop_currency() -> str:
    """The shop's currency, lower-case ISO 4217 (``gbp`` unless configured)."""
    return str(getattr(settings, "TOUCHPOINT_CURRENCY", "gbp") or "gbp").lower()


def money_text(amount: Decimal | int, currency: str | None = None) -> str:
    """``Decimal("1234.5")`` → ``"£1,234.50"`` (``"€…"``, ``"$…"``, …); a currency without a symbol
    here is written by its code after the figure: ``"25.00 CHF"``. ``currency`` defaults to the shop's."""
    code = (currency or shop_currency()).lower()
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
