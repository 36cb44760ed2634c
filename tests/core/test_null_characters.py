"""A null character (U+0000, ``%00``) in an address or its query reached the database, and PostgreSQL
refuses NUL in text (DataError: a 500 there; found by fuzzing tests/fuzz on PostgreSQL). No address
of ours has one, so any request with one is a 400 saying so, before any view reads it."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.support.factories import StaffFactory
from tests.support.orders import place_repair_order

pytestmark = pytest.mark.django_db
SAID = "The address has a null character (%00) in it, which no page here takes: check the link."


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/repair/", {"q": "\x00"}),
        ("/repair/", {"q": "nano\x00"}),
        ("/console/cases/\x00/", {}),
        ("/console/cases/TP-\x00/payments/record", {}),
        ("/demo-pay/checkout/cs_\x00/", {}),
        ("/c/\x00/", {}),
        ("/console/", {"q\x00": "x"}),
    ],
)
def test_a_null_character_in_the_address_is_a_400_saying_so(url: str, query: dict[str, str]) -> None:
    place_repair_order()
    client = Client()
    client.force_login(StaffFactory(username="jo", teams=["intake"]))
    response = client.get(url, query)
    assert response.status_code == 400
    assert response.content.decode() == SAID
    assert response["Content-Type"] == "text/plain; charset=utf-8"


def test_an_address_without_one_is_served_as_before() -> None:
    response = Client().get("/repair/", {"q": "nano"})
    assert response.status_code == 200
