"""What the first-run guide shows: each essential step of setting a shop up, and whether it is done
(judged from what the shop has saved, so the guide is right however a step was done)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from touchpoint.catalog.models import DeviceModel
from touchpoint.shop.models import Area, SettingChange
from touchpoint.staff.models import StaffUser
from touchpoint.touchpoints.models import PersonaOverride


@dataclass(frozen=True)
class SetupStep:
    key: str
    title: str
    why: str
    url: str
    done: bool
    essential: bool = True


def setup_steps() -> list[SetupStep]:
    return [
        SetupStep(
            key="shop",
            title="Your shop",
            why="Its name, address, sender address, bank details, currency, logo and colour: on every page, "
            "email and label.",
            url=reverse("console:shop"),
            done=SettingChange.objects.filter(area=Area.SHOP).exists(),
        ),
        SetupStep(
            key="catalog",
            title="What you repair",
            why="The models and problems customers choose from when they order, with your prices "
            "(import them from a spreadsheet as CSV).",
            url=reverse("console:shop_catalog_import"),
            done=DeviceModel.objects.exists(),
        ),
        SetupStep(
            key="persona",
            title="The voice of your messages",
            why="Who signs every message customers get, with a face and a signature.",
            url=reverse("console:shop_persona") if _has_route("console:shop_persona") else reverse("console:shop"),
            done=PersonaOverride.objects.exists(),
        ),
        SetupStep(
            key="staff",
            title="Your team",
            why="Invite the people who work the cases.",
            url=reverse("console:shop_staff") if _has_route("console:shop_staff") else reverse("admin:index"),
            done=StaffUser.objects.count() > 1,
            essential=False,
        ),
    ]


def _has_route(name: str) -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True
