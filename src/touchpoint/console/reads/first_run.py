"""What the first-run guide shows: each essential step of setting a shop up, and whether it is done
(judged from what the shop has saved, so the guide is right however a step was done)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from touchpoint.catalog.models import DeviceModel
from touchpoint.shop.hours_models import TeamHours
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
            key="hours",
            title="Opening hours",
            why="When the shop works, its time zone and holidays: every limit a team keeps and every "
            "“by …” a customer reads counts in them.",
            url=reverse("console:shop_hours"),
            done=TeamHours.objects.filter(for_shop=True).exists(),
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
            url=reverse("console:shop_persona"),
            done=PersonaOverride.objects.exists(),
        ),
        SetupStep(
            key="staff",
            title="Your team",
            why="Invite the people who work the cases.",
            url=reverse("console:shop_staff"),
            done=StaffUser.objects.count() > 1,
            essential=False,
        ),
    ]
