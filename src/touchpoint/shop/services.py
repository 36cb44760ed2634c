"""Writes of the shop's settings and catalog, each change audited field by field (``SettingChange``)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from touchpoint.catalog.models import DeviceModel, Problem
from touchpoint.core.clock import now
from touchpoint.shop.models import SINGLETON, Area, SettingChange, ShopSettings
from touchpoint.shop.selectors import shop_settings, shop_settings_forget

if TYPE_CHECKING:
    from touchpoint.staff.models import StaffUser

SHOP_FIELDS = ("name", "address", "sender_name", "sender_email", "bank_details", "currency", "brand_colour")
MODEL_FIELDS = ("slug", "name", "kind", "diagnosis_price", "active")
PROBLEM_FIELDS = ("slug", "label", "typical_price", "position", "active")
CATALOG: dict[str, tuple[type[DeviceModel] | type[Problem], tuple[str, ...], Area]] = {
    "models": (DeviceModel, MODEL_FIELDS, Area.DEVICE_MODEL),
    "problems": (Problem, PROBLEM_FIELDS, Area.PROBLEM),
}


class CatalogRefused(Exception):
    """Why a catalog change can't be made, worded for the lead with what to do."""


class SettingsConflict(Exception):
    """Someone else saved the settings after this form was drawn: nothing was written."""


@dataclass(frozen=True)
class Logo:
    data: bytes  # already checked and re-encoded (inbox.photos.photo_clean)
    extension: str


def as_text(value: object) -> str:
    """A value as the audit and the CSV write it: 29.00, yes/no, the text itself."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return "" if value is None else str(value)


def _audit(
    *, by: StaffUser, area: str, subject: str, changed: Sequence[tuple[str, object, object]]
) -> list[SettingChange]:
    at = now()
    return SettingChange.objects.bulk_create(
        SettingChange(
            at=at,
            by=by,
            by_name=by.get_username(),
            area=area,
            subject=subject,
            field=field,
            before=as_text(before),
            after=as_text(after),
        )
        for field, before, after in changed
    )


def _forget_now_and_on_commit() -> None:
    shop_settings_forget()
    transaction.on_commit(shop_settings_forget)


def shop_settings_update(
    *,
    by: StaffUser,
    values: Mapping[str, str],
    stamp: str,
    logo: Logo | None = None,
    logo_remove: bool = False,
) -> list[SettingChange]:
    """Set the shop's settings to ``values`` (cleaned by the caller's form; only :data:`SHOP_FIELDS`)
    and the logo; one audit row per field that changed. ``stamp`` is the one the form was drawn with:
    when the row has changed since, raises SettingsConflict and writes nothing. Opens its own
    transaction; the caller holds nothing."""
    unknown = set(values) - set(SHOP_FIELDS)
    if unknown:
        raise ValueError(f"not shop settings: {sorted(unknown)}")
    shop_settings()  # made from the environment's values if this is the first read
    saved: list[str] = []
    try:
        with transaction.atomic():
            row = ShopSettings.objects.select_for_update().get(pk=SINGLETON)
            if row.stamp != stamp:
                raise SettingsConflict
            changed: list[tuple[str, object, object]] = []
            for field, value in values.items():
                if getattr(row, field) != value:
                    changed.append((field, getattr(row, field), value))
                    setattr(row, field, value)
            if logo is not None or (logo_remove and row.logo):
                before = row.logo.name or ""
                if logo is not None:
                    # A random name: a new logo is a new address, so no cache keeps showing the old one.
                    row.logo.save(f"{secrets.token_hex(12)}.{logo.extension}", ContentFile(logo.data), save=False)
                    saved.append(row.logo.name or "")
                else:
                    row.logo = ""  # a FileField takes a name: none
                changed.append(("logo", before, row.logo.name or ""))
            if not changed:
                return []
            row.stamp = secrets.token_hex(16)
            row.save()
            _forget_now_and_on_commit()
            return _audit(by=by, area=Area.SHOP, subject="shop", changed=changed)
    except BaseException:
        for name in saved:  # the row never named it
            default_storage.delete(name)
        raise


def catalog_item_save(
    *, by: StaffUser, kind: str, slug: str | None, values: Mapping[str, Any]
) -> DeviceModel | Problem:
    """Add (``slug`` None: ``values`` holds one) or change one catalog item of ``kind`` ("models" or
    "problems"); a slug never changes once made (cases store it), and nothing is deleted: retiring is
    ``active`` False. One audit row per field that changed. Opens its own transaction."""
    model, fields, area = CATALOG[kind]
    unknown = set(values) - set(fields)
    if unknown or (slug is not None and "slug" in values and values["slug"] != slug):
        raise ValueError(f"can't set {sorted(unknown) or ['slug']} on a catalog item")
    ordered = {field: values[field] for field in fields if field in values}  # the audit in column order
    try:
        with transaction.atomic():
            return _item_save(by=by, model=model, area=area, slug=slug, values=ordered)
    except IntegrityError:  # another lead added the same slug a moment ago
        raise CatalogRefused(f"There is already one with the slug {values.get('slug')}: edit it instead.") from None


def _item_save(
    *,
    by: StaffUser,
    model: type[DeviceModel] | type[Problem],
    area: str,
    slug: str | None,
    values: Mapping[str, Any],
) -> DeviceModel | Problem:
    if slug is None:
        item = model.objects.create(**values)
        _audit(
            by=by,
            area=area,
            subject=str(values["slug"]),
            changed=[(field, "", value) for field, value in values.items()],
        )
        return item
    item = model.objects.select_for_update().get(slug=slug)
    changed = [(f, getattr(item, f), v) for f, v in values.items() if f != "slug" and getattr(item, f) != v]
    if changed:
        for field, _, value in changed:
            setattr(item, field, value)
        item.save(update_fields=[field for field, _, _ in changed])
        _audit(by=by, area=area, subject=slug, changed=changed)
    return item


def catalog_import(*, by: StaffUser, kind: str, rows: Sequence[Mapping[str, Any]]) -> tuple[int, int]:
    """Apply checked CSV rows of ``kind``: a row whose slug is new adds an item, one whose slug exists
    changes what differs. All or nothing, in one transaction. Returns (added, changed)."""
    model, fields, area = CATALOG[kind]
    try:
        return _import(by=by, model=model, fields=fields, area=area, rows=rows)
    except IntegrityError:  # someone added one of the file's slugs since the preview
        raise CatalogRefused("Someone added one of the file's items meanwhile: preview the file again.") from None


def _import(
    *,
    by: StaffUser,
    model: type[DeviceModel] | type[Problem],
    fields: tuple[str, ...],
    area: str,
    rows: Sequence[Mapping[str, Any]],
) -> tuple[int, int]:
    added = changed = 0
    with transaction.atomic():
        existing = {
            item.slug: item for item in model.objects.select_for_update().filter(slug__in=[r["slug"] for r in rows])
        }
        for row in rows:
            values = {field: row[field] for field in fields if field in row}
            item = existing.get(str(row["slug"]))
            if item is None:
                _item_save(by=by, model=model, area=area, slug=None, values=values)
                added += 1
            elif any(getattr(item, f) != v for f, v in values.items()):
                _item_save(by=by, model=model, area=area, slug=item.slug, values=values)
                changed += 1
    return added, changed
