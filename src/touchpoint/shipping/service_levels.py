"""The shop's service levels (the ways it sends parcels): what the order form offers, with the price
and the on-time share the shop's own deliveries measured, and the lead's edits, audited field by
field (``shop.SettingChange``, area "shop", subject ``service:<code>``). Never deleted: a case names
its level by code, so a level no longer offered is retired (``active`` False)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from touchpoint.cases.models import Case
from touchpoint.core.clock import now
from touchpoint.shipping.models import LaneFigure, ServiceLevel
from touchpoint.shop.models import Area, SettingChange
from touchpoint.shop.services import as_text

if TYPE_CHECKING:
    from touchpoint.staff.models import StaffUser

FIELDS = ("code", "name", "provider", "carrier", "service", "price_minor", "promised_days", "active", "position")
# Fewer parcels measured than this and a share would say more than it knows: "new: not measured yet".
MEASURED_FROM = 20
SUBJECT = "service:"


class ServiceLevelRefused(Exception):
    """Why a service level can't be saved, worded for the lead with what to do."""


@dataclass(frozen=True)
class Offer:
    """One service level as the order form shows it."""

    level: ServiceLevel
    price: Decimal  # what the customer pays for it, in the shop's currency
    measured: int  # parcels measured against the carrier's promised date: on time + late + lost
    on_time_percent: int | None  # None: fewer than MEASURED_FROM measured

    @property
    def code(self) -> str:
        return self.level.code


def price_of(level: ServiceLevel) -> Decimal:
    return (Decimal(level.price_minor) / 100).quantize(Decimal("0.01"))


def _plain(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def levels_active() -> list[ServiceLevel]:
    """The levels the order form offers, in the shop's order (one query)."""
    return list(ServiceLevel.objects.filter(active=True))


def offers(levels: list[ServiceLevel]) -> list[Offer]:
    """``levels`` with their price and measured on-time share (one query when there are any).

    A lane figure belongs to a level when its carrier is the level's (as the aggregator or the tracking
    feed writes it: "RoyalMail", "Royal Mail") and its service is the level's code (what a label bought
    for the level records), service or name; every origin area counts."""
    if not levels:
        return []
    carriers = {_plain(level.carrier) for level in levels}
    figures = [f for f in LaneFigure.objects.all() if _plain(f.carrier) in carriers]
    shown = []
    for level in levels:
        names = {_plain(level.code), _plain(level.service), _plain(level.name)} - {""}
        mine = [f for f in figures if _plain(f.carrier) == _plain(level.carrier) and _plain(f.service_level) in names]
        on_time = sum(f.on_time for f in mine)
        measured = on_time + sum(f.late + f.lost for f in mine)
        percent = round(100 * on_time / measured) if measured >= MEASURED_FROM else None
        shown.append(Offer(level, price_of(level), measured, percent))
    return shown


def level_chosen(levels: list[ServiceLevel], code: str) -> ServiceLevel | None:
    return next((level for level in levels if level.code == code), None)


def chosen_of(case: Case) -> tuple[str, Decimal] | None:
    """The service level the customer chose with the order, as the form said it: (name, price)."""
    data = case.data if isinstance(case.data, dict) else {}
    name, price = data.get("service_level_name"), data.get("service_level_price")
    if not isinstance(name, str) or not name or not isinstance(price, str):
        return None
    try:
        return name, Decimal(price)
    except ArithmeticError:
        return None


def service_level_changes(limit: int = 30) -> list[SettingChange]:
    return list(SettingChange.objects.filter(area=Area.SERVICE_LEVEL, subject__startswith=SUBJECT)[:limit])


def service_level_save(*, by: StaffUser, code: str | None, values: Mapping[str, Any]) -> ServiceLevel:
    """Add (``code`` None: ``values`` holds one) or change one service level; its code never changes
    once made (cases name it). One audit row per field that changed. Opens its own transaction."""
    unknown = set(values) - set(FIELDS)
    if unknown or (code is not None and "code" in values and values["code"] != code):
        raise ValueError(f"can't set {sorted(unknown) or ['code']} on a service level")
    ordered = {field: values[field] for field in FIELDS if field in values}
    try:
        with transaction.atomic():
            if code is None:
                level = ServiceLevel.objects.create(**ordered)
                _audit(by, str(ordered["code"]), [(f, "", v) for f, v in ordered.items() if f != "code"])
                return level
            level = ServiceLevel.objects.select_for_update().get(code=code)
            changed = [(f, getattr(level, f), v) for f, v in ordered.items() if f != "code" and getattr(level, f) != v]
            if changed:
                for field, _, value in changed:
                    setattr(level, field, value)
                level.save(update_fields=[field for field, _, _ in changed])
                _audit(by, code, changed)
            return level
    except IntegrityError:  # another lead added the same code a moment ago
        raise ServiceLevelRefused(f"There is already a service level {values.get('code')}: edit it instead.") from None


def _audit(by: StaffUser, code: str, changed: list[tuple[str, object, object]]) -> None:
    at = now()
    SettingChange.objects.bulk_create(
        SettingChange(
            at=at,
            by=by,
            by_name=by.get_username(),
            area=Area.SERVICE_LEVEL,
            subject=f"{SUBJECT}{code}",
            field=field,
            before=as_text(before),
            after=as_text(after),
        )
        for field, before, after in changed
    )
