"""Repair cases taken to where money moves, the way people move them: the customer on their page
(paying by card, approving extra work), Stripe through its signed webhook, staff through the
console's panels and the services behind them (tests/quotes/repair.py walks the rest)."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import reverse

from tests.payments.conftest import RecordedStripe, signed, stripe_event
from tests.quotes.repair import diagnose, walk_to
from tests.support.factories import CustomerFactory, StaffFactory
from tests.support.orders import place_repair_order
from touchpoint.cases.models import Case
from touchpoint.customers.models import Customer
from touchpoint.links.services import link_token
from touchpoint.payments.models import Payment
from touchpoint.quotes.models import Quote, QuoteStatus
from touchpoint.staff.models import StaffUser

PAYMENT_INTENT = "pi_3RecordedTouchpoint"


def fresh(case: Case) -> Case:
    return Case.objects.select_related("journey", "customer").get(pk=case.pk)


def page(case: Case) -> str:
    return f"/c/{link_token(case=case)}/"


def text(html: str) -> str:
    """What a person reads: the markup dropped, the spaces folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def section(html: str, pattern: str) -> str:
    match = re.search(pattern, html, re.S)
    assert match is not None, f"nothing on the page matches {pattern}"
    return match.group(0)


def pay_panel(client: Client, case: Case) -> str:
    """The customer's pay panel as their page shows it now."""
    response = client.get(page(case))
    assert response.status_code == 200
    return section(response.content.decode(), r'<section class="panel pay" id="pay".*?</section>')


def staff(username: str, **fields: Any) -> tuple[StaffUser, Client]:
    person = StaffUser.objects.filter(username=username).first() or StaffFactory(username=username, **fields)
    client = Client()
    client.force_login(person)
    return person, client


def hook(client: Client, event: dict[str, Any]) -> dict[str, Any]:
    """Stripe delivers ``event`` to ``/hooks/stripe``, signed as Stripe signs it."""
    payload, header = signed(event)
    response = client.post("/hooks/stripe", data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)
    assert response.status_code == 200, response.content
    answer: dict[str, Any] = response.json()
    return answer


def pay_by_card(client: Client, wire: RecordedStripe, case: Case, *, session_id: str, event_id: str) -> Case:
    """The customer presses "Pay by card" on their page, pays on Stripe's page, and Stripe says so."""
    case = fresh(case)
    wire.reply("checkout_session_created", id=session_id, url=f"https://checkout.stripe.com/c/pay/{session_id}")
    response = client.post(f"{page(case)}pay/card", {"version": case.version})
    assert response.status_code == 303, response.content
    payment = Payment.objects.get(provider_ref=session_id)
    total = int(payment.amount * 100)
    hook(
        client,
        stripe_event(
            "event_checkout_session_completed",
            event_id=event_id,
            session_id=session_id,
            amount_total=total,
            amount_subtotal=total,
            payment_intent=f"{PAYMENT_INTENT}{payment.pk}",
        ),
    )
    return fresh(case)


def card_order(client: Client, wire: RecordedStripe, customer: Customer | None = None) -> Case:
    """A repair ordered and paid by card (£39.00); the case waits for the device."""
    case = place_repair_order(customer or CustomerFactory(name="Ian Kearns"))
    return pay_by_card(client, wire, case, session_id=f"cs_test_order_{case.pk}", event_id=f"evt_order_{case.pk}")


def approve_on_page(client: Client, case: Case) -> Case:
    """The customer approves the open quote on their case page."""
    quote = Quote.objects.get(case=case, status=QuoteStatus.PROPOSED)
    token = link_token(case=case)
    answer = {"decision": "approve", "quote": quote.pk, "version": case.version}
    response = client.post(reverse("portal:approval_decide", args=[token]), answer)
    assert response.status_code in (302, 303), response.content
    return fresh(case)


def extra_work_approved(client: Client, case: Case, price: str = "25.00") -> Case:
    """The bench finds a worn battery (``price``) and the customer approves it on their page."""
    case = diagnose(walk_to(case, "in_surgery"), [("New battery", price)])
    assert case.state == "awaiting_approval"
    return approve_on_page(client, case)


def balance_due(client: Client, case: Case, price: str = "25.00") -> Case:
    """Extra work approved (unless it already is), done and checked: the device waits for its balance."""
    if not Quote.objects.filter(case=case, status=QuoteStatus.APPROVED).exists():
        case = extra_work_approved(client, case, price)
    case = walk_to(case, "awaiting_balance")
    assert case.state == "awaiting_balance"
    return case


def bench_says(case: Case, event: str, nonce: str) -> Any:
    """Sam at the bench presses the console's button for ``event``."""
    _, bench = staff("sam", first_name="Sam", teams=["bench"])
    url = reverse("console:case_event", args=[case.reference])
    return bench.post(url, {"event": event, "version": case.version, "nonce": nonce})


def died_on_the_table(case: Case) -> Case:
    case = walk_to(case, "in_surgery")
    response = bench_says(case, "died_on_table", "died-1")
    assert response.status_code in (302, 303), response.content
    case = fresh(case)
    assert case.state == "beyond_repair"
    return case
