"""Reads of the catalog."""

from __future__ import annotations

from django.db.models import Q

from touchpoint.catalog.models import NOT_SURE, DeviceModel, Problem

SEARCH_LIMIT = 60  # more than a phone screen can usefully show; the search box narrows it


def device_name(slug: str | None) -> str:
    """The name a customer knows their device by ("Slate Tab Air 10"), from the slug a case stores."""
    if not slug:
        return "device"
    name = DeviceModel.objects.filter(slug=slug).values_list("name", flat=True).first()
    return name or slug  # not in the catalog (e.g. typed by staff): show it as it was given


def device_models_offered(*, query: str = "", keep: str | None = None) -> list[DeviceModel]:
    """Active models whose name (or slug) contains every word of ``query``, in catalog order.

    ``keep`` is a slug already chosen: it stays in the list even when the search hides it, so a
    narrowed list never silently drops the customer's choice."""
    words = query.split()[:6]
    matches = Q()
    for word in words:
        matches &= Q(name__icontains=word) | Q(slug__icontains=word)
    found = list(DeviceModel.objects.filter(matches, active=True)[:SEARCH_LIMIT])
    if keep and all(m.slug != keep for m in found):
        kept = DeviceModel.objects.filter(slug=keep, active=True).first()
        if kept is not None:
            found.insert(0, kept)
    return found


def device_model_offered(slug: str) -> DeviceModel | None:
    """The active model with ``slug``, or None when it isn't (or is no longer) offered."""
    return DeviceModel.objects.filter(slug=slug, active=True).first()


def problems_offered() -> list[tuple[str, str]]:
    """(slug, label) of the active problems, then "Not sure what's wrong", always last (one query)."""
    rows = Problem.objects.filter(Q(active=True) | Q(slug=NOT_SURE)).values_list("slug", "label")
    listed = [(slug, label) for slug, label in rows if slug != NOT_SURE]
    not_sure = next((label for slug, label in rows if slug == NOT_SURE), "Not sure what's wrong")
    return [*listed, (NOT_SURE, not_sure)]
