from __future__ import annotations

from decimal import Decimal

from django import template

from touchpoint.quotes.money import money as _money

register = template.Library()


@register.filter
def money(amount: Decimal | None) -> str:
    return "" if amount is None else _money(amount)
