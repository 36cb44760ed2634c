"""Amounts as the customer reads them, in the shop's currency (``TOUCHPOINT_CURRENCY``)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

_SYMBOLS = {"gbp": "£", "eur": "€", "usd": "$", "aud": "A$", "cad": "C$", "nzd": "NZ$"}


def money(amount: Decimal) -> str:
    """``Decimal("39.5")`` → ``"£39.50"``; a currency without a symbol here is written by its code."""
    code = str(getattr(settings, "TOUCHPOINT_CURRENCY", "gbp")).lower()
    figure = f"{amount:,.2f}"
    symbol = _SYMBOLS.get(code)
    return f"{symbol}{figure}" if symbol else f"{figure} {code.upper()}"
