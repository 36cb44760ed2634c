"""Journey pages: staff only, the live count per state, and the drawn map."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from touchpoint.cases.models import Case
from touchpoint.staff.models import StaffUser

pytestmark = pytest.mark.django_db


@pytest.fixture
def set_up_shop(db: object) -> StaffUser:
    """A shop with its owner: on an empty install the home page is the first-run welcome instead."""
    return StaffUser.objects.create_user(username="owner", role="admin")


def mini_repair_states() -> list[str]:
    from tests.conftest import SUPPORT
    from touchpoint.journeys import load_journey

    return list(load_journey(SUPPORT / "mini-repair.yaml").journey.states)


def test_the_home_page_is_public_and_says_what_this_is(client: Client, set_up_shop: StaffUser) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert b"Every customer journey mapped and checked by machine" in response.content
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert b'Need a person? Reply to any email from us, or write to <a href="mailto:norm@touchpoint.localhost">' in (
        response.content
    )


@pytest.mark.parametrize("url", ["/console/journeys/", "/console/journeys/mini-repair/1/"])
def test_journey_pages_send_anonymous_visitors_to_sign_in(client: Client, url: str, new_case: Case) -> None:
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (302, f"/console/login/?next={url}")


def test_the_journey_list_counts_cases_per_state_in_a_fixed_number_of_queries(
    client: Client, new_case: Case, bench_tech: StaffUser
) -> None:
    client.force_login(bench_tech)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/console/journeys/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 open case" in html
    assert '<th scope="row">Order received</th>' in html  # the state by its label, never its key
    assert "<td>the customer</td>" in html and "team:" not in html
    assert len(queries) == 6  # session, user, team names, journey versions, open cases, ends in the last week


def test_the_journey_map_draws_every_state(client: Client, new_case: Case, bench_tech: StaffUser) -> None:
    client.force_login(bench_tech)
    response = client.get("/console/journeys/mini-repair/1/")
    html = response.content.decode()
    assert response.status_code == 200
    drawn = set(re.findall(r'<g class="state [^"]*" id="state-\w+" data-state="(\w+)"', html))
    assert drawn == set(mini_repair_states())
    assert client.get("/console/journeys/mini-repair/2/").status_code == 404


def test_the_dev_mailbox_link_shows_only_when_the_mailbox_is_on(client: Client, set_up_shop: StaffUser) -> None:
    assert b"Dev mail" not in client.get("/").content
    with override_settings(TOUCHPOINT_DEV_MAILBOX=True, ROOT_URLCONF="tests.devmail.urls"):
        assert b'href="/dev/mail/">Dev mail</a>' in client.get("/").content
