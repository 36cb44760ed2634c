"""An action that asks for values: typed fields drawn from the journey's data declarations, checked
beside each field, carried through the confirmation, and written to the case exactly as typed.

The shipped journeys ask the customer for values only through panels of their own (the rating,
with feedback), so a small journey of the tests' own (``asking.yaml``) asks for every kind."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.portal.story import Customer
from tests.portal.test_actions import offered, snapshot, text_of
from tests.support.factories import CustomerFactory
from touchpoint.cases.actors import CUSTOMER
from touchpoint.cases.journeys import journey_register
from touchpoint.flows.advance import case_open
from touchpoint.links.services import link_issue
from touchpoint.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db

JOURNEY = Path(__file__).with_name("asking.yaml")
GOOD = {
    "colour": "forest_green",
    "gift": "yes",
    "copies": "4",
    "budget": "12.50",
    "note": "Wrap it, please.",
    "deliver_to__name": "Maya Okafor",
    "deliver_to__line1": "12 Mill Lane",
    "deliver_to__line2": "",
    "deliver_to__town": "Bristol",
    "deliver_to__postcode": "BS1 4DJ",
    "deliver_to__country": "GB",
}


@pytest.fixture
def booking(client: Client) -> Customer:
    journey_register(source=JOURNEY.read_text(), filename=str(JOURNEY))
    customer = CustomerFactory(name="Maya Okafor", email="maya@example.com")
    case = case_open(journey="portal-asking", customer=customer, actor=CUSTOMER).case
    return Customer(client, link_issue(case=case))


def test_the_form_asks_for_each_value_in_words_never_keys(booking: Customer) -> None:
    html = booking.page()
    assert offered(html) == [("chosen", "Tell us how you'd like it")]
    form = re.search(r'<form[^>]*id="act-chosen".*?</form>', html, re.S)
    assert form is not None
    drawn = form.group(0)
    assert "<legend>Colour</legend>" in drawn
    assert "<span>Sky blue</span>" in drawn and "<span>Forest green</span>" in drawn
    assert "<legend>Gift</legend>" in drawn and "<span>Yes</span>" in drawn and "<span>No</span>" in drawn
    assert re.search(r'<input type="text" inputmode="numeric" name="chosen-copies" id="id_chosen-copies"', drawn)
    assert re.search(r'<input type="text" inputmode="decimal" name="chosen-budget" id="id_chosen-budget"', drawn)
    assert '<textarea name="chosen-note" id="id_chosen-note"' in drawn
    assert "<legend>Deliver to</legend>" in drawn and '<label for="id_chosen-deliver_to__postcode">Postcode' in drawn
    assert "Your answers go straight to our team." in drawn
    words = text_of(html)
    for key in ("sky_blue", "forest_green", "deliver_to", "copies >= 3", "portal-asking", "chosen"):
        assert key not in words


def test_answers_are_confirmed_then_written_exactly_and_the_guard_decides(booking: Customer) -> None:
    before = snapshot(booking.case)
    asked = booking.act("chosen", **GOOD)

    html = asked.content.decode()
    assert asked.status_code == 200
    assert "<h1>Tell us how you'd like it?</h1>" in unescape(html)
    assert snapshot(booking.case) == before
    # The confirmation carries what was typed, as typed, and says yes
    confirm = re.search(r'<form[^>]*id="act-chosen".*?</form>', html, re.S)
    assert confirm is not None
    carried = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', confirm.group(0)))
    assert {name.removeprefix("chosen-"): unescape(value) for name, value in carried.items() if "-" in name} == GOOD
    assert carried["confirm"] == "yes"

    response = booking.client.post(reverse("portal:action_take", args=[booking.token]), carried)

    assert response.status_code == 303
    case = booking.case
    assert (case.state, case.outcome) == ("big", "success")
    assert {k: case.data[k] for k in ("colour", "gift", "copies", "budget", "note", "deliver_to")} == {
        "colour": "forest_green",
        "gift": True,
        "copies": 4,
        "budget": 12.5,
        "note": "Wrap it, please.",
        "deliver_to": {
            "name": "Maya Okafor",
            "line1": "12 Mill Lane",
            "line2": "",
            "town": "Bristol",
            "postcode": "BS1 4DJ",
            "country": "GB",
        },
    }
    assert list(OutboxMessage.objects.filter(case=case).values_list("touchpoint", "recipient").order_by("pk")) == [
        ("booked", "maya@example.com"),
        ("noted_big", "maya@example.com"),
    ]


def test_the_answer_picks_the_move(booking: Customer) -> None:
    response = booking.act("chosen", confirm=True, **{**GOOD, "copies": "2", "gift": "no"})
    assert response.status_code == 303
    case = booking.case
    assert (case.state, case.data["copies"], case.data["gift"]) == ("small", 2, False)


BAD = [
    pytest.param({"copies": "9"}, "copies", "It must be at most 5.", id="over the max"),
    pytest.param({"copies": "0"}, "copies", "It must be at least 1.", id="under the min"),
    pytest.param({"copies": "three"}, "copies", "Enter a whole number, like 3.", id="not a number"),
    pytest.param({"copies": "9" * 5000}, "copies", "Enter a whole number, like 3.", id="a huge number"),
    pytest.param({"copies": ""}, "copies", "Please answer “Copies”.", id="missing"),
    pytest.param({"colour": "purple"}, "colour", "Choose one of the answers shown.", id="not a choice"),
    pytest.param({"colour": ""}, "colour", "Please answer “Colour”.", id="no choice"),
    pytest.param({"gift": "maybe"}, "gift", "Choose one of the answers shown.", id="neither yes nor no"),
    pytest.param({"budget": "12.345"}, "budget", "Use at most two decimals, like 39.00.", id="three decimals"),
    pytest.param({"budget": "-1"}, "budget", "It must be at least 0.", id="below zero"),
    pytest.param({"budget": "1e999999"}, "budget", "Write the amount in full, like 39.00 (not 1E+30).", id="1e999999"),
    pytest.param({"budget": "9" * 400}, "budget", "It must be at most 999999.99.", id="a huge amount"),
    pytest.param(
        {"budget": "1_000"}, "budget", "Write the amount without underscores, like 1000.00 or 1,000.00.", id="1_000"
    ),
    pytest.param({"note": "x" * 2001}, "note", "Please keep it under 2,000 characters (it's 2001 now).", id="too long"),
    pytest.param({"deliver_to__town": ""}, "deliver_to__town", "Please fill in “Town or city”.", id="no town"),
]


@pytest.mark.parametrize(("change", "field", "said"), BAD)
def test_a_bad_answer_is_said_beside_its_field_and_everything_typed_is_kept(
    booking: Customer, change: dict[str, str], field: str, said: str
) -> None:
    before = snapshot(booking.case)

    response = booking.act("chosen", confirm=True, **{**GOOD, **change})

    html = response.content.decode()
    assert response.status_code == 400
    assert f'<p class="error" id="err-chosen-{field}">{said}</p>' in unescape(html)
    assert 'aria-invalid="true"' in html
    assert "Something needs another look before we can take it" in text_of(html)
    assert ('value="Maya Okafor"' in html and ">Wrap it, please.</textarea>" in html) or field == "note"
    assert snapshot(booking.case) == before


def test_an_answer_for_another_form_is_ignored_not_stored(booking: Customer, client: Any) -> None:
    response = booking.act("chosen", confirm=True, **GOOD, sneaky="1")
    assert response.status_code == 303
    assert "sneaky" not in booking.case.data
