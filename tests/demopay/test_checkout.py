"""The demo card page: reached from "Pay by card", labelled as the demo, Stripe's test cards, Stripe's
words for each problem, what was typed kept, and a paid card queues Stripe's signed event (the case
itself only moves when the worker delivers it: see test_delivery.py)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from django.test import Client

from tests.demopay.conftest import GOOD_CARD, Order, pay, place_order, to_checkout
from tests.support.pages import Page
from touchpoint.core.clock import at
from touchpoint.demopay.models import DemoEvent, DemoSession, SessionStatus
from touchpoint.payments.models import Payment, PaymentStatus

pytestmark = pytest.mark.usefixtures("demo_card")


def text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def unchanged(order: Order, checkout: str) -> tuple[Any, ...]:
    """What a refused attempt must leave as it was: the session, its events, the payment, the case."""
    session = DemoSession.objects.get(pk=checkout.split("/")[-2])
    case = order.fresh()
    return (session.status, session.paid, DemoEvent.objects.count(), Payment.objects.get().status, case.version)


def test_pay_by_card_opens_the_demo_card_page_labelled_as_the_demo(db: Any, client: Client) -> None:
    order = place_order()

    checkout = to_checkout(client, order)
    response = client.get(checkout)

    html = response.content.decode()
    page = text(html)
    assert response.status_code == 200
    assert "DEMO — no real money" in page
    assert "Pay The Repair Shop £39.00" in page
    assert f"Repair order {order.case.reference}: diagnosis and repair" in page
    assert "4242 4242 4242 4242 Visa Succeeds" in page
    assert "4000 0000 0000 0002 Visa Your card was declined." in page
    assert "Pay £39.00" in page
    assert "Email ian@example.com" in page
    # No script at all, the site's strict CSP, a CSRF token, never cached
    assert "<script" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert 'name="csrfmiddlewaretoken"' in html
    assert "no-store" in response["Cache-Control"]
    # One session, the payment waits for it, the case waits for the provider's answer
    session = DemoSession.objects.get()
    payment = Payment.objects.get()
    assert checkout == f"/demo-pay/checkout/{session.id}/"
    assert (payment.provider, payment.provider_ref, payment.status) == ("stripe", session.id, PaymentStatus.PENDING)
    assert (session.amount, session.currency, session.reference) == (Decimal("39.00"), "gbp", order.case.reference)
    assert order.fresh().state == "payment_processing"


def test_the_test_card_pays_and_queues_stripes_completed_event(db: Any, client: Client) -> None:
    order = place_order()
    checkout = to_checkout(client, order)

    response = pay(client, checkout)

    assert response.status_code == 303
    assert response["Location"] == f"http://testserver{order.page}?payment=done"
    session = DemoSession.objects.get()
    assert (session.status, session.paid, session.card_brand, session.card_last4, session.cardholder) == (
        SessionStatus.COMPLETE,
        True,
        "Visa",
        "4242",
        "Ian Kearns",
    )
    event = DemoEvent.objects.get()
    body = json.loads(event.payload)
    assert (event.type, event.status, body["id"], body["type"], body["object"], body["livemode"]) == (
        "checkout.session.completed",
        "pending",
        event.id,
        "checkout.session.completed",
        "event",
        False,
    )
    obj = body["data"]["object"]
    assert {k: obj[k] for k in ("id", "object", "amount_total", "currency", "payment_status", "status")} == {
        "id": session.id,
        "object": "checkout.session",
        "amount_total": 3900,
        "currency": "gbp",
        "payment_status": "paid",
        "status": "complete",
    }
    assert obj["payment_intent"] == session.payment_intent and session.payment_intent.startswith("pi_")
    assert (obj["client_reference_id"], obj["metadata"]) == (order.case.reference, {"case": order.case.reference})
    # Only Stripe's event marks it paid: until the worker delivers it, the case waits
    assert (Payment.objects.get().status, order.fresh().state) == (PaymentStatus.PENDING, "payment_processing")


def test_pressing_pay_twice_pays_once(db: Any, client: Client) -> None:
    order = place_order()
    checkout = to_checkout(client, order)
    page = Page.parse(client.get(checkout).content.decode(), url=f"http://testserver{checkout}")
    _, _, data = next(f for f in page.forms if f.action == checkout).submission(fill=GOOD_CARD)

    first, second = client.post(checkout, data), client.post(checkout, data)

    assert (first.status_code, second.status_code) == (303, 303)
    assert first["Location"] == second["Location"] == f"http://testserver{order.page}?payment=done"
    assert DemoEvent.objects.filter(type="checkout.session.completed").count() == 1


def test_the_declined_test_card_is_declined_on_the_page_and_changes_nothing(db: Any, client: Client) -> None:
    order = place_order()
    checkout = to_checkout(client, order)
    before = unchanged(order, checkout)
    card = {**GOOD_CARD, "number": "4000 0000 0000 0002"}

    response = pay(client, checkout, card)

    html = response.content.decode()
    assert response.status_code == 402
    assert "Your card was declined. Nothing was charged. Try again with one of the test cards below." in text(html)
    form = next(f for f in Page.parse(html).forms if f.action == checkout)
    assert {name: form.value_of(name) for name in card} == card  # what was typed is kept
    assert unchanged(order, checkout) == before
    # And the same page still takes a good card
    assert pay(client, checkout).status_code == 303


@pytest.mark.parametrize(
    ("typed", "problems"),
    [
        (
            {"number": "4242 4242 4242 4241", "expiry": "01 / 20", "cvc": "1", "name": " "},
            [
                "Your card number is invalid.",
                "Your card's expiration year is in the past.",
                "Your card's security code is incomplete.",
                "Enter the name on the card.",
            ],
        ),
        ({**GOOD_CARD, "number": "4242 4242"}, ["Your card number is incomplete."]),
        ({**GOOD_CARD, "number": "4242 abcd 4242 4242"}, ["Your card number is invalid."]),
        ({**GOOD_CARD, "expiry": "13 / 30"}, ["Your card's expiration month is invalid."]),
        (
            {**GOOD_CARD, "expiry": "tomorrow"},
            ["Your card's expiration date is incomplete. Write it as MM / YY, e.g. 12 / 34."],
        ),
        ({**GOOD_CARD, "expiry": ""}, ["Your card's expiration date is incomplete."]),
        ({**GOOD_CARD, "cvc": "12a"}, ["Your card's security code is invalid."]),
    ],
)
def test_a_mistyped_card_gets_stripes_words_beside_each_field_and_keeps_what_was_typed(
    db: Any, client: Client, typed: dict[str, str], problems: list[str]
) -> None:
    order = place_order()
    checkout = to_checkout(client, order)
    before = unchanged(order, checkout)

    response = pay(client, checkout, typed)

    html = response.content.decode()
    page = Page.parse(html)
    assert response.status_code == 422
    summary = page.by_id("problems")
    assert summary is not None and [text(li.text) for li in summary.walk() if li.tag == "li"] == problems
    for name in typed:
        beside = page.by_id(f"id_{name}_error")
        field = page.by_id(f"id_{name}")
        assert field is not None
        if beside is not None:
            assert beside.text in problems and field.get("aria-invalid") == "true"
    form = next(f for f in page.forms if f.action == checkout)
    assert {name: form.value_of(name) for name in typed} == typed
    assert unchanged(order, checkout) == before


def test_an_expiry_earlier_this_year_is_in_the_past_by_the_shops_calendar(db: Any, client: Client) -> None:
    with at(datetime(2026, 6, 15, 9, 0, tzinfo=UTC)):
        order = place_order()
        checkout = to_checkout(client, order)

        response = pay(client, checkout, {**GOOD_CARD, "expiry": "05/26"})
        this_month = pay(client, checkout, {**GOOD_CARD, "expiry": "0626"})

    assert response.status_code == 422
    assert "Your card's expiration date is in the past." in text(response.content.decode())
    assert this_month.status_code == 303  # a card is good until the end of its month


def test_a_card_that_is_not_a_test_card_is_refused_and_forgotten(db: Any, client: Client) -> None:
    order = place_order()
    checkout = to_checkout(client, order)
    before = unchanged(order, checkout)

    response = pay(client, checkout, {**GOOD_CARD, "number": "4012 8888 8888 1881"})

    html = response.content.decode()
    assert response.status_code == 402
    assert "this is the demo, which takes only the test cards listed on this page, never a real card." in html
    form = next(f for f in Page.parse(html).forms if f.action == checkout)
    assert (form.value_of("number"), form.value_of("cvc"), form.value_of("name")) == ("", "", "Ian Kearns")
    assert "4012" not in html
    assert unchanged(order, checkout) == before


def test_the_card_page_needs_the_forms_csrf_token(db: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    order = place_order()
    checkout = to_checkout(client, order)
    before = unchanged(order, checkout)

    response = client.post(checkout, GOOD_CARD)

    assert response.status_code == 403
    assert unchanged(order, checkout) == before


def test_an_unknown_session_is_not_found_and_the_page_is_off_outside_the_demo(
    db: Any, client: Client, settings: Any
) -> None:
    order = place_order()
    checkout = to_checkout(client, order)
    assert client.get("/demo-pay/checkout/cs_test_nothing/").status_code == 404

    settings.TOUCHPOINT_PAYMENT_PROVIDERS = ["offline"]

    assert client.get(checkout).status_code == 404
    assert client.post(checkout, GOOD_CARD).status_code == 404
    assert DemoSession.objects.get().status == SessionStatus.OPEN
