"""The admin's read-only preview: every touch point of a journey version, both tones, email and SMS."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from touchpoint.cases.journeys import journey_register
from touchpoint.cases.models import JourneyVersion
from touchpoint.journeys.library import library_file
from touchpoint.staff.models import StaffUser


@pytest.fixture
def repair_version(db: Any) -> JourneyVersion:
    path = library_file("mail-in-repair")
    assert path is not None
    return journey_register(source=path.read_text(), filename=str(path))


@pytest.fixture
def admin_client(client: Client, db: Any) -> Client:
    user = StaffUser.objects.create_superuser(username="admin", password="correct horse battery", email="a@x.y")
    client.force_login(user)
    return client


def test_the_preview_shows_every_touch_point_in_both_tones_and_channels(
    repair_version: JourneyVersion, admin_client: Client
) -> None:
    response = admin_client.get(f"/admin/touchpoints/touchpointpreview/{repair_version.pk}/change/")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('<section class="tp-touchpoint"') == 50
    assert page.count('<article class="tp-tone tp-playful">') == 50
    assert page.count('<article class="tp-tone tp-sober">') == 50
    assert "<strong>Subject:</strong> TP-4K7Q9: Your nano-4g has arrived safely" in page
    assert "<strong>Subject:</strong> TP-4K7Q9: Your device has arrived</p>" in page
    assert "is resting to get its strength up before the surgery tomorrow.</p>" in page
    assert (
        "Your device has arrived and is resting before its surgery tomorrow. - Norm "
        "https://repairs.example.com/c/sampleLinkTokenAsLongAsARealOne43Characters/ Reply to reach a person."
    ) in page
    assert "template <code>touchpoints/mail-in-repair/arrived_resting.html</code>" in page
    assert '<img src="/static/touchpoints/norm.svg" alt="" width="48" height="48">' in page


def test_the_preview_is_read_only(repair_version: JourneyVersion, admin_client: Client) -> None:
    listing = admin_client.get("/admin/touchpoints/touchpointpreview/")
    assert listing.status_code == 200
    assert "Add touch point preview" not in listing.content.decode()
    assert admin_client.get("/admin/touchpoints/touchpointpreview/add/").status_code == 403
    delete = admin_client.post(f"/admin/touchpoints/touchpointpreview/{repair_version.pk}/delete/")
    assert delete.status_code == 403
    assert JourneyVersion.objects.filter(pk=repair_version.pk).exists()


def test_the_preview_needs_a_staff_login(repair_version: JourneyVersion, client: Client) -> None:
    response = client.get(f"/admin/touchpoints/touchpointpreview/{repair_version.pk}/change/")
    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/admin/login/")
