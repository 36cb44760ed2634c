"""Issue 13, item 4: the console's quote forms that answered 500 (``version=²``, ``price=1E+30``,
``quote=²``). Each is a 400 with what is wrong beside it, what was typed kept, nothing written."""

from __future__ import annotations

from decimal import Decimal
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from tests.quotes.repair import crew, form, snapshot
from tests.support.factories import StaffFactory
from touchpoint.cases.models import Case
from touchpoint.flows.quotes import LineInput, quote_propose
from touchpoint.quotes.models import Quote

pytestmark = pytest.mark.django_db
UNREAD = "That form didn't come through whole, so nothing was sent. Please send it again."


def propose(client: Client, case: Case, post: dict[str, object]) -> tuple[int, str]:
    response = client.post(reverse("console:quote_propose", args=[case.reference]), post)
    return response.status_code, unescape(response.content.decode())


def test_a_superscript_version_is_a_clear_400(bench: Client, surgery: Case) -> None:
    before = snapshot(surgery)
    status, html = propose(bench, surgery, form(surgery, version="²"))
    assert status == 400
    assert UNREAD in html
    assert 'value="New battery"' in html  # what was typed is kept
    assert snapshot(surgery) == before


PRICE_PROBLEMS = [
    pytest.param("1E+30", "Write the amount in full, like 39.00 (not 1E+30).", id="1E+30"),
    pytest.param("1e3", "Write the amount in full, like 39.00 (not 1E+30).", id="1e3"),
    pytest.param("1_000", "Write the amount without underscores, like 1000.00 or 1,000.00.", id="1_000"),
    pytest.param("NaN", "Enter the price as a number, e.g. 39.00.", id="NaN"),
    pytest.param("Infinity", "Enter the price as a number, e.g. 39.00.", id="Infinity"),
    pytest.param("²", "Enter the price as a number, e.g. 39.00.", id="²"),
    pytest.param("٣٩", "Enter the price as a number, e.g. 39.00.", id="Arabic-Indic 39"),
    pytest.param("100000", "The price must be less than 100,000.00.", id="100000"),
    pytest.param("0", "The price must be more than 0, e.g. 39.00.", id="0"),
    pytest.param("39.001", "Use at most two decimals, e.g. 39.00.", id="three decimals"),
]


@pytest.mark.parametrize(("price", "said"), PRICE_PROBLEMS)
def test_a_price_that_isnt_money_is_said_on_its_row(bench: Client, surgery: Case, price: str, said: str) -> None:
    before = snapshot(surgery)
    status, html = propose(bench, surgery, form(surgery, price=[price, "", ""]))
    assert status == 400
    assert f'<ul class="errorlist" id="quote-line-1-error"><li>{said}</li></ul>' in html
    assert f'value="{price}"' in html
    assert snapshot(surgery) == before


@pytest.mark.parametrize(("price", "total"), [("£1,000.00", "1000.00"), (" 39.5 ", "39.50"), ("$25", "25.00")])
def test_a_price_as_people_write_it_is_taken(bench: Client, surgery: Case, price: str, total: str) -> None:
    status, _html = propose(bench, surgery, form(surgery, price=[price, "", ""]))
    assert status == 303
    assert Quote.objects.get(case=surgery).total == Decimal(total)


@pytest.fixture
def proposed(surgery: Case) -> tuple[Case, Quote]:
    done = quote_propose(
        case=surgery, version=surgery.version, by=crew(), lines=[LineInput("New battery", "Worn out.", Decimal("39"))]
    )
    assert done.quote is not None
    return done.case, done.quote


@pytest.mark.parametrize("field", ["quote", "version"])
def test_a_phone_answer_with_a_superscript_digit_is_a_clear_400(
    client: Client, proposed: tuple[Case, Quote], field: str
) -> None:
    case, quote = proposed
    client.force_login(StaffFactory(username="carer", teams=["care"]))
    before = snapshot(case)
    post = {"quote": str(quote.pk), "version": str(case.version), "answer": "approve", field: "²"}
    response = client.post(reverse("console:quote_answer", args=[case.reference]), post)
    assert response.status_code == 400
    assert "That form didn't come through whole, so nothing was recorded. Please send it again." in unescape(
        response.content.decode()
    )
    assert snapshot(case) == before
    quote.refresh_from_db()
    assert quote.status == "proposed"
