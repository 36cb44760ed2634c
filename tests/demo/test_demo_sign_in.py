"""Signing in to the demo without a phone: `touchpoint demo` prints every login; the lead and the
admin have two-factor on (as the product requires), with the key for an authenticator app and fresh
one-time recovery codes printed on every load; agents sign in with the password alone."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from tests.support.two_factor import Phone

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo_card_page(settings: Any) -> None:
    settings.TOUCHPOINT_PAYMENT_PROVIDERS = ["offline", "demo"]
    settings.STRIPE_WEBHOOK_SECRET = "whsec_demo_tests"


def demo() -> str:
    out = StringIO()
    call_command("demo", cases=0, history=0, stdout=out)
    return out.getvalue()


def printed(output: str, username: str) -> tuple[str, list[str]]:
    """The key and the recovery codes `touchpoint demo` printed for ``username``."""
    found = re.search(rf"^  {username} +\(\w+\): key ([A-Z2-7 ]+); recovery codes: ([a-z2-7 ]+)$", output, re.M)
    assert found is not None, output
    return found.group(1), found.group(2).split()


def sign_in(username: str, code: str | None = None) -> tuple[Client, Any]:
    client = Client()
    response = client.post("/console/login/", {"username": username, "password": "touchpoint-demo"})
    if code is not None:
        assert response["Location"] == "/console/login/code/?next=%2Fconsole%2F"
        response = client.post("/console/login/code/", {"code": code})
    return client, response


def test_the_demo_prints_how_each_person_signs_in_and_the_lead_gets_in_without_a_phone() -> None:
    output = demo()
    assert "Staff logins (password for all: touchpoint-demo):" in output
    for agent in ("alex", "jo", "sam"):
        assert re.search(rf"^  {agent} +\(agent\): the password alone \(two-factor is offered\)$", output, re.M)
    _, codes = printed(output, "priya")
    assert len(codes) == 10
    # a recovery code printed for the lead signs her in, once
    client, response = sign_in("priya", codes[0])
    assert response["Location"] == "/console/"
    assert client.get("/console/").status_code == 200
    assert sign_in("priya", codes[0])[1].status_code == 400


def test_the_admin_signs_in_with_a_code_from_the_printed_key_and_opens_the_admin() -> None:
    key, _ = printed(demo(), "admin")
    app = Phone(key)
    app.code()  # the code showing as the demo loaded: it set the app up with that one
    client, response = sign_in("admin", app.code())
    assert response["Location"] == "/console/"
    assert client.get("/admin/").status_code == 200


def test_an_agent_signs_in_with_the_password_alone() -> None:
    demo()
    client, response = sign_in("jo")
    assert response["Location"] == "/console/"
    assert client.get("/console/").status_code == 200


def test_loading_again_keeps_the_key_and_prints_fresh_recovery_codes() -> None:
    first_key, first_codes = printed(demo(), "priya")
    again_key, again_codes = printed(demo(), "priya")
    assert again_key == first_key  # the app set up from the first load keeps working
    assert not set(first_codes) & set(again_codes)
    assert sign_in("priya", again_codes[0])[1]["Location"] == "/console/"
    assert sign_in("priya", first_codes[0])[1].status_code == 400
