"""Staff record money that arrived offline from the case's payment panel; a stale page can't record it twice."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client, RequestFactory

from tests.payments.conftest import RecordedStripe, open_repair, touchpoints
from tests.support.factories import StaffFactory
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.console.views.payments import payment_panel
from touchpoint.payments.models import OfflineMethod, Payment, PaymentStatus
from touchpoint.staff.models import Role

pytestmark = pytest.mark.usefixtures("mail_in_repair")


def url(case: Case) -> str:
    return f"/console/cases/{case.reference}/payments/record"


def signed_in(**staff: Any) -> Client:
    client = Client()
    client.force_login(StaffFactory(**staff))
    return client


def test_intake_records_a_bank_transfer_and_the_customer_is_told(settings: Any) -> None:
    # Given an order waiting for payment, and Priya from intake looking at it
    settings.TOUCHPOINT_PAYMENT_PROVIDERS = ["offline"]
    case = open_repair()
    client = signed_in(username="priya", first_name="Priya", teams=["intake"])
    # When she records the transfer she sees on the statement
    response = client.post(
        url(case), {"version": "1", "amount": "39.00", "method": "bank_transfer", "reference": "BACS TP-1"}
    )
    # Then she goes back to the case, the payment is kept with who recorded it, and the case moved on
    assert (response.status_code, response["Location"]) == (303, f"/console/cases/{case.reference}/")
    payment = Payment.objects.get()
    assert (payment.provider, payment.status, payment.amount, payment.method, payment.reference) == (
        "offline",
        PaymentStatus.PAID,
        Decimal("39.00"),
        OfflineMethod.BANK_TRANSFER,
        "BACS TP-1",
    )
    assert payment.recorded_by is not None and payment.recorded_by.username == "priya"
    case.refresh_from_db()
    assert (case.state, case.version) == ("awaiting_device", 2)
    entry = TimelineEntry.objects.filter(case=case).order_by("-seq").first()
    assert entry is not None and (entry.event, entry.actor_user) == ("offline_payment_received", payment.recorded_by)
    assert touchpoints(case) == ["order_received", "order_confirmed_send_device"]


def test_a_stale_page_records_nothing_and_says_what_to_check() -> None:
    # Given the payment was recorded from another tab
    case = open_repair()
    client = signed_in(username="priya", teams=["intake"])
    form = {"version": "1", "amount": "39.00", "method": "bank_transfer", "reference": ""}
    assert client.post(url(case), form).status_code == 303
    # When the old page is submitted again
    response = client.post(url(case), form)
    # Then it is refused with a clear message, and still only one payment exists
    assert response.status_code == 409
    assert (
        f"{case.reference} changed while you were looking at it, so nothing was recorded." in response.content.decode()
    )
    assert Payment.objects.count() == 1
    assert Case.objects.get(pk=case.pk).version == 2


@pytest.mark.parametrize(
    ("amount", "method", "message"),
    [
        ("", "bank_transfer", "Enter the amount that arrived, e.g. 39.00."),
        ("thirty", "bank_transfer", "Enter the amount as a number, e.g. 39.00."),
        ("0", "bank_transfer", "The amount must be more than zero."),
        ("39.001", "bank_transfer", "Use at most two decimal places, e.g. 39.50."),
        ("39.00", "cheque", "Choose how it was paid."),
    ],
)
def test_bad_input_is_shown_beside_the_field_and_kept(amount: str, method: str, message: str) -> None:
    case = open_repair()
    client = signed_in(username="priya", teams=["intake"])
    response = client.post(url(case), {"version": "1", "amount": amount, "method": method, "reference": "kept ref"})
    html = response.content.decode()
    assert response.status_code == 400
    assert f"<li>{message}</li>" in html
    assert 'aria-invalid="true"' in html
    assert 'value="kept ref"' in html
    assert (Payment.objects.count(), Case.objects.get(pk=case.pk).version) == (0, 1)


def test_an_agent_outside_intake_may_not_record_a_payment() -> None:
    case = open_repair()
    client = signed_in(username="sam", teams=["bench"])
    response = client.post(url(case), {"version": "1", "amount": "39.00", "method": "bank_transfer"})
    assert response.status_code == 403
    assert "<h1>Only the intake team or a lead record payments</h1>" in response.content.decode()
    assert (Payment.objects.count(), Case.objects.get(pk=case.pk).version) == (0, 1)


def test_signed_out_is_sent_to_sign_in() -> None:
    case = open_repair()
    response = Client().post(url(case), {"version": "1", "amount": "39.00", "method": "bank_transfer"})
    assert response.status_code == 302
    assert Payment.objects.count() == 0


def test_the_panel_lists_attempts_and_offers_the_form_only_to_intake(recorded_stripe: RecordedStripe) -> None:
    from tests.payments.conftest import start_checkout

    case = open_repair()
    start_checkout(case, recorded_stripe)
    case = Case.objects.get(pk=case.pk)
    request = RequestFactory().get("/")
    request.user = StaffFactory(username="sam", teams=["bench"])
    for_bench = payment_panel(request, case)
    assert for_bench is not None
    assert ([p.status for p in for_bench["payments"]], for_bench["can_record"]) == (["pending"], False)
    # While the card is being checked, the journey doesn't take an offline payment yet, even from intake
    request.user = StaffFactory(username="priya", teams=["intake"])
    assert payment_panel(request, case)["can_record"] is False  # type: ignore[index]


def test_no_panel_for_a_case_with_no_payment_that_a_bench_agent_cannot_record() -> None:
    case = open_repair()
    request = RequestFactory().get("/")
    request.user = StaffFactory(username="sam", role=Role.AGENT, teams=["bench"])
    assert payment_panel(request, case) is None
    request.user = StaffFactory(username="priya", teams=["intake"])
    panel = payment_panel(request, case)
    assert panel is not None
    assert (panel["can_record"], panel["fields"].amount) == (True, "39.00")
