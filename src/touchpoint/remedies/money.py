"""Money as the shop writes it: exact Decimals in the shop's currency (``TOUCHPOINT_CURRENCY``)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

_SYMBOLS = {"gbp": "£", "eur": "€", "usd": "$"}
PENNY = Decimal("0.01")


def currency() -> str:
    """The shop's currency, lower-case ISO 4217 (``gbp`` unless configured)."""
    return str(getattr(settings, "TOUCHPOINT_CURRENCY", "gbp") or "gbp").lower()


def format_money(amount: Decimal | int, code: str | None = None) -> str:
    """``£10.00``; ``12.00 CHF`` for a currency without a symbol here."""
    code = (code or currency()).lower()
    value = Decimal(amount).quantize(PENNY)
    symbol = _SYMBOLS.get(code)
    return f"{symbol}{value:,}" if symbol else f"{value:,} {code.upper()}"
