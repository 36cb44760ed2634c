"""Searching the queues by a customer: the start of their email, its domain, their name or surname,
whatever the letters' case, through indexes; a common name reads only its newest customers (a search
costs the same however many customers the shop has)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from tests.staff.queue_cases import make_case
from tests.support.factories import CustomerFactory, StaffFactory
from touchpoint.cases.models import JourneyVersion
from touchpoint.console.reads import queues
from touchpoint.core.clock import now
from touchpoint.staff.models import StaffUser

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(db: None) -> Client:
    user: StaffUser = StaffFactory(username="tech", teams=["bench"])
    client = Client()
    client.force_login(user)
    return client


def found(client: Client, search: str) -> list[str]:
    response = client.get("/console/", {"q": "all", "search": search})
    assert response.status_code == 200
    return [row.case.reference for row in response.context["page"].rows]


def test_the_start_of_a_name_surname_or_email_finds_the_case_in_any_case(
    client: Client, mini_journey: JourneyVersion
) -> None:
    ada = CustomerFactory(name="Ada Lovelace", email="Ada.King@Example.org")
    make_case(mini_journey, ada, "on_bench", reference="TP-00001")
    make_case(mini_journey, CustomerFactory(name="Adam Smith", email="adam@example.com"), "on_bench",
              reference="TP-00002")  # fmt: skip
    assert found(client, "ADA LOVELACE") == ["TP-00001"]
    assert found(client, "  ada   love ") == ["TP-00001"]  # spaces as people type them
    assert found(client, "lovel") == ["TP-00001"]
    assert found(client, "ada.king@example.ORG") == ["TP-00001"]
    assert found(client, "ada.k") == ["TP-00001"]
    assert found(client, "example.o") == found(client, "@Example.org") == ["TP-00001"]  # the email's domain
    assert sorted(found(client, "ada")) == ["TP-00001", "TP-00002"]  # Ada and Adam
    assert found(client, "smi") == ["TP-00002"]
    assert found(client, "velace") == []  # the middle of a word: not through an index, so not at all


def test_a_common_name_finds_the_newest_customers_only(
    client: Client, mini_journey: JourneyVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queues, "SEARCH_CUSTOMERS", 2)  # the cap, made small
    for n in range(4):
        smith = CustomerFactory(name=f"Jo Smith{n}" if n == 3 else "Jo Smith")
        make_case(mini_journey, smith, "on_bench", reference=f"TP-0000{n}", entered=now() - timedelta(hours=n))
    # in the index's order: the newest of those named exactly Smith (2, then 1), and no further
    assert found(client, "smith") == ["TP-00002", "TP-00001"]  # longest in its state first, as in any queue
    assert found(client, "smith3") == ["TP-00003"]
    assert found(client, "jo smith") == ["TP-00002", "TP-00001"]
