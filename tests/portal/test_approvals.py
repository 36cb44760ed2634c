"""Approving or declining extra work on the case page: confirmed first, taken once."""

from __future__ import annotations

from decimal import Decimal
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime

from tests.quotes.repair import crew, repair_case
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.customers.models import Customer
from touchpoint.flows.quotes import LineInput, quote_propose
from touchpoint.links.services import link_issue
from touchpoint.quotes.models import Quote

pytestmark = pytest.mark.django_db

BATTERY = LineInput("New battery", "The old one holds a charge for ten minutes.", Decimal("39.00"))


@pytest.fixture
def waiting(customer: Customer) -> tuple[Case, Quote, str]:
    case = repair_case(customer, "in_surgery")
    proposed = quote_propose(case=case, version=case.version, by=crew(), lines=[BATTERY], finding="He pulled through.")
    assert proposed.quote is not None
    return proposed.case, proposed.quote, link_issue(case=case)


def decisions(case: Case) -> int:
    return TimelineEntry.objects.filter(case=case, event__in=["quote_approved", "quote_declined"]).count()


def test_the_case_page_shows_the_work_its_reasons_and_price(client: Client, waiting: tuple[Case, Quote, str]) -> None:
    case, quote, token = waiting
    html = unescape(client.get(reverse("portal:case", args=[token])).content.decode())
    assert "<h1>Waiting for your OK on the extra work</h1>" in html
    assert "Extra work that needs your OK" in html
    assert "He pulled through." in html
    assert "New battery" in html
    assert "The old one holds a charge for ten minutes." in html
    assert html.count("£39.00") >= 2  # the line and the total
    # Each answer goes to a confirmation first, carrying the quote and the version the page was made with
    confirm = reverse("portal:approval_confirm", args=[token])
    assert f'action="{confirm}"' in html
    assert f'name="quote" value="{quote.pk}"' in html
    assert f'name="version" value="{case.version}"' in html


def test_approve_asks_for_confirmation_then_decides_once(client: Client, waiting: tuple[Case, Quote, str]) -> None:
    case, quote, token = waiting
    confirm = client.get(
        reverse("portal:approval_confirm", args=[token]),
        {"decision": "approve", "quote": quote.pk, "version": case.version},
    )
    html = unescape(confirm.content.decode())
    assert confirm.status_code == 200
    assert "Approve the extra work for £39.00?" in html
    assert decisions(case) == 0  # looking at the question changes nothing
    post = {"decision": "approve", "quote": quote.pk, "version": case.version}
    first = client.post(reverse("portal:approval_decide", args=[token]), post, follow=True)
    assert "Thank you: we&#x27;ve got your OK, and the repair goes ahead." in first.content.decode()
    # A double click: the same form again
    second = client.post(reverse("portal:approval_decide", args=[token]), post, follow=True)
    quote.refresh_from_db()
    assert quote.decided_at is not None
    said = f"You approved this on {date_format(localtime(quote.decided_at), 'j F Y')}."
    assert said in unescape(second.content.decode())
    assert said in unescape(client.get(reverse("portal:case", args=[token])).content.decode())
    assert decisions(case) == 1
    case.refresh_from_db()
    assert (case.state, quote.status) == ("repairing", "approved")


def test_decline(client: Client, waiting: tuple[Case, Quote, str]) -> None:
    case, quote, token = waiting
    post = {"decision": "decline", "quote": quote.pk, "version": case.version}
    response = client.post(reverse("portal:approval_decide", args=[token]), post, follow=True)
    html = unescape(response.content.decode())
    assert "we've noted that you declined the extra work" in html
    assert "<h1>You declined the extra work</h1>" in html
    quote.refresh_from_db()
    case.refresh_from_db()
    assert (quote.status, case.state, decisions(case)) == ("declined", "quote_declined", 1)


def test_a_stale_page_changes_nothing(client: Client, waiting: tuple[Case, Quote, str]) -> None:
    case, quote, token = waiting
    post = {"decision": "approve", "quote": quote.pk, "version": case.version - 1}
    response = client.post(reverse("portal:approval_decide", args=[token]), post, follow=True)
    assert "Your repair has moved on since that page was loaded, so nothing was changed." in unescape(
        response.content.decode()
    )
    quote.refresh_from_db()
    case.refresh_from_db()
    assert (quote.status, case.state, decisions(case)) == ("proposed", "awaiting_approval", 0)


@pytest.mark.parametrize(
    "post",
    [{}, {"decision": "maybe", "quote": "1", "version": "1"}, {"decision": "approve", "quote": "x", "version": "2"}],
)
def test_a_mangled_answer_changes_nothing_and_never_errors(
    client: Client, waiting: tuple[Case, Quote, str], post: dict[str, str]
) -> None:
    case, quote, token = waiting
    response = client.post(reverse("portal:approval_decide", args=[token]), post)
    assert response.status_code == 400  # their page, saying so: an answer that can't be read is a bad request
    assert "didn&#x27;t come through whole, so nothing was changed" in response.content.decode()
    quote.refresh_from_db()
    assert (quote.status, decisions(case)) == ("proposed", 0)


def test_another_cases_quote_cannot_be_answered_through_this_link(
    client: Client, waiting: tuple[Case, Quote, str], customer: Customer
) -> None:
    case, quote, _token = waiting
    from tests.support.factories import CustomerFactory

    other = repair_case(CustomerFactory(), "in_surgery")
    post = {"decision": "approve", "quote": quote.pk, "version": other.version}
    client.post(reverse("portal:approval_decide", args=[link_issue(case=other)]), post)
    quote.refresh_from_db()
    assert (quote.status, decisions(case), decisions(other)) == ("proposed", 0, 0)


def test_the_answer_needs_a_post_and_a_csrf_token(waiting: tuple[Case, Quote, str]) -> None:
    case, quote, token = waiting
    strict = Client(enforce_csrf_checks=True)
    post = {"decision": "approve", "quote": quote.pk, "version": case.version}
    assert strict.post(reverse("portal:approval_decide", args=[token]), post).status_code == 403
    assert strict.get(reverse("portal:approval_decide", args=[token]), post).status_code == 405
    assert decisions(case) == 0


def test_extra_work_asked_without_a_quote_still_tells_the_customer_how_to_answer(
    client: Client, customer: Customer
) -> None:
    from touchpoint.cases.actors import staff_actor
    from touchpoint.flows.advance import case_advance

    case = repair_case(customer, "in_surgery")
    case = case_advance(case=case, event="diagnosed", actor=staff_actor(crew()), given={"quote_total": 30}).case
    html = unescape(client.get(reverse("portal:case", args=[link_issue(case=case)])).content.decode())
    assert "We've found extra work that needs your say-so, but its details aren't on this page." in html
    assert "Talk to a person about it" in html
