"""Money as the shop writes it: exact Decimals in the shop's currency (``TOUCHPOINT_CURRENCY``).

The one formatter for the project: pages, messages and the console say amounts through
:func:`money`, so "£29.00" reads the same everywhere. (``remedies.money.format_money``,
``quotes.money.money`` and ``portal.views.pay.money`` are kept as names for it until their
callers move here.)"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings

SYMBOLS = {"gbp": "£", "eur": "€", "usd": "$", "aud": "A$", "cad": "C$", "nzd": "NZ$"}
PENNY = Decimal("0.01")
ZERO = Decimal("0.00")


def currency() -> str:
    """The shop's currency, lower-case ISO 4217 (``gbp`` unless configured)."""
    return str(getattr(settings, "TOUCHPOINT_CURRENCY", "gbp") or "gbp").lower()


def money(amount: Decimal | int, code: str | None = None) -> str:
    """``Decimal("39.5")`` → ``£39.50``; ``12.00 CHF`` for a currency without a symbol here."""
    code = (code or currency()).lower()
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
