"""Reads of the shop's settings: one row, cached per process.

Every page and message may ask for the shop's name or colour, so the row is kept in this process's
memory. It stays true three ways: the process that saves a change forgets its copy at once and again
when the change commits; while this process holds a change not yet committed, nothing it reads is
kept (so an edit that rolls back is never remembered); and another process's copy is checked against
the row's ``stamp`` (one small query) once it is :data:`RECHECK_SECONDS` old, so a change made
elsewhere shows within that. Reads inside a transaction are kept too: it sees only committed rows
but its own, and a transition that renders a message then asks nothing more."""

from __future__ import annotations

import time
from dataclasses import dataclass
from email.utils import formataddr, parseaddr

from django.conf import settings

from touchpoint.shop.models import SINGLETON, Area, SettingChange, ShopSettings

RECHECK_SECONDS = 5.0
DEFAULT_BRAND_COLOUR = "#1f5fa8"  # the console's own accent (site.css), readable under white text


@dataclass
class _Kept:
    row: ShopSettings | None = None
    checked: float = 0.0
    writing: bool = False  # this process saved a change that hasn't committed yet


_kept = _Kept()


def env_defaults() -> dict[str, str]:
    """What the environment said before the console could: an existing install keeps saying it."""
    sender_name, sender_email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return {
        "name": settings.TOUCHPOINT_SHOP_NAME,
        "address": "\n".join(str(line).strip() for line in settings.TOUCHPOINT_SHOP_ADDRESS if str(line).strip()),
        "sender_name": sender_name,
        "sender_email": sender_email or "shop@touchpoint.localhost",
        "bank_details": settings.TOUCHPOINT_BANK_DETAILS,
        "currency": settings.TOUCHPOINT_CURRENCY,
        "brand_colour": DEFAULT_BRAND_COLOUR,
    }


def _read() -> ShopSettings:
    row, _ = ShopSettings.objects.get_or_create(pk=SINGLETON, defaults=env_defaults())
    return row


def shop_settings() -> ShopSettings:
    """The shop's settings (made from the environment's values on the first read). Treat as read-only:
    changes go through ``shop.services.shop_settings_update``."""
    kept = _kept.row
    now = time.monotonic()
    if kept is not None and now - _kept.checked < RECHECK_SECONDS:
        return kept
    if kept is not None:
        stamp = ShopSettings.objects.filter(pk=SINGLETON).values_list("stamp", flat=True).first()
        if stamp == kept.stamp:
            _kept.checked = now
            return kept
    row = _read()
    if not _kept.writing:  # a row this process changed may yet be rolled back
        _kept.row, _kept.checked = row, now
    return row


def shop_settings_forget() -> None:
    """Drop this process's copy: the next read asks the database (and what it reads is kept again)."""
    _kept.row = None
    _kept.writing = False


def shop_settings_writing() -> None:
    """This process is saving a change: forget the copy, keep none until it commits."""
    _kept.row = None
    _kept.writing = True


def shop_currency() -> str:
    """The shop's currency, lower-case ISO 4217 (``gbp``): every amount is said and charged in it."""
    return shop_settings().currency.lower()


def shop_from_email() -> str:
    """The From of every email: ``"Norm at the Repair Shop <norm@example.com>"``."""
    row = shop_settings()
    return formataddr((row.sender_name, row.sender_email)) if row.sender_name else row.sender_email


def setting_changes(*, areas: tuple[str, ...] = (Area.SHOP,), limit: int = 50) -> list[SettingChange]:
    """The latest changes in ``areas``, newest first."""
    return list(SettingChange.objects.filter(area__in=areas)[:limit])
