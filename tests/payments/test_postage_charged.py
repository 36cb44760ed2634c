"""Issue 15, part 8's last gap: the postage of the service level chosen with the order is part of what
the customer pays. Fixed when the order is placed (a later price change in the console doesn't reach
it), taken by card or by bank transfer with the diagnosis, said wherever the order's money is said (the
order's email, the case page, the console's payments panel, the receipt), and given back with it when
the journey refunds the order. A free level adds nothing.

Everything goes through the product's surfaces: the order form, the console's service-level and case
pages, the customer's case page, the demo card page, and the worker that delivers its signed events to
``/hooks/stripe`` (its one HTTP call answered by this test's client instead of a socket: the edge)."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from tests.demopay.conftest import demo_card, pay, press  # noqa: F401 - demo_card is a fixture
from tests.portal.story import CONTACT, Customer, acted, catalog, crew, repair_order
from tests.shipping.test_service_levels import TRACKED_24, TRACKED_48, add
from tests.shop.given import lead_client
from touchpoint.cases.models import Case
from touchpoint.demopay import jobs
from touchpoint.demopay.models import DemoSession
from touchpoint.outbox.models import OutboxMessage
from touchpoint.payments.models import Payment, PaymentStatus, Refund, RefundStatus
from touchpoint.worker.loop import Worker

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_card")]

# The story's catalog prices the Nano Player 4G's diagnosis at £29.00; Tracked 24 costs £4.50.
TOTAL = Decimal("33.50")


@pytest.fixture(autouse=True)
def stripe_reaches_the_shop(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's events go to ``/hooks/stripe`` as its worker sends them, signed; the one HTTP call
    is answered by the shop through a test client instead of a socket."""
    shop = Client()

    def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        response = shop.post(
            urlsplit(url).path,
            body,
            content_type=headers["Content-Type"],
            HTTP_STRIPE_SIGNATURE=headers["Stripe-Signature"],
        )
        return response.status_code, response.content.decode()[:2000]

    monkeypatch.setattr(jobs, "post", post)


def work() -> None:
    Worker(worker_id="w1").run(until_idle=True)


def text(html: str) -> str:
    words = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    return words.replace("( ", "(").replace(" )", ")")


def email(case: Case, touchpoint: str) -> str:
    return OutboxMessage.objects.get(case=case, touchpoint=touchpoint, channel="email").body_text


def console_figures(case: Case) -> dict[str, str]:
    staff = Client()
    staff.force_login(crew())
    html = staff.get(f"/console/cases/{case.reference}/").content.decode()
    return {unescape(k): v for k, v in re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html)}


def order_page(client: Client) -> str:
    response = client.get(reverse("portal:intake"))
    assert response.status_code == 200
    return response.content.decode()


def to_card_page(client: Client, customer: Customer) -> str:
    response = press(client, customer.url, "act-card_submitted")
    assert response.status_code == 303, response.content.decode()[:2000]
    return urlsplit(response["Location"]).path


def test_the_chosen_levels_postage_is_paid_by_card_with_the_diagnosis_said_everywhere_and_refunded_with_it() -> None:
    # Given a lead offers two service levels in the console
    lead = lead_client()
    assert add(lead, TRACKED_48).status_code == 302
    assert add(lead, TRACKED_24).status_code == 302
    # When a customer orders a prepaid box on the form, choosing Tracked 24 (£4.50)
    customer = repair_order(service_level="royal-mail-tracked-24")
    case = customer.case
    # Then the order's email asks for the diagnosis and the postage together
    assert "One thing left: payment of £33.50." in email(case, "order_received")
    # And the case page (the order's confirmation) says the amount and what it is made of
    page = text(customer.page())
    assert "£33.50 to pay" in page
    said = "£29.00 for the diagnosis and repair, and £4.50 for the prepaid box's postage (Royal Mail Tracked 24)"
    assert said in page
    # And the console's payments panel says the price with the postage in it
    figures = console_figures(case)
    assert (figures["Price"], figures["of which postage (Royal Mail Tracked 24)"]) == ("£33.50", "£4.50")

    # When the lead raises Tracked 24's price after the order was placed
    edit = reverse("console:shop_service_level", args=["royal-mail-tracked-24"])
    assert lead.post(edit, {k: v for k, v in TRACKED_24.items() if k != "code"} | {"price": "9.99"}).status_code == 302
    # Then this order still costs what it cost when it was placed
    assert "£33.50 to pay" in text(customer.page())

    # When the customer pays by card on the (demo) card page
    checkout = to_card_page(customer.client, customer)
    session = DemoSession.objects.get()
    assert session.amount == TOTAL
    assert "£33.50" in text(customer.client.get(checkout).content.decode())
    assert pay(customer.client, checkout).status_code == 303
    # And the card provider's signed event reaches the shop
    work()
    # Then the payment took the whole price, and the case moved on
    payment = Payment.objects.get(case=case)
    assert (payment.amount, payment.status, payment.currency) == (TOTAL, PaymentStatus.PAID, "gbp")
    assert customer.case.state == "box_to_send"
    # And the email and the receipt say what was paid
    assert "£33.50" in email(case, "order_confirmed_box_coming")
    assert "Paid £33.50 by card on" in text(customer.page())

    # When the customer cancels (the journey refunds everything paid)
    acted(customer, "order_cancelled")
    # Then the refund gives the postage back with the diagnosis, to the card
    refund = Refund.objects.get(case=case)
    assert (refund.amount, refund.payment_id) == (TOTAL, payment.pk)
    assert "We're refunding everything you paid (£33.50) to the card you paid with" in email(
        case, "cancellation_confirmed"
    )
    work()
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.SUCCEEDED
    assert console_figures(case)["Refunded (owed or done)"] == "£33.50"


