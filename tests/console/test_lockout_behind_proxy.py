"""Behind the shop's reverse proxy every sign-in arrives from the proxy's address. A stranger's bad
passwords lock the username from the stranger's own address only (X-Forwarded-For, read because the
proxy is in TOUCHPOINT_TRUSTED_PROXIES), so the staff member signs in from theirs as usual."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings

from tests.support.factories import StaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("behind_proxy")]
PROXY = "10.0.0.2"
PASSWORD = "correct horse battery"


@pytest.fixture
def behind_proxy() -> object:
    with override_settings(TOUCHPOINT_TRUSTED_PROXIES=[PROXY]):
        yield


def via_proxy(address: str) -> Client:
    """A browser at ``address``, reaching the app through the proxy."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)


def sign_in(client: Client, password: str) -> tuple[int, str]:
    response = client.post("/console/login/", {"username": "alex", "password": password})
    return response.status_code, response.content.decode()


def test_a_stranger_behind_the_same_proxy_cannot_lock_a_colleague_out() -> None:
    # given a staff member, and a stranger who knows their username
    StaffFactory(username="alex")
    stranger = via_proxy("203.0.113.66")
    # when the stranger tries five bad passwords through the proxy
    answers = [sign_in(stranger, "guess") for _ in range(5)]
    # then the stranger is locked out, and told until when
    assert [status for status, _ in answers] == [400, 400, 400, 400, 429]
    assert re.search(r"try again after \d\d:\d\d or ask an admin", answers[-1][1])
    assert sign_in(stranger, PASSWORD)[0] == 429
    # and writing another address in their own X-Forwarded-For doesn't get them out
    spoofing = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.66")
    assert sign_in(spoofing, PASSWORD)[0] == 429
    # but the staff member, at their own desk behind the same proxy, signs in
    alex = via_proxy("198.51.100.9")
    status, _ = sign_in(alex, PASSWORD)
    assert status == 302
    assert "_auth_user_id" in alex.session
