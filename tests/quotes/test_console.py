"""The staff side of quotes: the bench proposes from the case view; care records a phone answer."""

from __future__ import annotations

from decimal import Decimal
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from tests.quotes.repair import crew, form, snapshot
from tests.support.factories import StaffFactory
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.flows.quotes import LineInput, quote_propose
from touchpoint.quotes.models import Quote, QuoteLine

pytestmark = pytest.mark.django_db


def test_the_case_view_offers_the_quote_form_to_the_bench(bench: Client, surgery: Case) -> None:
    html = unescape(bench.get(reverse("console:case", args=[surgery.reference])).content.decode())
    assert "Diagnosis: extra work?" in html
    assert f'action="{reverse("console:quote_propose", args=[surgery.reference])}"' in html
    assert "No extra work: start the repair" in html


def test_the_form_is_not_offered_to_someone_the_journey_would_refuse(client: Client, surgery: Case) -> None:
    client.force_login(StaffFactory(username="shipper", teams=["shipping"]))
    html = client.get(reverse("console:case", args=[surgery.reference])).content.decode()
    assert "Diagnosis: extra work?" not in html


def test_sending_a_quote_asks_the_customer(bench: Client, surgery: Case) -> None:
    response = bench.post(reverse("console:quote_propose", args=[surgery.reference]), form(surgery))
    assert response.status_code == 303
    quote = Quote.objects.get(case=surgery)
    assert (quote.total, quote.finding, quote.created_by) == (Decimal("39.00"), "He pulled through.", crew())
    assert list(QuoteLine.objects.values_list("description", "price")) == [("New battery", Decimal("39.00"))]
    surgery.refresh_from_db()
    assert surgery.state == "awaiting_approval"


def test_no_extra_work_starts_the_repair(bench: Client, surgery: Case) -> None:
    post = form(surgery, action="none", description=["", ""], explanation=["", ""], price=["", ""])
    assert bench.post(reverse("console:quote_propose", args=[surgery.reference]), post).status_code == 303
    surgery.refresh_from_db()
    assert (surgery.state, surgery.data["quote_total"], Quote.objects.count()) == ("repairing", 0.0, 0)


def test_a_bad_line_is_said_on_its_row_and_what_was_typed_stays(bench: Client, surgery: Case) -> None:
    before = snapshot(surgery)
    post = form(surgery, price=["thirty-nine", "", ""])
    response = bench.post(reverse("console:quote_propose", args=[surgery.reference]), post)
    html = unescape(response.content.decode())
    assert response.status_code == 400
    assert (
        '<ul class="errorlist" id="quote-line-1-error"><li>Enter the price as a number, e.g. 39.00.</li></ul>' in html
    )
    assert 'value="thirty-nine"' in html
    assert ">The old one holds a charge for ten minutes.</textarea>" in html
    assert snapshot(surgery) == before


def test_a_stale_page_sends_nothing_and_keeps_what_was_typed(bench: Client, surgery: Case) -> None:
    before = snapshot(surgery)
    post = form(surgery, version=surgery.version - 1)
    response = bench.post(reverse("console:quote_propose", args=[surgery.reference]), post)
    html = unescape(response.content.decode())
    assert response.status_code == 409
    assert f"{surgery.reference} changed while you were looking at it, so nothing was sent." in html
    assert 'value="New battery"' in html
    assert f'name="version" value="{surgery.version}"' in html  # sending it again, once checked, works
    assert snapshot(surgery) == before


def test_care_records_an_answer_given_on_the_phone(client: Client, surgery: Case) -> None:
    proposed = quote_propose(
        case=surgery,
        version=surgery.version,
        by=crew(),
        lines=[LineInput("New battery", "Worn out.", Decimal("39.00"))],
    )
    assert proposed.quote is not None
    carer = StaffFactory(username="carer", teams=["care"])
    client.force_login(carer)
    html = unescape(client.get(reverse("console:case", args=[surgery.reference])).content.decode())
    assert "They approved £39.00" in html
    post = {"quote": proposed.quote.pk, "version": proposed.case.version, "answer": "approve"}
    assert client.post(reverse("console:quote_answer", args=[surgery.reference]), post).status_code == 303
    proposed.quote.refresh_from_db()
    assert (proposed.quote.status, proposed.quote.decided_by, proposed.quote.decided_by_customer) == (
        "approved",
        carer,
        False,
    )
    # Pressed again from the same page: refused, nothing more written
    entries = TimelineEntry.objects.filter(case=surgery).count()
    again = client.post(reverse("console:quote_answer", args=[surgery.reference]), post)
    assert again.status_code == 409
    assert "Nothing was recorded: This quote is already approved." in again.content.decode()
    assert TimelineEntry.objects.filter(case=surgery).count() == entries


def test_only_staff(client: Client, surgery: Case) -> None:
    response = client.post(reverse("console:quote_propose", args=[surgery.reference]), form(surgery))
    assert response.status_code == 302
    assert Quote.objects.count() == 0
