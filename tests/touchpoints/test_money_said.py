"""Amounts are said with the shop's currency symbol, the same in the email as on the customer's page
(``touchpoint.core.money.money_text``): the bench sends a quote from the console, and both the
"needs your OK" email and the case page the email links to say "£25.00"."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.quotes.repair import crew, form, repair_case
from touchpoint.cases.models import Case
from touchpoint.customers.models import Customer
from touchpoint.links.paths import case_page_path
from touchpoint.links.services import link_token
from touchpoint.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("currency", "said"), [("gbp", "£25.00"), ("eur", "€25.00"), ("chf", "25.00 CHF")])
def test_the_quote_email_and_the_customers_page_say_the_same_amount_with_its_currency(
    customer: Customer, client: Client, settings: Any, currency: str, said: str
) -> None:
    # given a repair at the bench, in a shop that works in `currency`
    settings.TOUCHPOINT_CURRENCY = currency
    case = repair_case(customer, "in_surgery")
    # when the bench sends a quote for a £25 battery from the case view
    client.force_login(crew())
    post = form(case, price=["25", "", ""])
    assert client.post(reverse("console:quote_propose", args=[case.reference]), post).status_code == 303
    # then the email asking for the customer's OK says the amount with its currency…
    email = OutboxMessage.objects.get(case=case, touchpoint="needs_your_ok")
    assert f"which costs {said}." in email.body_text
    assert f"- New battery: {said}\n" in email.body_text
    assert f"<li>New battery: {said}</li>" in email.body_html
    assert "25.00" not in email.body_text.replace(said, "")  # never a bare figure
    # …and so does the page the email links to
    client.logout()
    page = client.get(case_page_path(link_token(case=Case.objects.get(pk=case.pk)))).content.decode()
    assert said in page
    assert page.count("25.00") == page.count(said)
