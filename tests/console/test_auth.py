"""Staff sign-in: the console's own form, safe redirects, lockout after five bad passwords shown on
the same page (never a 403 page), unlocking by an admin, and sign-out by POST only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.support.factories import StaffFactory
from touchpoint.staff.lockout import lockout_clear
from touchpoint.staff.sessions import LOGIN_AT, SEEN_AT

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def sign_in(client: Client, username: str, password: str, **extra: str) -> Any:
    return client.post("/console/login/", {"username": username, "password": password, **extra})


def test_the_login_page_is_a_plain_form_with_csrf() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.get("/console/login/?next=/console/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'autocomplete="current-password"' in html
    assert 'name="next" value="/console/"' in html
    refused = client.post("/console/login/", {"username": "alex", "password": PASSWORD})
    assert refused.status_code == 403  # no CSRF token, no sign-in
    assert "_auth_user_id" not in client.session


def test_signing_in_goes_to_the_page_asked_for_and_starts_both_clocks() -> None:
    # given a staff member
    alex = StaffFactory(username="alex")
    client = Client()
    # when they sign in from a link to the exceptions queue
    response = sign_in(client, "alex", PASSWORD, next="/console/?q=exceptions")
    # then they land there, signed in, with the login and last-seen times recorded
    assert response.status_code == 302
    assert response["Location"] == "/console/?q=exceptions"
    assert client.session["_auth_user_id"] == str(alex.pk)
    assert client.session[LOGIN_AT] == client.session[SEEN_AT]


def test_a_next_pointing_elsewhere_is_ignored() -> None:
    StaffFactory(username="alex")
    response = sign_in(Client(), "alex", PASSWORD, next="https://evil.example/steal")
    assert response["Location"] == "/console/"


def test_a_wrong_password_keeps_the_username_and_says_what_is_wrong() -> None:
    StaffFactory(username="alex")
    client = Client()
    response = sign_in(client, "alex", "not it at all")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please enter a correct username and password" in html
    assert 'value="alex"' in html
    assert 'aria-invalid="true" aria-describedby=" signin-error"' in html
    assert "_auth_user_id" not in client.session


def test_an_empty_form_names_each_missing_field() -> None:
    response = sign_in(Client(), "", "")
    html = response.content.decode()
    assert response.status_code == 400
    assert '<span class="field-error" id="username-error">This field is required.</span>' in html
    assert '<span class="field-error" id="password-error">This field is required.</span>' in html


def test_an_inactive_account_cannot_sign_in() -> None:
    StaffFactory(username="gone", is_active=False)
    client = Client()
    response = sign_in(client, "gone", PASSWORD)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_five_bad_passwords_lock_the_account_from_that_address_with_a_readable_page() -> None:
    # given a staff member
    StaffFactory(username="alex")
    client = Client(REMOTE_ADDR="203.0.113.7")
    # when five bad passwords are tried from one address
    for _ in range(4):
        assert sign_in(client, "alex", "wrong password").status_code == 400
    fifth = sign_in(client, "alex", "wrong password")
    # then the fifth answer is the sign-in page saying until when, not an error page
    assert fifth.status_code == 429
    html = fifth.content.decode()
    assert "Too many attempts for this account from here; try again after " in html
    assert "or ask an admin to unlock you." in html
    assert '<form method="post" action="/console/login/"' in html
    assert 'value="alex"' in html
    assert "This field is required." not in html
    # and the right password is refused too while locked
    locked = sign_in(client, "alex", PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # but the same account from another address is not locked (a stranger can't lock a colleague out)
    elsewhere = Client(REMOTE_ADDR="198.51.100.9")
    assert sign_in(elsewhere, "alex", PASSWORD).status_code == 302


def test_an_admin_unlocks_a_colleague() -> None:
    StaffFactory(username="alex")
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(5):
        sign_in(client, "alex", "wrong password")
    assert sign_in(client, "alex", PASSWORD).status_code == 429
    # when an admin clears the lock
    assert lockout_clear(username="alex") == 1
    # then the right password works again
    assert sign_in(client, "alex", PASSWORD).status_code == 302


def test_a_successful_sign_in_forgets_earlier_failures() -> None:
    StaffFactory(username="alex")
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(4):
        sign_in(client, "alex", "wrong password")
    assert sign_in(client, "alex", PASSWORD).status_code == 302
    client.post("/console/logout/")
    for _ in range(4):
        assert sign_in(client, "alex", "wrong password").status_code == 400  # a fresh count of five


def test_sign_out_is_a_post_and_says_so() -> None:
    alex = StaffFactory(username="alex")
    client = Client()
    client.force_login(alex)
    assert client.get("/console/logout/").status_code == 405
    assert client.session["_auth_user_id"] == str(alex.pk)
    response = client.post("/console/logout/")
    assert response["Location"] == "/console/login/?expired=out"
    assert "_auth_user_id" not in client.session
    assert "You are signed out." in client.get(response["Location"]).content.decode()


def test_the_admin_keeps_its_own_login() -> None:
    response = Client().get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
