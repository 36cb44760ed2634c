"""Staff sessions: signed out after 30 idle minutes and 12 hours after signing in, whatever the
activity; last-seen written at most once a minute; the queue's background refresh isn't activity."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from tests.support.factories import StaffFactory
from touchpoint.staff.models import StaffUser
from touchpoint.staff.sessions import LOGIN_AT, SEEN_AT

pytestmark = pytest.mark.django_db


@pytest.fixture
def alex() -> StaffUser:
    return StaffFactory(username="alex")


def signed_in(user: StaffUser, *, login_ago: int, seen_ago: int) -> Client:
    client = Client()
    client.post("/console/login/", {"username": user.username, "password": "correct horse battery"})
    session = client.session
    stamp = int(time.time())
    session[LOGIN_AT] = stamp - login_ago
    session[SEEN_AT] = stamp - seen_ago
    session.save()
    return client


def test_thirty_idle_minutes_sign_you_out_and_the_login_page_says_why(alex: StaffUser) -> None:
    client = signed_in(alex, login_ago=3600, seen_ago=31 * 60)
    response = client.get("/console/?q=team")
    assert response.status_code == 302
    assert response["Location"] == "/console/login/?expired=idle&next=%2Fconsole%2F%3Fq%3Dteam"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out after 30 minutes without activity." in page
    assert 'name="next" value="/console/?q=team"' in page


def test_activity_within_the_idle_limit_keeps_you_signed_in(alex: StaffUser) -> None:
    client = signed_in(alex, login_ago=3600, seen_ago=29 * 60)
    assert client.get("/console/").status_code == 200
    assert client.session["_auth_user_id"] == str(alex.pk)


def test_twelve_hours_after_signing_in_you_are_signed_out_even_if_active(alex: StaffUser) -> None:
    client = signed_in(alex, login_ago=12 * 3600 + 5, seen_ago=10)
    response = client.get("/console/")
    assert response["Location"] == "/console/login/?expired=max&next=%2Fconsole%2F"
    assert "_auth_user_id" not in client.session
    assert "a session lasts at most 12 hours" in client.get(response["Location"]).content.decode()


def test_last_seen_is_written_at_most_once_a_minute(alex: StaffUser) -> None:
    client = signed_in(alex, login_ago=600, seen_ago=30)
    before = client.session[SEEN_AT]
    client.get("/console/")
    assert client.session[SEEN_AT] == before  # 30 s ago: not rewritten
    session = client.session
    session[SEEN_AT] = before - 31  # now 61 s ago
    session.save()
    client.get("/console/")
    assert client.session[SEEN_AT] >= int(time.time()) - 2


def test_the_background_refresh_is_not_activity(alex: StaffUser) -> None:
    client = signed_in(alex, login_ago=3600, seen_ago=25 * 60)
    before = client.session[SEEN_AT]
    response = client.get("/console/", headers={"HX-Request": "true", "X-Touchpoint-Background": "1"})
    assert response.status_code == 200
    assert client.session[SEEN_AT] == before


def test_an_expired_background_refresh_sends_the_page_to_sign_in(alex: StaffUser) -> None:
    client = signed_in(alex, login_ago=3600, seen_ago=40 * 60)
    response = client.get("/console/", headers={"HX-Request": "true", "X-Touchpoint-Background": "1"})
    # django-htmx's client redirect: htmx loads the page HX-Redirect names (a 302 it would follow unseen)
    assert (response.status_code, response.content) == (200, b"")
    assert response["HX-Redirect"] == "/console/login/?expired=idle"
    assert "_auth_user_id" not in client.session


def test_signing_in_through_the_admin_starts_the_clocks_too(alex: StaffUser) -> None:
    alex.is_staff = True
    alex.save()
    client = Client()
    response = client.post("/admin/login/", {"username": "alex", "password": "correct horse battery"})
    assert response.status_code == 302
    assert client.session[LOGIN_AT] == client.session[SEEN_AT]
    assert client.session[LOGIN_AT] >= int(time.time()) - 2


def test_a_session_older_than_the_clocks_gets_them_on_first_use(alex: StaffUser) -> None:
    client = signed_in(alex, login_ago=0, seen_ago=0)
    session = client.session
    del session[LOGIN_AT], session[SEEN_AT]
    session.save()
    assert client.get("/console/").status_code == 200
    assert client.session[LOGIN_AT] >= int(time.time()) - 2
