"""Staff pages are never kept by a browser or a proxy cache: every console page, the scan station,
the insights export and the admin answer ``Cache-Control: no-store`` (a shared computer's back button
or a caching proxy must not show a customer's case to the next person)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.support.factories import StaffFactory
from tests.support.orders import place_repair_order
from touchpoint.staff.models import Role

pytestmark = pytest.mark.django_db


def directives(response: object) -> set[str]:
    header = str(getattr(response, "headers", {}).get("Cache-Control", ""))
    return {part.strip() for part in header.split(",") if part.strip()}


def test_every_staff_page_says_no_store() -> None:
    # given a case and a signed-in lead (who may open every console page)
    case = place_repair_order()
    lead = StaffFactory(username="lee", role=Role.LEAD, is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(lead)
    pages = [
        "/console/",
        f"/console/cases/{case.reference}/",
        "/console/scan/",
        "/console/people/",
        "/console/journeys/",
        "/console/insights/",
        "/console/insights/pile_ups.csv",
        "/console/remedies/requests/",
        "/console/themes/",
        "/console/wall/",
        "/admin/",
        "/admin/cases/case/",
    ]
    # when each is opened, then each answers 200 and says no-store
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert {"no-store", "private"} <= directives(response), (url, response.headers.get("Cache-Control"))


def test_the_sign_in_page_and_a_refused_visit_say_no_store_too() -> None:
    anonymous = Client()
    assert "no-store" in directives(anonymous.get("/console/login/"))
    redirected = anonymous.get("/console/scan/")  # not signed in: sent to sign in
    assert redirected.status_code == 302
    assert "no-store" in directives(redirected)


def test_customer_pages_and_the_wall_keep_their_own_caching() -> None:
    # the public wall is for everyone: no staff rule applies to it
    response = Client().get("/reviews")
    assert response.status_code == 200
    assert "no-store" not in directives(response)
