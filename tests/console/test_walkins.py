"""The counter's intake: "New walk-in" opens a walk-in-warranty case for a customer found (or added) at
the counter, with what they brought and what is wrong; the tier is the customer's own; a known
customer's record is never overwritten; only the counter team and leads reach it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.console.given import register, signed_in
from tests.support.factories import CustomerFactory, StaffFactory
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.customers.models import Customer, Tier
from touchpoint.staff.models import Role, StaffUser

pytestmark = pytest.mark.django_db
URL = "/console/walk-ins/new/"
NONCE = "counter-nonce-1"


@pytest.fixture(autouse=True)
def journey(db: Any) -> None:
    register("walk-in-warranty")


@pytest.fixture
def alex() -> StaffUser:
    return StaffFactory(username="alex", first_name="Alex", teams=["counter"])


@pytest.fixture
def gold() -> Customer:
    return CustomerFactory(name="Grace Hopper", email="grace@example.com", phone="07700 900123", tier=Tier.GOLD)


def form(**changes: str) -> dict[str, str]:
    data = {
        "nonce": NONCE,
        "customer": "new",
        "name": "",
        "email": "",
        "phone": "",
        "device": "Nano Player 4G earbuds",
        "serial": "SN-88213",
        "problem_notes": "The left one is silent.",
        "in_warranty": "yes",
        "has_receipt": "no",
    }
    return {**data, **changes}


def counts() -> tuple[int, int, int]:
    return Case.objects.count(), Customer.objects.count(), TimelineEntry.objects.count()


def test_only_the_counter_team_and_leads_reach_it(alex: StaffUser) -> None:
    lead = StaffFactory(username="lee", role=Role.LEAD, teams=["care"])
    bench = StaffFactory(username="bo", teams=["bench"])
    assert signed_in(alex).get(URL).status_code == 200
    assert signed_in(lead).get(URL).status_code == 200
    refused = signed_in(bench).get(URL)
    assert refused.status_code == 403
    assert "Walk-ins are opened by the counter team and leads: ask a lead to add you to it." in refused.content.decode()
    before = counts()
    assert signed_in(bench).post(URL, form(name="X", email="x@example.com")).status_code == 403
    assert counts() == before
    anonymous = Client().get(URL)
    assert (anonymous.status_code, anonymous["Location"]) == (302, f"/console/login/?next={URL}")
    # The button is on the queues page for those who may use it, and only for them.
    assert f'<a class="button" href="{URL}">New walk-in</a>' in signed_in(alex).get("/console/").content.decode()
    assert f'<a class="button" href="{URL}">New walk-in</a>' in signed_in(lead).get("/console/").content.decode()
    assert "New walk-in" not in signed_in(bench).get("/console/").content.decode()


@pytest.mark.parametrize("typed", ["grace@EXAMPLE", "900123", "07700900123", "hopper"])
def test_the_counter_finds_a_customer_by_email_phone_or_name(alex: StaffUser, gold: Customer, typed: str) -> None:
    CustomerFactory(name="Ian Kearns", email="ian@example.com")
    html = signed_in(alex).get(URL, {"find": typed}).content.decode()
    found = re.findall(r'<input type="radio" id="customer-(\d+)" name="customer" value="\d+"', html)
    assert found == [str(gold.pk)]
    assert 'Grace Hopper · grace@example.com · 07700 900123 <span class="pill">Gold</span>' in html


def test_a_walk_in_for_a_known_customer_opens_with_their_tier_and_lands_on_the_case(
    alex: StaffUser, gold: Customer
) -> None:
    client = signed_in(alex)
    response = client.post(URL, form(customer=str(gold.pk), name="Someone Else", email="other@example.com"))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/console/cases/{case.reference}/"
    assert (case.customer, case.journey.name, case.state) == (gold, "walk-in-warranty", "checking")
    assert case.data == {
        "device": "Nano Player 4G earbuds",
        "serial": "SN-88213",
        "problem_notes": "The left one is silent.",
        "in_warranty": True,
        "has_receipt": False,
        "tier": "gold",
    }
    opened = TimelineEntry.objects.get(case=case)
    assert (opened.event, opened.actor_kind, opened.actor_user) == ("opened", "staff", alex)
    assert Customer.objects.count() == 1  # what was typed for a new customer is ignored when one is chosen
    page = client.get(response["Location"]).content.decode()
    assert f"Walk-in opened for Grace Hopper: {case.reference}." in page
    assert "<div><dt>The customer&#x27;s tier when they came in</dt><dd>Gold</dd></div>" in page
    assert "<div><dt>The warranty is in force</dt><dd>Yes</dd></div>" in page


def test_a_new_customer_is_added_and_cant_tell_counts_as_no_warranty(alex: StaffUser) -> None:
    response = signed_in(alex).post(
        URL, form(name="Ada Lovelace", email=" Ada@Example.org ", phone="0113 496 0000", in_warranty="unsure")
    )
    assert response.status_code == 302
    case = Case.objects.get()
    ada = Customer.objects.get()
    assert (ada.name, ada.email, ada.phone, ada.tier) == (
        "Ada Lovelace",
        "ada@example.org",
        "+441134960000",  # in E.164: the counter takes any number it can call
        "standard",
    )
    assert (case.customer, case.data["in_warranty"], case.data["tier"]) == (ada, False, "standard")


def test_a_known_email_typed_as_new_keeps_that_customers_record_as_it_was(alex: StaffUser, gold: Customer) -> None:
    client = signed_in(alex)
    response = client.post(URL, form(name="G. Hopper", email="GRACE@example.com", phone="07700 900999"))
    assert response.status_code == 302
    gold.refresh_from_db()
    assert (gold.name, gold.phone, gold.tier) == ("Grace Hopper", "07700 900123", "gold")
    assert Case.objects.get().customer == gold
    page = client.get(response["Location"]).content.decode()
    assert "Grace Hopper was already a customer (grace@example.com): their record is kept as it was." in page


def test_a_double_click_opens_one_case(alex: StaffUser, gold: Customer) -> None:
    client = signed_in(alex)
    first = client.post(URL, form(customer=str(gold.pk)))
    second = client.post(URL, form(customer=str(gold.pk)))
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"device": "  "}, "device", "Say what they brought in, e.g. “Nano Player 4G earbuds”."),
        ({"problem_notes": ""}, "problem-notes", "Write what is wrong with it, in the customer&#x27;s words."),
        ({"email": "not-an-address", "name": "Ada"}, "email", "Enter their email address, like name@example.com"),
        ({"email": "ada@example.org"}, "name", "Write the new customer&#x27;s name."),
        (
            {"in_warranty": "perhaps", "name": "Ada", "email": "ada@example.org"},
            "in-warranty",
            "Choose yes, no or can&#x27;t tell.",
        ),
        ({"customer": "999999"}, "customer", "That customer isn&#x27;t on our records any more: search again."),
    ],
)
def test_bad_input_is_said_beside_its_field_keeps_what_was_typed_and_opens_nothing(
    alex: StaffUser, changes: dict[str, str], field: str, message: str
) -> None:
    before = counts()
    response = signed_in(alex).post(URL, form(**changes))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was opened: see below." in html
    assert re.search(rf'<ul class="errorlist" id="{field}-error"><li>{re.escape(message)}', html)
    assert 'value="SN-88213"' in html  # what was typed is kept
    assert counts() == before
