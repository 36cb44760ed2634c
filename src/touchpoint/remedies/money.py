"""Money as the shop writes it: the project's one formatter lives in :mod:`touchpoint.payments.money`;
these names stay for the remedies code that imports them."""

from __future__ import annotations

from touchpoint.payments.money import PENNY, currency
from touchpoint.payments.money import money as format_money

__all__ = ["PENNY", "currency", "format_money"]