def test_a_bank_transfer_is_asked_and_recorded_for_the_whole_price() -> None:
    add(lead_client(), TRACKED_24)
    customer = repair_order(service_level="royal-mail-tracked-24")
    case = customer.case
    # The console's "Payment received" form is filled with the whole price, postage in
    staff = Client()
    staff.force_login(crew())
    html = staff.get(f"/console/cases/{case.reference}/").content.decode()
    amount = re.search(r'<input[^>]*name="amount"[^>]*>', html)
    assert amount is not None and 'value="33.50"' in amount.group(0)
    # Recorded as the statement shows it, the order is paid
    response = staff.post(
        f"/console/cases/{case.reference}/payments/record",
        {"version": str(case.version), "amount": "33.50", "method": "bank_transfer", "reference": "BACS 0042"},
    )
    assert response.status_code == 303, response.status_code
    payment = Payment.objects.get(case=case)
    assert (payment.amount, payment.status) == (TOTAL, PaymentStatus.PAID)
    assert customer.case.state == "box_to_send"
    assert "Payment received (£33.50) – thank you!" in email(case, "order_confirmed_box_coming")


def test_a_free_level_stays_free_and_posting_it_yourself_pays_no_postage() -> None:
    lead = lead_client()
    add(lead, TRACKED_48 | {"code": "shop-courier", "name": "The shop's courier", "price": "0.00"})
    # The form says it is free, and what the order page will ask for
    page = text(order_page(Client()))
    assert "The shop's courier free" in page
    assert "pay for the diagnosis and, with a prepaid box, its postage (The shop's courier: free)" in page
    # Ordered with the free level: the diagnosis alone, with no postage line
    free = repair_order(service_level="shop-courier")
    assert free.case.data["service_level"] == "shop-courier"
    shown = text(free.page())
    assert "£29.00 to pay" in shown and "postage" not in shown.split("£29.00 to pay")[1][:200]
    assert "The shop's courier, free, as you chose with your order." in shown  # not "£0.00"
    assert "payment of £29.00" in email(free.case, "order_received")
    # Posting it yourself with a level sent: no level kept, nothing added
    own = repair_order(prepaid_box=False, service_level="shop-courier", email="own@example.com")
    assert "service_level" not in own.case.data
    assert "£29.00 to pay" in text(own.page())
    assert console_figures(own.case)["Price"] == "£29.00"


def test_a_service_level_not_offered_is_refused_beside_its_field_with_the_order_kept_and_nothing_charged() -> None:
    add(lead_client(), TRACKED_24)
    catalog()
    customer = Client()
    nonce = re.search(r'name="nonce" value="([^"]+)"', order_page(customer))
    assert nonce is not None
    post = {
        **CONTACT,
        "model": "nano-player-4g",
        "problem": "not_sure",
        "shipping": "box",
        "nonce": nonce.group(1),
        "description": "It went quiet.",
    }
    for code in ("royal-mail-special", "\u202e24", "a" * 300):
        refused = customer.post(reverse("portal:intake"), {**post, "service_level": code})
        assert refused.status_code == 422
        page = refused.content.decode()
        assert "That way of sending isn&#x27;t offered any more: choose one of those shown." in page
        assert "It went quiet." in page and 'value="Maya Okafor"' in page
        assert not Case.objects.exists() and not Payment.objects.exists()
    # The level offered, chosen on the same page, places the order at its price
    placed = customer.post(reverse("portal:intake"), {**post, "service_level": "royal-mail-tracked-24"})
    assert placed.status_code == 303
    assert Case.objects.get().data["service_level_price"] == "4.50"
