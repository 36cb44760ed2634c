"""Issue 13, item 4: the extra-work links and answers that answered 500. ``"²".isdigit()`` is true
and ``int("²")`` fails, so a hand check let them through; each now gets a 400 page saying what is
wrong, and the quote waits for the customer's answer as before."""

from __future__ import annotations

from decimal import Decimal
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from tests.quotes.repair import crew, repair_case
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.customers.models import Customer
from touchpoint.flows.quotes import LineInput, quote_propose
from touchpoint.links.services import link_issue
from touchpoint.quotes.models import Quote

pytestmark = pytest.mark.django_db

LINK_BROKEN = "That link to the extra work is incomplete, so nothing was changed. Here is your repair's page."
ANSWER_BROKEN = "That answer didn't come through whole, so nothing was changed. Please try again."


@pytest.fixture
def waiting(customer: Customer) -> tuple[Case, Quote, str]:
    case = repair_case(customer, "in_surgery")
    battery = LineInput("New battery", "The old one holds a charge for ten minutes.", Decimal("39.00"))
    proposed = quote_propose(case=case, version=case.version, by=crew(), lines=[battery])
    assert proposed.quote is not None
    return proposed.case, proposed.quote, link_issue(case=case)


def untouched(case: Case, quote: Quote) -> tuple[str, str, int, int]:
    case.refresh_from_db()
    quote.refresh_from_db()
    decided = TimelineEntry.objects.filter(case=case, event__in=["quote_approved", "quote_declined"]).count()
    return case.state, quote.status, case.version, decided


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("decision=approve&quote=%C2%B2&version={version}", id="quote=²"),
        pytest.param("decision=approve&quote={quote}&version=%C2%B9", id="version=¹"),
        pytest.param("decision=approve&quote={quote}&version=%C2%B2", id="version=²"),
    ],
)
def test_a_link_with_a_superscript_digit_is_a_clear_400(
    client: Client, waiting: tuple[Case, Quote, str], query: str
) -> None:
    case, quote, token = waiting
    before = untouched(case, quote)
    url = reverse("portal:approval_confirm", args=[token]) + "?" + query.format(quote=quote.pk, version=case.version)
    response = client.get(url)
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert LINK_BROKEN in html
    assert "<h1>Waiting for your OK on the extra work</h1>" in html  # their page, with the question still there
    assert untouched(case, quote) == before


@pytest.mark.parametrize("field", ["quote", "version"])
def test_an_answer_with_a_superscript_digit_is_a_clear_400(
    client: Client, waiting: tuple[Case, Quote, str], field: str
) -> None:
    case, quote, token = waiting
    before = untouched(case, quote)
    post = {"decision": "approve", "quote": str(quote.pk), "version": str(case.version), field: "²"}
    response = client.post(reverse("portal:approval_decide", args=[token]), post)
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert ANSWER_BROKEN in html
    assert "<h1>Waiting for your OK on the extra work</h1>" in html
    assert untouched(case, quote) == before
