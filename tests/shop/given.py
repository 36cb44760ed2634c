"""The shop pages as a lead fills them in."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from tests.support.factories import StaffFactory
from touchpoint.staff.models import Role

SHOP = reverse("console:shop")


def lead_client(username: str = "lena") -> Client:
    client = Client()
    client.force_login(StaffFactory(username=username, role=Role.LEAD))
    return client


def stamp_of(client: Client) -> str:
    response = client.get(SHOP)
    assert response.status_code == 200
    return str(response.context["form"].initial["stamp"])


def shop_form(client: Client, **changed: Any) -> dict[str, Any]:
    """The settings form as the page draws it, with ``changed`` typed over it."""
    response = client.get(SHOP)
    initial = response.context["form"].initial
    form = {
        name: initial.get(name, "")
        for name in (
            "stamp",
            "name",
            "address",
            "sender_name",
            "sender_email",
            "bank_details",
            "currency",
            "brand_colour",
        )
    }
    form.update(changed)
    return form
