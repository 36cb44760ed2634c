"""The first run, through the pages: on an empty database the first visit asks for the owner's
account (proved by the setup code `touchpoint run` printed), the owner sets two-factor up, then a
guide shows what is left to set up and ticks each step off as the shop's own pages save it."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from tests.support.factories import StaffFactory
from tests.support.two_factor import Phone
from touchpoint.staff.models import Role, StaffUser

pytestmark = pytest.mark.django_db
PASSWORD = "a long owner passphrase"


def printed_code() -> str:
    """The code as the owner reads it off the terminal: `touchpoint setup_code`."""
    out = io.StringIO()
    call_command("setup_code", stdout=out)
    found = re.search(r"Setup code: ([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})", out.getvalue())
    assert found is not None, out.getvalue()
    return found.group(1)


def owner_form(**changed: str) -> dict[str, str]:
    return {
        "code": printed_code(),
        "name": "Ada Owner",
        "email": "ada@fixit.example",
        "username": "ada",
        "password": PASSWORD,
        "password_again": PASSWORD,
        **changed,
    }


def text(response: Any) -> str:
    return str(response.content.decode())


def test_the_first_visit_to_an_empty_install_asks_for_the_owners_account() -> None:
    client = Client()
    home = client.get("/")
    assert home.status_code == 302 and home["Location"] == "/setup/"
    page = client.get("/setup/")
    assert page.status_code == 200
    assert "Nobody works here yet" in text(page) and 'name="code"' in text(page)


def test_the_owner_creates_their_account_sets_two_factor_up_and_reaches_the_guide() -> None:
    client = Client()
    created = client.post("/setup/", owner_form(code=printed_code().lower().replace("-", " ")))
    assert created.status_code == 302 and created["Location"] == "/setup/guide/"
    owner = StaffUser.objects.get()
    assert (owner.username, owner.email, owner.get_full_name(), owner.role) == (
        "ada",
        "ada@fixit.example",
        "Ada Owner",
        Role.ADMIN,
    )
    assert owner.is_superuser and owner.check_password(PASSWORD)
    # An admin sets two-factor up before anything else, the guide included
    gated = client.get("/setup/guide/")
    assert gated.status_code == 302 and gated["Location"].startswith("/console/two-factor/")
    setup = text(client.get("/console/two-factor/"))
    secret = re.search(r'<code class="secret" id="secret">([A-Z2-7 ]+)</code>', setup)
    assert secret is not None
    assert client.post("/console/two-factor/", {"code": Phone(secret.group(1)).code()}).status_code == 200
    guide = client.get("/setup/guide/")
    assert guide.status_code == 200
    body = text(guide)
    assert "4 essential steps left" in body
    for title in ("Your shop", "Opening hours", "What you repair", "The voice of your messages", "Your team"):
        assert title in body
    # The code opens nothing now, and says so on the server
    out = io.StringIO()
    call_command("setup_code", stdout=out)
    assert "opens nothing now" in out.getvalue()


def test_the_guide_ticks_a_step_off_when_the_shops_own_page_saves_it() -> None:
    from tests.shop.given import shop_form

    client = Client()
    client.post("/setup/", owner_form())
    client.force_login(StaffUser.objects.get())  # two-factor given, as tests/support/two_factor.py does
    assert 'id="step-shop"' in text(client.get("/setup/guide/"))
    assert re.search(r'id="step-shop">.*?To do', text(client.get("/setup/guide/")), re.S)
    saved = client.post("/console/shop/", shop_form(client, name="Fix-It Corner", address="1 High St\nLeeds LS1 1AA"))
    assert saved.status_code == 302
    guide = text(client.get("/setup/guide/"))
    assert re.search(r'id="step-shop">.*?Done', guide, re.S)
    assert "3 essential steps left" in guide
    home = text(client.get("/"))
    assert "3 essential steps left" in home and 'href="/setup/guide/"' in home


@pytest.mark.parametrize(
    ("changed", "said"),
    [
        ({"code": "AAAA-BBBB-CCCC"}, "isn&#x27;t this install&#x27;s setup code"),
        ({"password_again": "something else entirely"}, "The two passwords differ"),
        ({"password": "short", "password_again": "short"}, "This password is too short"),
        ({"password": "ada@fixit.example", "password_again": "ada@fixit.example"}, "too similar"),
        ({"username": "ada owner"}, "Letters, digits and . @ + - _ only"),
        ({"email": "not an address"}, "Enter a valid email address"),
    ],
)
def test_a_bad_entry_is_said_beside_its_field_and_what_was_typed_is_kept(changed: dict[str, str], said: str) -> None:
    client = Client()
    refused = client.post("/setup/", owner_form(**changed))
    assert refused.status_code == 400
    body = text(refused)
    assert said in body and "Nothing was created yet" in body
    assert 'value="Ada Owner"' in body  # kept
    assert not StaffUser.objects.exists()


def test_once_the_shop_has_staff_the_setup_page_creates_nobody_even_with_the_code() -> None:
    form = owner_form(username="mallory")  # the code as it was printed before anyone was on the staff
    StaffFactory(username="priya", role=Role.LEAD)
    client = Client()
    assert client.get("/setup/")["Location"] == "/setup/guide/"
    again = client.post("/setup/", form)
    assert again.status_code == 302
    assert list(StaffUser.objects.values_list("username", flat=True)) == ["priya"]
    # the guide is a lead's page: a visitor is sent to sign in
    assert client.get("/setup/guide/")["Location"].startswith("/console/login/")


def test_guessing_the_code_is_limited() -> None:
    client = Client()
    answers = [client.post("/setup/", owner_form(code="AAAA-BBBB-CCCC")).status_code for _ in range(11)]
    assert answers[:10] == [400] * 10 and answers[10] == 429
    assert "Too many tries" in text(client.post("/setup/", owner_form()))
    assert not StaffUser.objects.exists()


def test_an_agent_does_not_get_the_guide() -> None:
    client = Client()
    client.force_login(StaffFactory(username="alex", role=Role.AGENT))
    assert client.get("/setup/guide/").status_code == 403
    assert "essential step" not in text(client.get("/"))
