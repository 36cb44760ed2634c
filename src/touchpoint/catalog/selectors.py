"""Reads of the catalog."""

from __future__ import annotations

from touchpoint.catalog.models import DeviceModel


def device_name(slug: str | None) -> str:
    """The name a customer knows their device by ("Slate Tab Air 10"), from the slug a case stores."""
    if not slug:
        return "device"
    name = DeviceModel.objects.filter(slug=slug).values_list("name", flat=True).first()
    return name or slug  # not in the catalog (e.g. typed by staff): show it as it was given
